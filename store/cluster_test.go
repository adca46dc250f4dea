package store

import (
	"testing"
	"time"

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

func TestCluster(t *testing.T) {
	const fp = 0xF0F0_F0F0_F0F0_F0F0
	near := uint64(fp ^ 0x3FF) // 10 bits away
	far := uint64(fp ^ 0x7FF)  // 11 bits away
	p := probe{Pair: sources.DefaultPair, Kind: payment, Stage: testing_, A: []string{"Taobao", "Tmall"}, B: []string{"WeChat Pay"},
		Date: date("2024-02-21"), Fingerprint: fp}
	cand := func(id int64, stage sources.Stage, d string, fps ...uint64) candidate {
		return candidate{ID: id, Pair: sources.DefaultPair, Kind: payment, Stage: stage, A: []string{"Taobao"}, B: []string{"WeChat Pay"},
			Date: date(d), Fingerprints: fps}
	}
	with := func(c candidate, f func(*candidate)) candidate { f(&c); return c }

	tests := map[string]struct {
		p     probe
		cands []candidate
		want  int64
	}{
		"none":                        {p, nil, 0},
		"same stage, same month":      {p, []candidate{cand(1, testing_, "2024-02")}, 1},
		"other pair":                  {p, []candidate{with(cand(1, testing_, "2024-02"), func(c *candidate) { c.Pair = sources.Pair{A: "jd", B: "tencent"} })}, 0},
		"other kind":                  {p, []candidate{with(cand(1, testing_, "2024-02"), func(c *candidate) { c.Kind = links })}, 0},
		"side A disjoint":             {p, []candidate{with(cand(1, testing_, "2024-02"), func(c *candidate) { c.A = []string{"Ele.me"} })}, 0},
		"side B disjoint":             {p, []candidate{with(cand(1, testing_, "2024-02"), func(c *candidate) { c.B = []string{"WeChat"} })}, 0},
		"far date":                    {p, []candidate{cand(1, testing_, "2022-03")}, 0},
		"other stage":                 {p, []candidate{cand(1, launched, "2024-02", far)}, 0},
		"other stage, near-duplicate": {p, []candidate{cand(1, launched, "2024-02", far, near)}, 1},
		"near-duplicate but far date": {p, []candidate{cand(1, launched, "2022-02", near)}, 0},
		"year-only, same stage":       {p, []candidate{cand(1, testing_, "2024", far)}, 0},
		"year-only, near-duplicate":   {p, []candidate{cand(1, testing_, "2024", near)}, 1},
		"same stage beats near-duplicate": {p, []candidate{
			cand(1, launched, "2024-02-21", near), cand(2, testing_, "2024-03-20"),
		}, 2},
		"nearest date wins": {p, []candidate{
			cand(1, testing_, "2024-01-20"), cand(2, testing_, "2024-02-25"), cand(3, testing_, "2024-03-01"),
		}, 2},
		"oldest wins a tie": {p, []candidate{cand(7, testing_, "2024-02-20"), cand(5, testing_, "2024-02-22")}, 5},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := cluster(tt.p, tt.cands); got != tt.want {
				t.Errorf("cluster = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestPrevious(t *testing.T) {
	p := probe{Pair: sources.DefaultPair, Kind: payment, Stage: launched, A: []string{"Taote"}, B: []string{"WeChat Pay"}, Date: date("2024-09")}
	cand := func(id int64, stage sources.Stage, d string, a string) candidate {
		return candidate{ID: id, Pair: sources.DefaultPair, Kind: payment, Stage: stage, A: []string{a}, B: []string{"WeChat Pay"}, Date: date(d)}
	}
	tests := map[string]struct {
		cands []candidate
		want  int64
	}{
		"none":                        {nil, 0},
		"same stage is no previous":   {[]candidate{cand(1, launched, "2021-03", "Taote")}, 0},
		"earlier other stage":         {[]candidate{cand(1, announced, "2021-03", "Taote")}, 1},
		"later is no previous":        {[]candidate{cand(1, announced, "2024-10", "Taote")}, 0},
		"other entities":              {[]candidate{cand(1, announced, "2021-03", "Taobao")}, 0},
		"the latest earlier one wins": {[]candidate{cand(1, announced, "2021-03", "Taote"), cand(2, testing_, "2024-08", "Taote"), cand(3, sources.StageHalted, "2023-01", "Taote")}, 2},
		"same date, newest wins":      {[]candidate{cand(4, announced, "2024-09", "Taote"), cand(9, testing_, "2024-09", "Taote")}, 9},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := previous(p, tt.cands); got != tt.want {
				t.Errorf("previous = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCandidateRangeCoversCloseDates(t *testing.T) {
	// Every date close to the probe's must fall in its candidate range, or
	// the indexed lookup would miss a development the rule would match.
	probes := []string{"2024-01", "2024-02-29", "2024-03-31", "2023-12-01", "2024-12", "2024"}
	for _, ps := range probes {
		pd := date(ps)
		lo, hi, yearStart := candidateRange(pd)
		for day := dayNumber(date("2022-06-01")); day < dayNumber(date("2026-06-01")); day++ {
			tm := time.Unix(day*86400, 0).UTC()
			for _, cd := range []sources.Date{
				sources.DateOf(tm),
				{Year: tm.Year(), Month: int(tm.Month())},
				{Year: tm.Year()},
			} {
				if compareDates(pd, cd) == datesFar {
					continue
				}
				s := dayNumber(cd)
				in := (s >= lo && s <= hi) || (precision(cd) == precYear && s == yearStart)
				if !in {
					t.Fatalf("probe %s: close date %s (day %d) outside range [%d, %d] / year %d", ps, cd, s, lo, hi, yearStart)
				}
			}
		}
	}
}
