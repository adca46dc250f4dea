package store

import (
	"testing"

	"github.com/wallwatch/worker/sources"
)

func date(s string) sources.Date {
	d, err := sources.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCompareDates(t *testing.T) {
	tests := map[string]struct {
		a, b string
		want dateCloseness
	}{
		"same month":                   {"2024-02", "2024-02", datesClose},
		"adjacent month":               {"2024-02", "2024-03", datesClose},
		"adjacent across a year":       {"2023-12", "2024-01", datesClose},
		"two months apart":             {"2024-01", "2024-03", datesFar},
		"day in adjacent month":        {"2024-03-31", "2024-02", datesClose},
		"day two months on":            {"2024-04-01", "2024-02", datesFar},
		"days 45 apart":                {"2024-01-01", "2024-02-15", datesClose},
		"days 46 apart":                {"2024-01-01", "2024-02-16", datesFar},
		"days across a leap day":       {"2024-02-28", "2024-03-01", datesClose},
		"year-only same year":          {"2024", "2024-02-21", datesSameYear},
		"year-only both":               {"2024", "2024", datesSameYear},
		"year-only other year":         {"2023", "2024-01", datesFar},
		"unknown":                      {"", "2024-01", datesFar},
		"two years apart, same month":  {"2022-03", "2024-03", datesFar},
		"two years apart, month, days": {"2022-03-28", "2024-02-21", datesFar},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := compareDates(date(tt.a), date(tt.b)); got != tt.want {
				t.Errorf("compareDates(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := compareDates(date(tt.b), date(tt.a)); got != tt.want {
				t.Errorf("compareDates(%s, %s) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}
