package dates

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wallwatch/worker/sources"
)

// Found is a date expression read in running text, resolved against the
// reference of the Reader that read it.
type Found struct {
	Start, End int // byte span in the text read
	Date       sources.Date
	Recent     bool // "recently", "this week", 近日: the news itself
	Inferred   bool // the year was inferred as the latest not after the reference
}

// Reader reads the dates of running text — absolute ones ("September 17,
// 2021", 2021年9月28日), and relative ones resolved against Ref ("last
// year", "11 years ago", "on Tuesday", 去年, 上个月, 8月19日) or against the
// last date the text stated ("that year", "two months later", 次年). Read
// the paragraphs of one text in order with one Reader. Month and weekday
// names are those Parse and FindAll know.
type Reader struct {
	Ref       time.Time    // publication time, or now
	narrative sources.Date // the last date the text stated
	inferred  bool         // the expression being read had its year inferred
}

var (
	numberWords = map[string]int{
		"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "few": 2,
	}
	hanDigits = map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10, '半': 0}
	// Chinese words for a day or period at or near the reference.
	zhRecent      = []string{"近两日", "近几日", "近日", "日前", "近期", "最近", "昨天", "昨日", "今天", "今日", "本周", "这周", "上周"}
	zhMonthOffset = map[string]int{"本月": 0, "这个月": 0, "上月": -1, "上个月": -1, "下月": 1, "下个月": 1}
	zhYearOffset  = map[string]int{"今年": 0, "去年": -1, "前年": -2, "明年": 1}
	zhNarrative   = []string{"当年", "同年", "那年", "当时", "彼时"}
	// zhDateStarts holds the first characters of the words zhWordDate reads.
	zhDateStarts = "今去前明本这上下近日最昨当同那彼次一二两三四五六七八九十半"
)

// monthName returns the month a lower-cased month name stands for, from
// the table Parse uses.
func monthName(w string) (int, bool) {
	wi, ok := words[w]
	if !ok || wi.class != wcMonth || wi.weak {
		return 0, false
	}
	return wi.val, true
}

// weekdayName returns the weekday a lower-cased weekday name stands for.
func weekdayName(w string) (time.Weekday, bool) {
	wi, ok := words[w]
	if !ok || wi.class != wcWeekday {
		return 0, false
	}
	return time.Weekday(wi.val), true
}

// enDateWords are the words other than month and weekday names an English
// date expression can start with.
var enDateWords = func() map[string]bool {
	m := map[string]bool{}
	for w := range numberWords {
		m[w] = true
	}
	for _, w := range []string{"yesterday", "today", "tonight", "recently", "last", "this", "next", "earlier", "later", "that", "the", "more", "half"} {
		m[w] = true
	}
	return m
}()

// enDateStarts holds every word startsEnDate accepts: enDateWords and the
// month and weekday names, with the length of the longest.
var enDateStarts, enDateStartMax = func() (map[string]struct{}, int) {
	m := map[string]struct{}{}
	longest := 0
	add := func(w string) {
		m[w] = struct{}{}
		longest = max(longest, len(w))
	}
	for w := range enDateWords {
		add(w)
	}
	for w := range words {
		_, month := monthName(w)
		_, weekday := weekdayName(w)
		if month || weekday {
			add(w)
		}
	}
	return m, longest
}()

// startsEnDate reports whether an English date expression can start with
// the lower-cased word w.
func startsEnDate(w string) bool {
	if len(w) > enDateStartMax {
		return false
	}
	_, ok := enDateStarts[w]
	return ok
}

// zhDateStartSet marks the runes of zhDateStarts, one bit per rune of the
// Basic Multilingual Plane.
var zhDateStartSet = func() *[1 << 10]uint64 {
	var set [1 << 10]uint64
	for _, r := range zhDateStarts {
		set[r>>6] |= 1 << (r & 63)
	}
	return &set
}()

// isZhDateStart reports whether r is one of zhDateStarts.
func isZhDateStart(r rune) bool {
	return r < 1<<16 && zhDateStartSet[r>>6]&(1<<(r&63)) != 0
}

