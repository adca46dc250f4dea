// Package dates reads the dates news pages, feeds and listings write: RFC
// 3339 and RFC 1123 stamps, numeric forms (2024-09-04, 2024/9/4, 04.09.2024,
// 20240904), Chinese forms (2024年9月4日 星期三 10:30) and written-out English
// and European forms (Sept. 4, 2024; 4 September 2024; 4. September 2024 um
// 10:30 Uhr), with or without a label (发布时间：…, Published: …).
//
// Parse reads one date; FindAll finds every date in free text with its
// precision (year, month or day); a Reader reads running text as a story
// does, resolving relative dates ("last year", "11 years ago", "on
// Tuesday", 去年, 上个月) against a reference and the date last stated
// ("that year", 次年). Years outside 1990–2100 are not dates.
// "CST" is China Standard Time (UTC+8), as Chinese sources mean it.
package dates

import (
	"time"

	"github.com/wallwatch/worker/sources"
)

// MinYear and MaxYear bound the years read as dates.
const (
	MinYear = 1990
	MaxYear = 2100
)

// Precision is how much of a date the text gives.
type Precision uint8

// The precisions of a Match.
const (
	Year Precision = iota + 1
	Month
	Day
)

// String names the precision.
func (p Precision) String() string {
	switch p {
	case Year:
		return "year"
	case Month:
		return "month"
	case Day:
		return "day"
	}
	return "unknown"
}

// Match is a date found in text.
type Match struct {
	Start, End int       // byte span of the date in the text
	Time       time.Time // the instant written, or the first instant of the day, month or year; in the written offset or the given location
	Precision  Precision
	HasTime    bool // a time of day was written
	HasZone    bool // an offset or zone was written
}

// Date returns the match as a calendar date of its precision, in the
// written offset.
func (m Match) Date() sources.Date {
	if m.Time.IsZero() {
		return sources.Date{}
	}
	d := sources.DateOf(m.Time)
	switch m.Precision {
	case Year:
		d.Month, d.Day = 0, 0
	case Month:
		d.Day = 0
	}
	return d
}

// Parse reads one date or date-time as news pages, feeds and listings write
// it. A value without an offset is read in loc (nil means UTC). Text around
// the date, such as a label, is allowed; the first date with a day wins. It
// returns ok=false when s holds no date.
func Parse(s string, loc *time.Location) (t time.Time, ok bool) {
	if loc == nil {
		loc = time.UTC
	}
	var buf [32]token
	m := matcher{s: s, toks: tokenize(s, maxTokens, buf[:0]), loc: loc}
	if p, ok := m.compact(); ok {
		return p.time(loc), true
	}
	for i := 0; i < len(m.toks); i++ {
		if p, ok := m.at(i); ok && p.prec == Day {
			return p.time(loc), true
		}
	}
	return time.Time{}, false
}

// FindAll returns the dates written in free text (English, Chinese and the
// main European languages), in order, each with its byte span and
// precision, e.g. "2021年9月" (month), "in September 2021" (month), "Sept.
// 17, 2021" (day), "in 2021" (year). Bare numbers are years only after a
// word such as "in", "since" or "by", or before 年. Values without an offset
// are read in loc (nil means UTC).
func FindAll(text string, loc *time.Location) []Match {
	if loc == nil {
		loc = time.UTC
	}
	var buf [64]token
	m := matcher{s: text, toks: tokenize(text, 0, buf[:0]), loc: loc, find: true}
	var out []Match
	for i := 0; i < len(m.toks); {
		p, ok := m.at(i)
		if !ok {
			i++
			continue
		}
		out = append(out, Match{
			Start:     m.toks[i].start,
			End:       m.toks[p.end-1].end,
			Time:      p.time(loc),
			Precision: p.prec,
			HasTime:   p.hasTime,
			HasZone:   p.zone != nil,
		})
		i = p.end
	}
	return out
}

