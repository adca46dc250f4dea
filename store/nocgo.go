//go:build !cgo

package store

// The SQLite driver (github.com/mattn/go-sqlite3) is C code: building the
// worker needs cgo and a C compiler. Without them the build stops here with
// this name as its message.
var _ = SQLite_needs_cgo_and_a_C_compiler__install_gcc_and_build_with_CGO_ENABLED_1