func addMonths(d sources.Date, n int) sources.Date {
	if d.IsZero() {
		return d
	}
	if d.Month == 0 {
		return sources.Date{Year: d.Year + floorDiv(n, 12)}
	}
	m := d.Year*12 + d.Month - 1 + n
	return sources.Date{Year: floorDiv(m, 12), Month: m - floorDiv(m, 12)*12 + 1}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// inferYear picks the year of a month (and day) written without one: the
// latest not after the reference.
func (st *Reader) inferYear(month, day int) int {
	st.inferred = true
	y, m, d := st.Ref.Date()
	if month > int(m) || (month == int(m) && day > d) {
		return y - 1
	}
	return y
}

func (st *Reader) refDate() sources.Date { return sources.DateOf(st.Ref) }

// Read returns the dates written in a piece of text, resolved, and moves
// the narrative date along. lower is the text with ASCII letters
// lower-cased, cased the same text with its letters' case (month names
// count only capitalised: "May", not "may").
func (st *Reader) Read(lower, cased string) []Found {
	s, cs := lower, cased
	var out []Found
	add := func(start, end int, d sources.Date, recent, narrative bool) {
		inferred := st.inferred
		st.inferred = false
		if d.IsZero() || d.Year < 1990 || d.Year > 2100 {
			return
		}
		out = append(out, Found{Start: start, End: end, Date: d, Recent: recent, Inferred: inferred})
		if narrative {
			st.narrative = d
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		st.inferred = false
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if i > 0 && (s[i-1] == '.' || s[i-1] == '$' || isLatin(s[i-1])) {
				i = j
				continue
			}
			if end, d, ok := isoDate(s, i, j); ok {
				add(i, end, d, false, true)
				i = end
				continue
			}
			if end, d, ok := zhNumericDate(s, i, j, st); ok {
				add(i, end, d, false, true)
				i = end
				continue
			}
			if end, d, ok := enDayMonth(s, cs, i, j, st); ok {
				add(i, end, d, false, true)
				i = end
				continue
			}
			if j-i == 4 && isYearContext(s, i, j) {
				add(i, j, sources.Date{Year: atoi(s[i:j])}, false, true)
			}
			i = j
		case isLatin(c) && (i == 0 || !isAlnum(s[i-1])):
			j := i
			for j < len(s) && isLatin(s[j]) {
				j++
			}
			if startsEnDate(s[i:j]) {
				if end, d, recent, narrative, ok := enDate(s, cs, i, j, st); ok {
					add(i, end, d, recent, narrative)
					i = end
					continue
				}
			}
			i = j
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(s[i:])
			if isZhDateStart(r) {
				if end, d, recent, narrative, ok := zhWordDate(s, i, st); ok {
					add(i, end, d, recent, narrative)
					i = end
					continue
				}
			}
			i += n
		default:
			i++
		}
	}
	return out
}

// readInt reads digits at i.
func readInt(s string, i int) (n, end int, ok bool) {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' && j-i < 4 {
		j++
	}
	if j == i {
		return 0, i, false
	}
	return atoi(s[i:j]), j, true
}

// isoDate reads 2024-09-04, 2024/9/4 and 2024.09.04 starting at the year
// digits s[i:j].
func isoDate(s string, i, j int) (int, sources.Date, bool) {
	if j-i != 4 || j+1 >= len(s) || !strings.ContainsRune("-/.", rune(s[j])) {
		return 0, sources.Date{}, false
	}
	sep := s[j]
	m, e, ok := readInt(s, j+1)
	if !ok || e-(j+1) > 2 || m < 1 || m > 12 || e >= len(s) || s[e] != sep {
		return 0, sources.Date{}, false
	}
	d, e2, ok := readInt(s, e+1)
	if !ok || e2-(e+1) > 2 || d < 1 || d > 31 || (e2 < len(s) && s[e2] >= '0' && s[e2] <= '9') {
		return 0, sources.Date{}, false
	}
	y := atoi(s[i:j])
	if y < 1990 || y > 2100 {
		return 0, sources.Date{}, false
	}
	return e2, sources.Date{Year: y, Month: m, Day: d}, true
}

