package main

import (
	"strings"
	"testing"

	"github.com/wallwatch/worker/worker"
)

func TestSummarySaysWhyHeadlineEventsWereNotAlerted(t *testing.T) {
	rep := worker.Report{Sources: []worker.SourceReport{
		{Name: "a", Headline: 20, NotAlerted: worker.NotAlerted{MaxAge: 19}},
		{Name: "b", Headline: 6, NotAlerted: worker.NotAlerted{MaxAge: 5, Coverage: 1}},
	}}
	var b strings.Builder
	writeSummary(&b, rep)
	want := "headline events: 26 recorded, 1 opened an alert, 25 not alerted: 24 older than alerts.max_age, " +
		"1 coverage of a development already recorded (a reply in its thread)\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("summary:\n%s\nwant the line %q", b.String(), want)
	}

	b.Reset()
	writeSummary(&b, worker.Report{Sources: []worker.SourceReport{{Name: "a", Headline: 3, NotAlerted: worker.NotAlerted{NoAlerts: 3}}}})
	if want := "headline events: 3 recorded, 0 opened an alert, 3 not alerted: 3 recorded silently (--no-alerts)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("summary:\n%s\nwant the line %q", b.String(), want)
	}

	b.Reset()
	writeSummary(&b, worker.Report{Sources: []worker.SourceReport{{Name: "a"}}})
	if strings.Contains(b.String(), "headline events:") {
		t.Errorf("summary of a run without headline events:\n%s", b.String())
	}
}
