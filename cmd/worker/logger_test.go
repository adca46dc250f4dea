package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestJSONLogsWriteReadableDurations(t *testing.T) {
	var buf bytes.Buffer
	a := &app{stderr: &buf, logFormat: "json", logLevel: "info"}
	log, err := a.logger()
	if err != nil {
		t.Fatal(err)
	}
	log.Info("run done", "duration", 41203456789*time.Nanosecond, "wait", 250*time.Microsecond, "count", 3)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if rec["duration"] != "41.203s" || rec["wait"] != "250µs" || rec["count"] != float64(3) {
		t.Errorf("durations: %s", buf.String())
	}
}