// zhNumericDate reads 2021年9月28日, 2021年9月, 2021年, 9月28日, 9月, 3年前,
// 2个月后 starting at the digits s[i:j].
func zhNumericDate(s string, i, j int, st *Reader) (int, sources.Date, bool) {
	rest := s[j:]
	switch {
	case strings.HasPrefix(rest, "年"):
		n := atoi(s[i:j])
		end := j + len("年")
		if j-i == 4 {
			d := sources.Date{Year: n}
			if m, e, ok := readInt(s, end); ok && strings.HasPrefix(s[e:], "月") && m >= 1 && m <= 12 {
				d.Month = m
				end = e + len("月")
				if dd, e2, ok := readInt(s, end); ok && dd >= 1 && dd <= 31 && (strings.HasPrefix(s[e2:], "日") || strings.HasPrefix(s[e2:], "号")) {
					d.Day = dd
					end = e2 + len("日")
				}
			}
			return end, d, true
		}
		if j-i <= 2 && strings.HasPrefix(s[end:], "前") {
			return end + len("前"), sources.Date{Year: st.Ref.Year() - n}, true
		}
		if j-i <= 2 && strings.HasPrefix(s[end:], "后") && !st.narrative.IsZero() {
			return end + len("后"), sources.Date{Year: st.narrative.Year + n}, true
		}
	case strings.HasPrefix(rest, "月") && j-i <= 2:
		m := atoi(s[i:j])
		if m < 1 || m > 12 || (i > 0 && s[i-1] >= '0' && s[i-1] <= '9') {
			return 0, sources.Date{}, false
		}
		end := j + len("月")
		day := 0
		if dd, e, ok := readInt(s, end); ok && dd >= 1 && dd <= 31 && (strings.HasPrefix(s[e:], "日") || strings.HasPrefix(s[e:], "号")) {
			day = dd
			end = e + len("日")
		}
		y := st.inferYear(m, day)
		// A preceding 今年/去年 sets the year; zhWordDate handles that form.
		return end, sources.Date{Year: y, Month: m, Day: day}, true
	case strings.HasPrefix(rest, "个月前") && j-i <= 2:
		return j + len("个月前"), addMonths(st.refDate(), -atoi(s[i:j])), true
	case strings.HasPrefix(rest, "个月后") && j-i <= 2 && !st.narrative.IsZero():
		return j + len("个月后"), addMonths(monthOf(st.narrative), atoi(s[i:j])), true
	case strings.HasPrefix(rest, "日") && j-i <= 2 && i >= len("本月") && strings.HasSuffix(s[:i], "本月"):
		d := st.refDate()
		d.Day = atoi(s[i:j])
		return j + len("日"), d, true
	}
	return 0, sources.Date{}, false
}

func monthOf(d sources.Date) sources.Date {
	if d.Month == 0 {
		return d
	}
	return sources.Date{Year: d.Year, Month: d.Month}
}