// parsed is a date read from tokens.
type parsed struct {
	y, mo, d       int
	hh, mi, ss, ns int
	hasTime        bool
	zone           *time.Location // nil when the text gives none
	prec           Precision
	end            int // index of the first token after the date
}

func (p parsed) time(loc *time.Location) time.Time {
	if p.zone != nil {
		loc = p.zone
	}
	mo, d := p.mo, p.d
	if mo == 0 {
		mo = 1
	}
	if d == 0 {
		d = 1
	}
	return time.Date(p.y, time.Month(mo), d, p.hh, p.mi, p.ss, p.ns, loc)
}

// matcher reads dates from the tokens of s.
type matcher struct {
	s    string
	toks []token
	loc  *time.Location
	find bool // free text: stricter about bare numbers and offsets
	wbuf [32]byte
}

func (m *matcher) tok(i int) (token, bool) {
	if i < 0 || i >= len(m.toks) {
		return token{}, false
	}
	return m.toks[i], true
}

func (m *matcher) num(i, minDig, maxDig int) (int, bool) {
	t, ok := m.tok(i)
	if !ok || t.kind != tkNum || t.ndig < minDig || t.ndig > maxDig || t.num < 0 {
		return 0, false
	}
	return t.num, true
}

func (m *matcher) punct(i int, rs ...rune) (rune, bool) {
	t, ok := m.tok(i)
	if !ok || t.kind != tkPunct {
		return 0, false
	}
	for _, r := range rs {
		if t.r == r {
			return r, true
		}
	}
	return 0, false
}

func (m *matcher) han(i int, rs ...rune) bool {
	t, ok := m.tok(i)
	if !ok || t.kind != tkHan {
		return false
	}
	for _, r := range rs {
		if t.r == r {
			return true
		}
	}
	return false
}

func (m *matcher) word(i int) (wordInfo, bool) {
	t, ok := m.tok(i)
	if !ok || t.kind != tkWord {
		return wordInfo{}, false
	}
	return lookupWord(lowerWord(m.s, t, m.wbuf[:0]))
}

func (m *matcher) wordIs(i int, w string) bool {
	t, ok := m.tok(i)
	if !ok || t.kind != tkWord || t.end-t.start > len(m.wbuf) {
		return false
	}
	return string(lowerWord(m.s, t, m.wbuf[:0])) == w
}

func validYear(y int) bool { return y >= MinYear && y <= MaxYear }

func daysIn(y, mo int) int {
	return time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func validDate(y, mo, d int) bool {
	return validYear(y) && mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo)
}

// joined reports whether token i directly follows token i-1 (no space).
func (m *matcher) joined(i int) bool {
	t, ok := m.tok(i)
	return ok && !t.space
}

