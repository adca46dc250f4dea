package dates

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/sources"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

func TestParse(t *testing.T) {
	plus8 := time.FixedZone("", 8*3600)
	minus5 := time.FixedZone("", -5*3600)
	tests := []struct {
		name string
		in   string
		loc  *time.Location
		want time.Time // zero: no date
	}{
		{"rfc3339", "2024-09-04T10:30:00+08:00", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"rfc3339 utc", "2024-09-04T02:30:00Z", shanghai, time.Date(2024, 9, 4, 2, 30, 0, 0, time.UTC)},
		{"rfc3339 no seconds", "2024-09-04T10:30+08:00", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"rfc3339 fraction", "2024-09-04T10:30:00.123456789-05:00", nil, time.Date(2024, 9, 4, 10, 30, 0, 123456789, minus5)},
		{"rfc3339 compact offset", "2024-09-04T10:30:00+0800", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"rfc3339 no offset reads loc", "2024-09-04T10:30:00", shanghai, time.Date(2024, 9, 4, 10, 30, 0, 0, shanghai)},
		{"rfc3339 late evening keeps its day", "2024-09-04T23:30:00+08:00", time.UTC, time.Date(2024, 9, 4, 23, 30, 0, 0, plus8)},
		{"rfc1123", "Wed, 04 Sep 2024 10:30:00 GMT", shanghai, time.Date(2024, 9, 4, 10, 30, 0, 0, time.UTC)},
		{"rfc1123 cst is china", "Wed, 04 Sep 2024 10:30:00 CST", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"rfc1123 gmt+8", "Wed, 04 Sep 2024 10:30:00 GMT+8", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"rfc1123 numeric offset", "Wed, 04 Sep 2024 10:30:00 +0800", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"rfc822 two-digit year", "04 Sep 24 10:30 +0800", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"rfc1123 without weekday or seconds", "4 Sep 2024 10:30 UTC+08:00", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"iso space minutes", "2024-09-04 10:30", shanghai, time.Date(2024, 9, 4, 10, 30, 0, 0, shanghai)},
		{"iso space seconds", "2024-09-04 10:30:15", shanghai, time.Date(2024, 9, 4, 10, 30, 15, 0, shanghai)},
		{"slashes", "2024/9/4", shanghai, time.Date(2024, 9, 4, 0, 0, 0, 0, shanghai)},
		{"dots", "2024.09.04", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"compact", "20240904", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"compact date-time", "20240904T103000Z", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, time.UTC)},
		{"chinese", "2024年9月4日", shanghai, time.Date(2024, 9, 4, 0, 0, 0, 0, shanghai)},
		{"chinese with time", "2024年9月4日 10:30", shanghai, time.Date(2024, 9, 4, 10, 30, 0, 0, shanghai)},
		{"chinese with weekday", "2024年09月04日 星期三", shanghai, time.Date(2024, 9, 4, 0, 0, 0, 0, shanghai)},
		{"chinese weekday then time", "2024年09月04日（周三）下午3:05", shanghai, time.Date(2024, 9, 4, 15, 5, 0, 0, shanghai)},
		{"chinese clock words", "2024年9月4日10时30分", shanghai, time.Date(2024, 9, 4, 10, 30, 0, 0, shanghai)},
		{"full-width digits", "２０２４年９月４日　１０：３０", shanghai, time.Date(2024, 9, 4, 10, 30, 0, 0, shanghai)},
		{"full-width iso", "２０２４－０９－０４", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"chinese label", "发布时间：2024-09-04 10:30", shanghai, time.Date(2024, 9, 4, 10, 30, 0, 0, shanghai)},
		{"chinese label with source", "2021年11月30日 08:05  来源：互联网观察", shanghai, time.Date(2021, 11, 30, 8, 5, 0, 0, shanghai)},
		{"published label", "Published: Sep 4, 2024", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"updated label", "Updated Sep 5, 2024 3:04 pm ET", nil, time.Date(2024, 9, 5, 15, 4, 0, 0, time.UTC)},
		{"month day year", "Sep 4, 2024", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"full month with time", "September 4, 2024 10:30 AM", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, time.UTC)},
		{"twelve pm", "September 4, 2024 12:05 p.m.", nil, time.Date(2024, 9, 4, 12, 5, 0, 0, time.UTC)},
		{"twelve am", "September 4, 2024 12:05 a.m.", nil, time.Date(2024, 9, 4, 0, 5, 0, 0, time.UTC)},
		{"day month year", "4 September 2024", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"weekday sept", "Wednesday, Sept. 4, 2024", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"ordinal", "September 4th, 2024", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"ordinal of", "the 4th of September, 2024", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"german", "4. September 2024 um 10:30 Uhr", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, time.UTC)},
		{"german umlaut", "12. März 2024", nil, time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)},
		{"german numeric", "04.09.2024, 10:30 Uhr", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, time.UTC)},
		{"french", "1er septembre 2023 à 10h30", nil, time.Date(2023, 9, 1, 10, 30, 0, 0, time.UTC)},
		{"spanish", "1 de septiembre de 2023", nil, time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)},
		{"us slashes", "09/04/2024", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"day first slashes", "25/12/2023", nil, time.Date(2023, 12, 25, 0, 0, 0, 0, time.UTC)},
		{"dashed month name", "04-Sep-2024", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
		{"asctime", "Tue Sep  3 10:00:00 2024", nil, time.Date(2024, 9, 3, 10, 0, 0, 0, time.UTC)},
		{"beijing time", "2024-09-04 10:30 北京时间", nil, time.Date(2024, 9, 4, 10, 30, 0, 0, plus8)},
		{"leap day", "2024-02-29", nil, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},

		{"empty", "", nil, time.Time{}},
		{"no date", "Alibaba and Tencent", nil, time.Time{}},
		{"year only", "2024", nil, time.Time{}},
		{"month only", "September 2024", nil, time.Time{}},
		{"no year", "Sep 2 09:02", nil, time.Time{}},
		{"chinese no year", "10月17日 11:02", nil, time.Time{}},
		{"not a day", "2023-02-29", nil, time.Time{}},
		{"bad month", "20241399", nil, time.Time{}},
		{"year too early", "1989-06-01", nil, time.Time{}},
		{"year too late", "2101-01-01", nil, time.Time{}},
		{"version number", "v1.2024.09.04", nil, time.Time{}},
		{"hour out of range", "2024-09-04T25:00:00Z", nil, time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.in, tt.loc)
			if ok != !tt.want.IsZero() {
				t.Fatalf("Parse(%q) ok = %v, want %v (got %v)", tt.in, ok, !ok, got)
			}
			if !ok {
				return
			}
			if !got.Equal(tt.want) {
				t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
			}
			_, gotOff := got.Zone()
			_, wantOff := tt.want.Zone()
			if gotOff != wantOff {
				t.Errorf("Parse(%q) offset = %d, want %d", tt.in, gotOff, wantOff)
			}
		})
	}
}