// zhWordDate reads 今年3月, 去年9月, 本月13日, 上个月, 近日, 当年, 半年后,
// 三年前 at i.
func zhWordDate(s string, i int, st *Reader) (int, sources.Date, bool, bool, bool) {
	rest := s[i:]
	ref := st.refDate()
	for _, w := range []string{"今年", "去年", "前年", "明年"} {
		off := zhYearOffset[w]
		if strings.HasPrefix(rest, w) {
			end := i + len(w)
			d := sources.Date{Year: ref.Year + off}
			if m, e, ok := readInt(s, end); ok && strings.HasPrefix(s[e:], "月") && m >= 1 && m <= 12 {
				d.Month = m
				end = e + len("月")
				if dd, e2, ok := readInt(s, end); ok && dd >= 1 && dd <= 31 && (strings.HasPrefix(s[e2:], "日") || strings.HasPrefix(s[e2:], "号")) {
					d.Day = dd
					end = e2 + len("日")
				}
			}
			return end, d, false, true, true
		}
	}
	for _, w := range []string{"本月", "这个月", "上个月", "上月", "下个月", "下月"} {
		off := zhMonthOffset[w]
		if strings.HasPrefix(rest, w) {
			end := i + len(w)
			d := addMonths(sources.Date{Year: ref.Year, Month: ref.Month}, off)
			if dd, e, ok := readInt(s, end); ok && dd >= 1 && dd <= 31 && (strings.HasPrefix(s[e:], "日") || strings.HasPrefix(s[e:], "号")) {
				d.Day = dd
				end = e + len("日")
			}
			return end, d, false, true, true
		}
	}
	for _, w := range zhRecent {
		if strings.HasPrefix(rest, w) {
			d := sources.Date{Year: ref.Year, Month: ref.Month}
			return i + len(w), d, true, false, true
		}
	}
	for _, w := range zhNarrative {
		if strings.HasPrefix(rest, w) && !st.narrative.IsZero() {
			return i + len(w), st.narrative, false, false, true
		}
	}
	if strings.HasPrefix(rest, "次月") && !st.narrative.IsZero() {
		return i + len("次月"), addMonths(monthOf(st.narrative), 1), false, true, true
	}
	if strings.HasPrefix(rest, "次年") && !st.narrative.IsZero() {
		return i + len("次年"), sources.Date{Year: st.narrative.Year + 1}, false, true, true
	}
	// 三年前, 两个月后, 半年后, 一个月后.
	r, n := utf8.DecodeRuneInString(rest)
	if v, ok := hanDigits[r]; ok {
		num, end := v, i+n
		if r == '十' {
			if r2, n2 := utf8.DecodeRuneInString(s[end:]); hanDigits[r2] > 0 && r2 != '十' {
				num, end = 10+hanDigits[r2], end+n2
			}
		}
		tail := s[end:]
		half := r == '半'
		switch {
		case strings.HasPrefix(tail, "年前") && !half:
			return end + len("年前"), sources.Date{Year: ref.Year - num}, false, true, true
		case strings.HasPrefix(tail, "年后") && !half && !st.narrative.IsZero():
			return end + len("年后"), sources.Date{Year: st.narrative.Year + num}, false, true, true
		case strings.HasPrefix(tail, "年多后") && !half && !st.narrative.IsZero():
			return end + len("年多后"), sources.Date{Year: st.narrative.Year + num}, false, true, true
		case strings.HasPrefix(tail, "个月前") && !half:
			return end + len("个月前"), addMonths(sources.Date{Year: ref.Year, Month: ref.Month}, -num), false, true, true
		case (strings.HasPrefix(tail, "个月后") || strings.HasPrefix(tail, "个多月后")) && !half && !st.narrative.IsZero():
			e := end + len("个月后")
			if strings.HasPrefix(tail, "个多月后") {
				e = end + len("个多月后")
			}
			return e, addMonths(monthOf(st.narrative), num), false, true, true
		case (strings.HasPrefix(tail, "年后") || strings.HasPrefix(tail, "年多后")) && half && !st.narrative.IsZero():
			e := end + len("年后")
			if strings.HasPrefix(tail, "年多后") {
				e = end + len("年多后")
			}
			return e, sources.Date{Year: addMonths(monthOf(st.narrative), 6).Year}, false, true, true
		}
	}
	return 0, sources.Date{}, false, false, false
}

// isYearContext reports whether the four digits s[i:j] are a year, not an
// amount or a count.
func isYearContext(s string, i, j int) bool {
	n := atoi(s[i:j])
	if n < 1990 || n > 2100 {
		return false
	}
	if j < len(s) && (isAlnum(s[j]) || s[j] == '%' || (s[j] == ',' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') || (s[j] == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9')) {
		return false
	}
	after := strings.TrimLeft(s[j:], " ")
	for _, unit := range []string{"元", "万", "亿", "yuan", "million", "billion", "km", "people", "users", "merchants", "stores", "个", "家", "款", "名", "人", "次"} {
		if strings.HasPrefix(after, unit) {
			return false
		}
	}
	before := s[:i]
	if strings.HasSuffix(before, "$") || strings.HasSuffix(before, "¥") || strings.HasSuffix(before, "us$ ") || strings.HasSuffix(before, "rmb ") {
		return false
	}
	return true
}

// enDayMonth reads "28 September 2021" or "28 Sept" starting at the day
// digits s[i:j].
func enDayMonth(s, cs string, i, j int, st *Reader) (int, sources.Date, bool) {
	if j-i > 2 {
		return 0, sources.Date{}, false
	}
	day := atoi(s[i:j])
	k := j
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if strings.HasPrefix(s[k:], suf) {
			k += 2
			break
		}
	}
	if day < 1 || day > 31 || k >= len(s) || s[k] != ' ' {
		return 0, sources.Date{}, false
	}
	w, e := word(s, k+1)
	m, ok := monthName(w)
	if !ok || !isUpper(cs[k+1]) {
		return 0, sources.Date{}, false
	}
	e = skipDot(s, e)
	if y, e2, ok := yearAfter(s, e); ok {
		return e2, sources.Date{Year: y, Month: m, Day: day}, true
	}
	return e, sources.Date{Year: st.inferYear(m, day), Month: m, Day: day}, true
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }

