//go:build race

package article

// raceEnabled slows the page-heavy tests down tenfold; the suites are then
// left to the ordinary test run.
const raceEnabled = true