func TestFindAll(t *testing.T) {
	type m struct {
		Text      string
		Date      string
		Precision Precision
		HasTime   bool
	}
	tests := []struct {
		name string
		text string
		want []m
	}{
		{
			name: "english prose",
			text: "Back in September 2021, Ele.me connected WeChat Pay. On Sept. 17, 2021 WeChat opened links; since 2013 the two had blocked each other.",
			want: []m{{"September 2021", "2021-09", Month, false}, {"Sept. 17, 2021", "2021-09-17", Day, false}, {"2013", "2013", Year, false}},
		},
		{
			name: "chinese prose",
			text: "早在2021年9月，闲鱼就已提交申请；闲鱼小程序于2024年1月上线。2021年11月30日 08:05 来源：互联网观察。2022年，阿里继续扩大互通。",
			want: []m{{"2021年9月", "2021-09", Month, false}, {"2024年1月", "2024-01", Month, false}, {"2021年11月30日 08:05", "2021-11-30", Day, true}, {"2022年", "2022", Year, false}},
		},
		{
			name: "mid-year and fiscal",
			text: "Sales fell in mid-2021 and rose by 2023.",
			want: []m{{"2021", "2021", Year, false}, {"2023", "2023", Year, false}},
		},
		{
			name: "numbers that are not years",
			text: "It has 2021 stores and sold 2,000 items; revenue grew 2019% in Q3; call 2024-555-0100.",
			want: nil,
		},
		{
			name: "ranges and times",
			text: "Posted 2024-09-04 10:00-12:00 and Wed, 04 Sep 2024 10:30:00 +0800.",
			want: []m{{"2024-09-04 10:00", "2024-09-04", Day, true}, {"04 Sep 2024 10:30:00 +0800", "2024-09-04", Day, true}},
		},
		{
			name: "weak month words",
			text: "Two years ago 2022 was different, but out 2023 was set 2024.",
			want: nil,
		},
		{
			name: "german",
			text: "Am 4. September 2024 um 10:30 Uhr begann es; seit 2019 läuft das Projekt, im März 2020 kam die Pause.",
			want: []m{{"4. September 2024 um 10:30 Uhr", "2024-09-04", Day, true}, {"2019", "2019", Year, false}, {"März 2020", "2020-03", Month, false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []m
			for _, x := range FindAll(tt.text, shanghai) {
				got = append(got, m{tt.text[x.Start:x.End], x.Date().String(), x.Precision, x.HasTime})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FindAll (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchDate(t *testing.T) {
	ms := FindAll("2021年9月 and 2021-09-28T23:30:00-05:00", time.UTC)
	if len(ms) != 2 {
		t.Fatalf("FindAll found %d dates, want 2", len(ms))
	}
	if got, want := ms[0].Date(), (sources.Date{Year: 2021, Month: 9}); got != want {
		t.Errorf("month match Date() = %v, want %v", got, want)
	}
	// The day is the one written, in the written offset.
	if got, want := ms[1].Date(), (sources.Date{Year: 2021, Month: 9, Day: 28}); got != want {
		t.Errorf("day match Date() = %v, want %v", got, want)
	}
	if !ms[1].HasZone {
		t.Errorf("offset not reported")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"2024-09-04T10:30:00+08:00", "Wed, 04 Sep 2024 10:30:00 CST", "2024年09月04日 星期三 10:30",
		"发布时间：2024-09-04 10:30", "Published: Sep 4, 2024", "20240904", "04.09.2024",
		"Wednesday, Sept. 4, 2024", "4. September 2024 um 10:30 Uhr", "２０２４年９月４日",
		"2024-09-04T10:30:00.123456789-05:00", "Tue Sep  3 10:00:00 2024", "", "2024", "v1.2024.09.04",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Parse(s, shanghai)
		ms := FindAll(s, shanghai)
		for _, m := range ms {
			if m.Start < 0 || m.End > len(s) || m.Start >= m.End {
				t.Fatalf("FindAll(%q): bad span %d:%d", s, m.Start, m.End)
			}
			if y := m.Time.Year(); y < MinYear || y > MaxYear {
				t.Fatalf("FindAll(%q): year %d out of range", s, y)
			}
		}
		if !ok {
			return
		}
		if y := got.Year(); y < MinYear || y > MaxYear {
			t.Fatalf("Parse(%q) = %v: year out of range", s, got)
		}
		for _, layout := range []string{time.RFC3339Nano, time.RFC1123Z, "2006-01-02 15:04:05", "2006年1月2日"} {
			text := got.Format(layout)
			again, ok := Parse(text, got.Location())
			if !ok {
				t.Fatalf("Parse(%q) = %v, but its %q form %q does not parse", s, got, layout, text)
			}
			if sources.DateOf(again) != sources.DateOf(got) {
				t.Fatalf("Parse(%q) = %v; %q re-parses to %v", s, got, text, again)
			}
		}
	})
}

func BenchmarkFindAll(b *testing.B) {
	text := strings.Repeat("记者了解到，收到钉钉会议邀请的微信用户，2024年03月14日 16:20 现在可以在微信内直接加入会议. In September 2021 Ele.me connected WeChat Pay. ", 50)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		FindAll(text, shanghai)
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		Parse("Wed, 04 Sep 2024 10:30:00 +0800", shanghai)
		Parse("发布时间：2024年09月04日 10:30", shanghai)
	}
}
