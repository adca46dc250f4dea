package dates

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReader checks the free-text reader: absolute dates, relative ones
// resolved against the reference and the narrative date, and numbers that
// are not dates.
func TestReader(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	ref := time.Date(2024, 9, 4, 10, 0, 0, 0, shanghai) // a Wednesday
	tests := []struct {
		name string
		text string
		want []string // resolved dates in order; "~" marks a recent one
	}{
		{"english month day year", "On September 17, 2021 and on Sept 28 the apps changed.", []string{"2021-09-17", "2023-09-28"}},
		{"day first", "It went live on 4 March 2022, then on 9th June.", []string{"2022-03-04", "2024-06-09"}},
		{"month and year", "In March 2022 and in October last year.", []string{"2022-03", "2023-10"}},
		{"a month after the reference is last year's", "In November, WeChat opened links.", []string{"2023-11"}},
		{"late last november", "Late last November, WeChat acted.", []string{"2023-11"}},
		{"may is a month only with a date around it", "Taobao may add it in May 2023 or by May 5.", []string{"2023-05", "2024-05-05"}},
		{"weekdays and relative days", "On Tuesday and yesterday, recently.", []string{"2024-09-03~", "2024-09-03~", "2024-09~"}},
		{"relative months and years", "Last month, this year, next year and three years ago.", []string{"2024-08", "2024", "2025", "2021"}},
		{"this week", "Users noticed this week.", []string{"2024-09~"}},
		{"narrative", "In 2022 it grew. In February of that year it tested. Two months later it launched; the same year it paused.", []string{"2022", "2022-02", "2022-04", "2022"}},
		{"half a year later", "It started in October 2022. More than half a year later it returned.", []string{"2022-10", "2023"}},
		{"years are not amounts", "Revenue of 2021 yuan, 2,024 users, US$2022 and 2023%.", nil},
		{"chinese absolute", "2021年9月28日、2022年3月和2013年", []string{"2021-09-28", "2022-03", "2013"}},
		{"chinese without year", "8月19日和12月", []string{"2024-08-19", "2023-12"}},
		{"chinese relative", "今年3月、去年9月、本月13日、上个月、近日、三年前", []string{"2024-03", "2023-09", "2024-09-13", "2024-08", "2024-09~", "2021"}},
		{"chinese narrative", "2021年9月，闲鱼提交申请。两个月后，微信开放链接。半年后又扩大。", []string{"2021-09", "2021-11", "2022"}},
		{"months are not durations", "用了3个月和618大促", nil},
		{"full-width digits", "２０２２年３月", []string{"2022-03"}},
		{"numeric forms", "2024-09-04, 2022/3/1 and 2021.11.29 but not 3.1415 or 2024-13-01", []string{"2024-09-04", "2022-03-01", "2021-11-29", "2024"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reader{Ref: ref}
			cased := strings.Map(fold, tt.text)
			var got []string
			for _, d := range r.Read(strings.ToLower(cased), cased) {
				s := d.Date.String()
				if d.Recent {
					s += "~"
				}
				got = append(got, s)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