// compact reads a whole-string YYYYMMDD[THHMM[SS]][Z|±HHMM] or
// YYYYMMDDHHMM[SS] value.
func (m *matcher) compact() (parsed, bool) {
	if len(m.toks) == 0 {
		return parsed{}, false
	}
	t := m.toks[0]
	if t.kind != tkNum || (t.ndig != 8 && t.ndig != 12 && t.ndig != 14) {
		return parsed{}, false
	}
	digits := m.s[t.start:t.end]
	if t.ndig != len(digits) {
		return parsed{}, false // full-width digits: keep to the general path
	}
	p := parsed{y: atoi(digits[0:4]), mo: atoi(digits[4:6]), d: atoi(digits[6:8]), prec: Day, end: 1}
	if !validDate(p.y, p.mo, p.d) {
		return parsed{}, false
	}
	if t.ndig >= 12 {
		p.hh, p.mi = atoi(digits[8:10]), atoi(digits[10:12])
		if t.ndig == 14 {
			p.ss = atoi(digits[12:14])
		}
		p.hasTime = true
	} else if m.wordIs(1, "t") && m.joined(1) {
		if c, ok := m.tok(2); ok && c.kind == tkNum && (c.ndig == 4 || c.ndig == 6) && c.ndig == c.end-c.start && !c.space {
			ds := m.s[c.start:c.end]
			p.hh, p.mi = atoi(ds[0:2]), atoi(ds[2:4])
			if c.ndig == 6 {
				p.ss = atoi(ds[4:6])
			}
			p.hasTime = true
			p.end = 3
		}
	}
	if p.hasTime {
		if p.hh > 23 || p.mi > 59 || p.ss > 60 {
			return parsed{}, false
		}
		if p.ss == 60 {
			p.ss = 59
		}
		if z, end, ok := m.zone(p.end, true); ok {
			p.zone, p.end = z, end
		}
	}
	if p.end != len(m.toks) {
		return parsed{}, false
	}
	return p, true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// at reads a date starting at token i.
func (m *matcher) at(i int) (parsed, bool) {
	t := m.toks[i]
	switch t.kind {
	case tkNum:
		if t.ndig == 4 {
			if p, ok := m.yearFirst(i); ok {
				return p, true
			}
		}
		if t.ndig <= 2 {
			if p, ok := m.dayFirstNumeric(i); ok {
				return p, true
			}
			if p, ok := m.dayFirstNamed(i); ok {
				return p, true
			}
		}
	case tkWord:
		return m.monthFirst(i)
	}
	return parsed{}, false
}

// yearFirst reads 2024-09-04, 2024/9/4, 2024.09.04, 2024年9月4日 and, in free
// text, 2024年9月 and 2024年 or a bare year after a context word.
func (m *matcher) yearFirst(i int) (parsed, bool) {
	y := m.toks[i].num
	if !validYear(y) {
		return parsed{}, false
	}
	// Part of a longer number or version (1.2024.09, 12-2024-…): not a date.
	if _, ok := m.punct(i-1, '.', '-', '/', ':'); ok && m.joined(i) {
		if _, ok := m.num(i-2, 1, 9); ok && m.joined(i-1) {
			return parsed{}, false
		}
	}
	if sep, ok := m.punct(i+1, '-', '/', '.'); ok && m.joined(i+1) && m.joined(i+2) {
		mo, ok1 := m.num(i+2, 1, 2)
		_, ok2 := m.punct(i+3, sep)
		d, ok3 := m.num(i+4, 1, 2)
		if ok1 && ok2 && ok3 && m.joined(i+3) && m.joined(i+4) && validDate(y, mo, d) {
			// 2024-09-04-5 or 2024.09.04.1: a longer number, not a date.
			if _, more := m.punct(i+5, sep); more && m.joined(i+5) {
				if _, ok := m.num(i+6, 1, 9); ok && m.joined(i+6) {
					return parsed{}, false
				}
			}
			p := parsed{y: y, mo: mo, d: d, prec: Day, end: i + 5}
			m.timeAfter(&p, true)
			return p, true
		}
	}
	if m.han(i+1, '年') {
		mo, ok := m.num(i+2, 1, 2)
		if ok && m.han(i+3, '月') && mo >= 1 && mo <= 12 {
			if d, ok := m.num(i+4, 1, 2); ok && m.han(i+5, '日', '号', '號') && validDate(y, mo, d) {
				p := parsed{y: y, mo: mo, d: d, prec: Day, end: i + 6}
				m.skipWeekday(&p)
				m.timeAfter(&p, false)
				return p, true
			}
			if m.find {
				return parsed{y: y, mo: mo, prec: Month, end: i + 4}, true
			}
			return parsed{}, false
		}
		if m.find {
			return parsed{y: y, prec: Year, end: i + 2}, true
		}
		return parsed{}, false
	}
	if m.find && m.yearContext(i) && !m.continuesNumber(i+1) {
		return parsed{y: y, prec: Year, end: i + 1}, true
	}
	return parsed{}, false
}

// yearContext reports whether the token before i makes a bare year a date:
// "in 2021", "since 2013", "mid-2021".
func (m *matcher) yearContext(i int) bool {
	if wi, ok := m.word(i - 1); ok && (wi.class == wcYearCtx || wi.class == wcOf) {
		return true
	}
	if _, ok := m.punct(i-1, '-'); ok && m.joined(i) {
		if wi, ok := m.word(i - 2); ok && wi.class == wcYearCtx {
			return true
		}
	}
	return false
}

// continuesNumber reports whether token i glues more digits or units to the
// number before it (2021-22, 2021.5, 2021%).
func (m *matcher) continuesNumber(i int) bool {
	t, ok := m.tok(i)
	if !ok || t.space {
		return false
	}
	switch t.kind {
	case tkNum, tkWord:
		return true
	case tkPunct:
		switch t.r {
		case '%', '-', '/', '.', ':', '+':
			_, num := m.num(i+1, 1, 20)
			return t.r == '%' || (num && m.joined(i+1))
		}
	}
	return false
}

// dayFirstNumeric reads 04.09.2024, 30.10.23, 4/9/2024 (month first unless
// the first number exceeds 12) and 04-09-2024.
func (m *matcher) dayFirstNumeric(i int) (parsed, bool) {
	a := m.toks[i].num
	sep, ok := m.punct(i+1, '.', '/', '-')
	if !ok || !m.joined(i+1) || !m.joined(i+2) {
		return parsed{}, false
	}
	b, ok1 := m.num(i+2, 1, 2)
	_, ok2 := m.punct(i+3, sep)
	y, ok3 := m.num(i+4, 4, 4)
	if yy, ok := m.num(i+4, 2, 2); !ok3 && ok && sep == '.' {
		y, ok3 = 2000+yy, true // 30.10.23: two-digit years only with dots, as written in German
	}
	if !ok1 || !ok2 || !ok3 || !m.joined(i+3) || !m.joined(i+4) {
		return parsed{}, false
	}
	if m.continuesNumber(i + 5) {
		if _, ok := m.punct(i+5, '.'); !ok || m.joined(i+6) {
			return parsed{}, false
		}
	}
	if _, ok := m.punct(i-1, '.', '/', '-'); ok && m.joined(i) {
		if _, ok := m.num(i-2, 1, 9); ok && m.joined(i-1) {
			return parsed{}, false // 1.04.09.2024: part of something longer
		}
	}
	d, mo := a, b
	if sep == '/' && a <= 12 && b > 12 {
		d, mo = b, a
	} else if sep == '/' && a <= 12 {
		d, mo = b, a // US order when both could be months
	}
	if !validDate(y, mo, d) {
		return parsed{}, false
	}
	p := parsed{y: y, mo: mo, d: d, prec: Day, end: i + 5}
	m.timeAfter(&p, false)
	return p, true
}

// dayFirstNamed reads 4 September 2024, 04 Sep 2024 10:30:00 +0800, 4.
// September 2024, 4th of September, 2024, 4 de septiembre de 2024 and
// 04-Sep-2024.
func (m *matcher) dayFirstNamed(i int) (parsed, bool) {
	d := m.toks[i].num
	if d < 1 || d > 31 {
		return parsed{}, false
	}
	j := i + 1
	if _, ok := m.punct(j, '.', '-'); ok {
		j++
	}
	if wi, ok := m.word(j); ok && wi.class == wcOrdinal && m.joined(j) {
		j++
	}
	if wi, ok := m.word(j); ok && wi.class == wcOf {
		j++
	}
	mw, ok := m.word(j)
	if !ok || mw.class != wcMonth {
		return parsed{}, false
	}
	j++
	if _, ok := m.punct(j, '.'); ok && m.joined(j) {
		j++
	}
	if _, ok := m.punct(j, ',', '-'); ok {
		j++
	}
	if wi, ok := m.word(j); ok && wi.class == wcOf {
		j++
	}
	y, ok := m.num(j, 4, 4)
	if !ok {
		// RFC 822 two-digit year, only when a time follows.
		yy, ok2 := m.num(j, 2, 2)
		_, colon := m.punct(j+2, ':')
		if !ok2 || !colon || m.find {
			return parsed{}, false
		}
		y = 2000 + yy
		if yy >= 90 {
			y = 1900 + yy
		}
	}
	if m.continuesNumber(j+1) && !m.isTimeAt(j+1) {
		if _, ok := m.punct(j+1, ',', '.'); !ok {
			return parsed{}, false
		}
	}
	if !validDate(y, mw.val, d) {
		return parsed{}, false
	}
	p := parsed{y: y, mo: mw.val, d: d, prec: Day, end: j + 1}
	m.timeAfter(&p, false)
	return p, true
}

// monthFirst reads Sep 4, 2024, September 4th 2024 10:30 AM, Sept. 17, 2021,
// Sep 4 10:30:00 2024 and, in free text, September 2021.
func (m *matcher) monthFirst(i int) (parsed, bool) {
	mw, ok := m.word(i)
	if !ok || mw.class != wcMonth {
		return parsed{}, false
	}
	j := i + 1
	if _, ok := m.punct(j, '.'); ok && m.joined(j) {
		j++
	}
	if d, ok := m.num(j, 1, 2); ok && d >= 1 && d <= 31 {
		k := j + 1
		if wi, ok := m.word(k); ok && wi.class == wcOrdinal && m.joined(k) {
			k++
		}
		if _, ok := m.punct(k, ',', '.'); ok {
			k++
		}
		if y, ok := m.num(k, 4, 4); ok && validDate(y, mw.val, d) && !m.continuesNumber(k+1) {
			p := parsed{y: y, mo: mw.val, d: d, prec: Day, end: k + 1}
			m.timeAfter(&p, false)
			return p, true
		}
		// asctime: Sep 4 10:30:00 2024
		p := parsed{mo: mw.val, d: d, end: j + 1}
		if m.timeAfter(&p, false) {
			if y, ok := m.num(p.end, 4, 4); ok && validDate(y, mw.val, d) {
				p.y, p.prec = y, Day
				p.end++
				if z, end, ok := m.zone(p.end, false); ok && p.zone == nil {
					p.zone, p.end = z, end
				}
				return p, true
			}
		}
		return parsed{}, false
	}
	if !m.find || mw.weak {
		return parsed{}, false
	}
	k := j
	if _, ok := m.punct(k, ','); ok {
		k++
	}
	if y, ok := m.num(k, 4, 4); ok && validYear(y) && !m.continuesNumber(k+1) {
		return parsed{y: y, mo: mw.val, prec: Month, end: k + 1}, true
	}
	return parsed{}, false
}

// skipWeekday moves past a weekday written after a Chinese date: 星期三,
// 周三, 礼拜三, possibly in brackets.
func (m *matcher) skipWeekday(p *parsed) {
	j := p.end
	open := false
	if _, ok := m.punct(j, '(', '（'); ok {
		open = true
		j++
	}
	switch {
	case m.han(j, '星') && m.han(j+1, '期'):
		j += 2
	case m.han(j, '礼', '禮') && m.han(j+1, '拜'):
		j += 2
	case m.han(j, '周', '週'):
		j++
	default:
		return
	}
	if !m.han(j, '一', '二', '三', '四', '五', '六', '日', '天') {
		return
	}
	j++
	if open {
		if _, ok := m.punct(j, ')', '）'); !ok {
			return
		}
		j++
	}
	p.end = j
}

// isTimeAt reports whether a clock time (H:MM) starts at token i.
func (m *matcher) isTimeAt(i int) bool {
	_, ok1 := m.num(i, 1, 2)
	_, ok2 := m.punct(i+1, ':')
	_, ok3 := m.num(i+2, 2, 2)
	return ok1 && ok2 && ok3
}

// timeAfter reads a time of day (and zone) after the date ending at p.end,
// updating p when there is one. iso allows the RFC 3339 'T' separator.
func (m *matcher) timeAfter(p *parsed, iso bool) bool {
	j := p.end
	isoT := false
	if iso && m.wordIs(j, "t") && m.joined(j) && m.joined(j+1) {
		j++
		isoT = true
	} else {
		// Up to two joining tokens: ",", "|", "-", "·", "at", "um", "à" …
		for k := 0; k < 2; k++ {
			if _, ok := m.punct(j, ',', '|', '-', '·', '/', '@', '–', '—'); ok {
				j++
				continue
			}
			if wi, ok := m.word(j); ok && wi.class == wcAt {
				j++
				continue
			}
			break
		}
	}
	pm, am := false, false
	if m.han(j, '上', '早', '凌') && m.han(j+1, '午', '上', '晨') {
		am = true
		j += 2
	} else if m.han(j, '下', '晚', '傍') && m.han(j+1, '午', '上', '间', '間', '晚') {
		pm = true
		j += 2
	} else if m.han(j, '中') && m.han(j+1, '午') {
		j += 2
		if hh, ok := m.num(j, 1, 2); ok && hh <= 2 {
			pm = true
		}
	}
	hh, ok := m.num(j, 1, 2)
	if !ok || hh > 24 {
		return false
	}
	var mi, ss, ns int
	hasSec := false
	k := j + 1
	switch {
	case m.isColon(k) && m.joined(k):
		v, ok := m.num(k+1, 2, 2)
		if !ok || v > 59 || !m.joined(k+1) {
			return false
		}
		mi = v
		k += 2
		if m.isColon(k) && m.joined(k) {
			if v, ok := m.num(k+1, 2, 2); ok && v <= 60 && m.joined(k+1) {
				ss, hasSec = v, true
				k += 2
				if _, ok := m.punct(k, '.', ','); ok && m.joined(k) && m.joined(k+1) {
					if f, ok := m.tok(k + 1); ok && f.kind == tkNum {
						ns = fraction(m.s[f.start:f.end])
						k += 2
					}
				}
			}
		}
	case m.han(k, '时', '時', '点', '點'):
		k++
		if v, ok := m.num(k, 1, 2); ok && v <= 59 && m.han(k+1, '分') {
			mi = v
			k += 2
			if v, ok := m.num(k, 1, 2); ok && v <= 60 && m.han(k+1, '秒') {
				ss, hasSec = v, true
				k += 2
			}
		}
	case m.wordIs(k, "h") && m.joined(k):
		k++
		if v, ok := m.num(k, 2, 2); ok && v <= 59 && m.joined(k) {
			mi = v
			k++
		}
	case m.isDot(k) && m.joined(k):
		// 10.30 Uhr
		v, ok := m.num(k+1, 2, 2)
		if !ok || v > 59 || !m.wordIs(k+2, "uhr") {
			return false
		}
		mi = v
		k += 2
	default:
		return false
	}
	// am/pm markers: AM, pm, a.m., p.m.
	if wi, ok := m.word(k); ok && (wi.class == wcAM || wi.class == wcPM) {
		if wi.class == wcPM {
			pm = true
		} else {
			am = true
		}
		k++
	} else if (m.wordIs(k, "a") || m.wordIs(k, "p")) && m.isDot(k+1) && m.wordIs(k+2, "m") {
		if m.wordIs(k, "p") {
			pm = true
		} else {
			am = true
		}
		k += 3
		if m.isDot(k) && m.joined(k) {
			k++
		}
	}
	if pm || am {
		if hh < 1 || hh > 12 {
			if !(hh > 12 && pm) && !(hh == 0 && am) {
				return false
			}
		}
		if pm && hh < 12 {
			hh += 12
		}
		if am && hh == 12 {
			hh = 0
		}
	}
	if wi, ok := m.word(k); ok && wi.class == wcClock {
		k++
	}
	if hh == 24 {
		if mi != 0 || ss != 0 {
			return false
		}
		hh = 23
		mi, ss = 59, 59
	}
	if ss == 60 {
		ss = 59
	}
	p.hh, p.mi, p.ss, p.ns, p.hasTime, p.end = hh, mi, ss, ns, true, k
	if z, end, ok := m.zone(k, isoT || hasSec || !m.find); ok {
		p.zone, p.end = z, end
	}
	return true
}

func (m *matcher) isColon(i int) bool { _, ok := m.punct(i, ':'); return ok }
func (m *matcher) isDot(i int) bool   { _, ok := m.punct(i, '.'); return ok }

// fraction converts the digits after a decimal point to nanoseconds.
func fraction(ds string) int {
	ns, scale := 0, 100000000
	for i := 0; i < len(ds) && scale > 0; i++ {
		c := ds[i]
		if c < '0' || c > '9' {
			break
		}
		ns += int(c-'0') * scale
		scale /= 10
	}
	return ns
}

// zone reads an offset or zone name at token i: Z, UTC, GMT+8, UTC+08:00,
// +0800, -05:00, CST, (CST), 北京时间. numeric allows a bare ±HH:MM, which in
// free text is read only right after a time with seconds or an ISO 'T'.
func (m *matcher) zone(i int, numeric bool) (*time.Location, int, bool) {
	open := false
	j := i
	if _, ok := m.punct(j, '('); ok {
		open = true
		j++
	}
	closeAt := func(loc *time.Location, end int) (*time.Location, int, bool) {
		if open {
			if _, ok := m.punct(end, ')'); !ok {
				return nil, 0, false
			}
			end++
		}
		return loc, end, true
	}
	if m.han(j, '北') && m.han(j+1, '京') && m.han(j+2, '时', '時') && m.han(j+3, '间', '間') {
		return closeAt(fixed(8*hour), j+4)
	}
	if wi, ok := m.word(j); ok && wi.class == wcZone {
		t := m.toks[j]
		name := m.s[t.start:t.end]
		isUTC := wi.val == 0 && (len(name) <= 3)
		if isUTC {
			// GMT+8, UTC+08:00, UTC-5
			if off, end, ok := m.offset(j+1, true); ok && m.joined(j+1) {
				return closeAt(fixed(off), end)
			}
		}
		if len(name) == 1 && !m.joined(j) {
			return nil, 0, false // a lone "Z" after a space is not a zone
		}
		return closeAt(fixed(wi.val), j+1)
	}
	if numeric || open {
		if off, end, ok := m.offset(j, false); ok {
			return closeAt(fixed(off), end)
		}
	}
	return nil, 0, false
}

// offset reads ±HH, ±H, ±HHMM or ±HH:MM at token i. short allows ±H and ±HH
// alone (after GMT/UTC).
func (m *matcher) offset(i int, short bool) (int, int, bool) {
	sign, ok := m.punct(i, '+', '-', '−')
	if !ok || !m.joined(i+1) {
		return 0, 0, false
	}
	t, ok := m.tok(i + 1)
	if !ok || t.kind != tkNum || t.num < 0 {
		return 0, 0, false
	}
	var hh, mm, end int
	switch {
	case t.ndig == 4:
		hh, mm, end = t.num/100, t.num%100, i+2
	case t.ndig <= 2 && m.isColon(i+2) && m.joined(i+2):
		v, ok := m.num(i+3, 2, 2)
		if !ok {
			return 0, 0, false
		}
		hh, mm, end = t.num, v, i+4
		if m.isColon(end) {
			return 0, 0, false // a time range, not an offset
		}
	case t.ndig == 2 || (short && t.ndig == 1):
		hh, end = t.num, i+2
	default:
		return 0, 0, false
	}
	if hh > 14 || mm > 59 {
		return 0, 0, false
	}
	off := hh*hour + mm*60
	if sign != '+' {
		off = -off
	}
	return off, end, true
}

var utcOffsets = func() map[int]*time.Location {
	m := map[int]*time.Location{0: time.UTC}
	for _, h := range []int{-8, -7, -6, -5, -4, 1, 2, 3, 8, 9} {
		m[h*hour] = time.FixedZone("", h*hour)
	}
	return m
}()

// fixed returns a location for an offset, sharing the common ones.
func fixed(off int) *time.Location {
	if l, ok := utcOffsets[off]; ok {
		return l
	}
	return time.FixedZone("", off)
}