// word returns the Latin word starting at i and its end.
func word(s string, i int) (string, int) {
	j := i
	for j < len(s) && isLatin(s[j]) {
		j++
	}
	return s[i:j], j
}

func skipDot(s string, i int) int {
	if i < len(s) && s[i] == '.' {
		return i + 1
	}
	return i
}

// yearAfter reads ", 2021" or " 2021" at i.
func yearAfter(s string, i int) (int, int, bool) {
	k := i
	if k < len(s) && s[k] == ',' {
		k++
	}
	if k < len(s) && s[k] == ' ' {
		k++
	}
	if k+4 <= len(s) && isYearContext(s, k, k+4) && (k+4 == len(s) || !isAlnum(s[k+4])) {
		allDigits := true
		for x := k; x < k+4; x++ {
			allDigits = allDigits && s[x] >= '0' && s[x] <= '9'
		}
		if allDigits {
			return atoi(s[k : k+4]), k + 4, true
		}
	}
	return 0, i, false
}

// prevWord returns the Latin word before byte i (skipping one space).
func prevWord(s string, i int) string {
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	k := j
	for k > 0 && isLatin(s[k-1]) {
		k--
	}
	return s[k:j]
}

// enDate reads an English date expression starting with the word s[i:j]:
// month names (September 17, Sept 28 2021, March 2022, February of that
// year), weekdays, "last year", "two months later", "three years ago",
// "recently".
func enDate(s, cs string, i, j int, st *Reader) (end int, d sources.Date, recent, narrative, ok bool) {
	w := s[i:j]
	ref := st.refDate()
	pw := prevWord(s, i)
	if m, isMonth := monthName(w); isMonth && isUpper(cs[i]) {
		e := skipDot(s, j)
		if w == "may" || w == "mar" || w == "jan" || w == "jun" {
			// Only a month when a number follows or a date word precedes.
			if !(e+1 < len(s) && s[e] == ' ' && s[e+1] >= '0' && s[e+1] <= '9') && !oneOf(pw, "in", "since", "of", "until", "by", "last", "this", "next", "early", "late", "mid", "from", "during", "end", "before", "after") {
				return 0, d, false, false, false
			}
		}
		year, day := 0, 0
		if e+1 < len(s) && s[e] == ' ' && s[e+1] >= '0' && s[e+1] <= '9' {
			if n, e2, okn := readInt(s, e+1); okn && e2-(e+1) <= 2 && n >= 1 && n <= 31 && (e2 == len(s) || !isAlnum(s[e2]) || strings.HasPrefix(s[e2:], "st") || strings.HasPrefix(s[e2:], "nd") || strings.HasPrefix(s[e2:], "rd") || strings.HasPrefix(s[e2:], "th")) {
				day = n
				e = e2
				for _, suf := range []string{"st", "nd", "rd", "th"} {
					if strings.HasPrefix(s[e:], suf) {
						e += 2
						break
					}
				}
			}
		}
		if y, e2, oky := yearAfter(s, e); oky {
			year, e = y, e2
		} else if rest := s[e:]; strings.HasPrefix(rest, " of that year") || strings.HasPrefix(rest, " of the same year") || strings.HasPrefix(rest, " that year") {
			if !st.narrative.IsZero() {
				year = st.narrative.Year
			}
			e += strings.Index(rest, "year") + len("year")
		} else if strings.HasPrefix(rest, " of this year") || strings.HasPrefix(rest, " this year") {
			year = ref.Year
			e += strings.Index(rest, "year") + len("year")
		} else if strings.HasPrefix(rest, " of last year") || strings.HasPrefix(rest, " last year") {
			year = ref.Year - 1
			e += strings.Index(rest, "year") + len("year")
		} else if pw == "last" {
			year = ref.Year - 1
			if m < ref.Month {
				year = ref.Year
			}
			// "last November" said in March means the November before.
			if m >= ref.Month {
				year = ref.Year - 1
			}
		} else if pw == "this" {
			year = ref.Year
		} else if pw == "next" {
			year = ref.Year + 1
		}
		if year == 0 {
			year = st.inferYear(m, day)
		}
		return e, sources.Date{Year: year, Month: m, Day: day}, false, true, true
	}
	if wd, isDay := weekdayName(w); isDay && isUpper(cs[i]) {
		t := st.Ref
		for t.Weekday() != wd {
			t = t.AddDate(0, 0, -1)
		}
		return j, sources.DateOf(t), true, true, true
	}
	next, e := word(s, skipSpace(s, j))
	switch w {
	case "yesterday":
		return j, sources.DateOf(st.Ref.AddDate(0, 0, -1)), true, true, true
	case "today", "tonight":
		return j, ref, true, true, true
	case "recently":
		return j, sources.Date{Year: ref.Year, Month: ref.Month}, true, false, true
	case "last", "this", "next", "earlier", "later":
		off := map[string]int{"last": -1, "this": 0, "next": 1, "earlier": 0, "later": 0}[w]
		if w == "earlier" || w == "later" {
			if next != "this" {
				return 0, d, false, false, false
			}
			next, e = word(s, skipSpace(s, e))
		}
		switch next {
		case "year":
			return e, sources.Date{Year: ref.Year + off}, false, true, true
		case "month":
			return e, addMonths(sources.Date{Year: ref.Year, Month: ref.Month}, off), false, true, true
		case "week":
			wk := sources.DateOf(st.Ref.AddDate(0, 0, 7*off))
			return e, sources.Date{Year: wk.Year, Month: wk.Month}, off == 0, true, true
		}
	case "that", "the":
		if w == "the" && (next == "same" || next == "following" || next == "next") {
			n2, e2 := word(s, skipSpace(s, e))
			if st.narrative.IsZero() {
				return 0, d, false, false, false
			}
			switch {
			case n2 == "year" && next == "same":
				return e2, sources.Date{Year: st.narrative.Year}, false, true, true
			case n2 == "year":
				return e2, sources.Date{Year: st.narrative.Year + 1}, false, true, true
			case n2 == "month" && next != "same":
				return e2, addMonths(monthOf(st.narrative), 1), false, true, true
			}
			return 0, d, false, false, false
		}
		if w == "that" && next == "year" && !st.narrative.IsZero() {
			return e, sources.Date{Year: st.narrative.Year}, false, true, true
		}
	}
	// "two months later", "three years ago", "half a year later",
	// "more than half a year later".
	k := i
	if w == "more" && next == "than" {
		k = skipSpace(s, e)
		w, j = word(s, k)
		next, e = word(s, skipSpace(s, j))
	}
	n, isNum := numberWords[w]
	half := w == "half" && next == "a"
	if half {
		next, e = word(s, skipSpace(s, e))
	}
	if !isNum && !half {
		if v, e2, okn := readInt(s, k); okn && e2-k <= 2 {
			n, isNum = v, true
			next, e = word(s, skipSpace(s, e2))
		}
	}
	if !isNum && !half {
		return 0, d, false, false, false
	}
	unit := strings.TrimSuffix(next, "s")
	if unit != "year" && unit != "month" && unit != "week" {
		return 0, d, false, false, false
	}
	dir, e3 := word(s, skipSpace(s, e))
	months := n
	if unit == "year" {
		months = 12 * n
	}
	if unit == "week" {
		months = 0
	}
	if half {
		months = 6
	}
	switch dir {
	case "ago":
		base := sources.Date{Year: ref.Year, Month: ref.Month}
		r := addMonths(base, -months)
		if unit == "year" || half {
			r = sources.Date{Year: r.Year}
		}
		return e3, r, false, true, true
	case "later", "after":
		if st.narrative.IsZero() {
			return 0, d, false, false, false
		}
		base := monthOf(st.narrative)
		r := addMonths(base, months)
		if base.Month == 0 || unit == "year" || half {
			r = sources.Date{Year: r.Year}
		}
		return e3, r, false, true, true
	}
	return 0, d, false, false, false
}

func skipSpace(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

func oneOf(s string, list ...string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

func isLatin(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

func isAlnum(b byte) bool { return isLatin(b) || '0' <= b && b <= '9' }

func monthsBefore(a, b sources.Date) int { return (a.Year*12 + a.Month) - (b.Year*12 + b.Month) }
