package detect

import (
	"testing"

	"github.com/wallwatch/worker/sources"
)

func TestAgeDays(t *testing.T) {
	ref := mustDate(t, "2024-09-04")
	for _, tt := range []struct {
		d    string
		want int
	}{
		{"2024-09-01", 3}, {"2024-09", 0}, {"2024-08", 4}, {"2024", 0}, {"2023", 248}, {"2024-10-01", 0},
	} {
		if got := ageDays(mustDate(t, tt.d), ref); got != tt.want {
			t.Errorf("ageDays(%s) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func mustDate(t *testing.T, s string) sources.Date {
	t.Helper()
	d, err := sources.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
