package sources

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	tests := map[string]struct {
		in   string
		want Date
		bad  bool
	}{
		"year":         {in: "2021", want: Date{Year: 2021}},
		"month":        {in: "2021-09", want: Date{Year: 2021, Month: 9}},
		"day":          {in: "2021-09-28", want: Date{Year: 2021, Month: 9, Day: 28}},
		"empty":        {in: "", want: Date{}},
		"month 13":     {in: "2021-13", bad: true},
		"day 0":        {in: "2021-09-00", bad: true},
		"words":        {in: "September", bad: true},
		"four parts":   {in: "2021-09-28-1", bad: true},
		"zero month":   {in: "2021-00-05", bad: true},
		"year 0":       {in: "0000", bad: true},
		"no separator": {in: "20210928", bad: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
			b, _ := json.Marshal(got)
			var back Date
			if err := json.Unmarshal(b, &back); err != nil || back != got {
				t.Errorf("JSON round trip %s → %v, %v", b, back, err)
			}
		})
	}
	if b, _ := json.Marshal(Date{}); string(b) != "null" {
		t.Errorf("unknown date marshals as %s, want null", b)
	}
}

func TestDateOfKeepsThePagesOwnDay(t *testing.T) {
	// 08:30 in Shanghai is the previous day in UTC: the page's day counts.
	tm := time.Date(2024, 9, 4, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	if got := DateOf(tm); got.String() != "2024-09-04" {
		t.Errorf("DateOf = %v", got)
	}
	if got := (Date{Year: 2024, Month: 2}).Start(time.UTC); !got.Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Start = %v", got)
	}
}

func TestEventJSONUsesThePairsKeys(t *testing.T) {
	e := Event{A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: KindPayment, Stage: StageLaunched,
		Date: Date{Year: 2024, Month: 9}, Headline: true, Evidence: "Taobao <adds> WeChat Pay"}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"alibaba":["Taobao"],"tencent":["WeChat Pay"],"kind":"payment","stage":"launched","date":"2024-09","headline":true,"evidence":"Taobao \u003cadds\u003e WeChat Pay"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	e.Pair = Pair{A: "bytedance", B: "tencent"}
	e.A, e.Date = nil, Date{}
	b, _ = json.Marshal(e)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["bytedance"]; !ok || m["date"] != nil {
		t.Errorf("another pair's event: %s", b)
	}
	if list, ok := m["bytedance"].([]any); !ok || len(list) != 0 {
		t.Errorf("an empty side must be [], got %v", m["bytedance"])
	}
}
