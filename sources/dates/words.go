package dates

// wordClass is what a word means to a date.
type wordClass uint8

const (
	wcMonth   wordClass = iota + 1 // val: month 1–12
	wcWeekday                      // ignored inside a date
	wcAM
	wcPM
	wcZone    // val: offset east of UTC in seconds
	wcOrdinal // st, nd, rd, th after a day number
	wcAt      // joins a date to its time: at, um, à …
	wcOf      // joins day, month and year: of, de, del …
	wcYearCtx // words after which a bare year is a date: in, since …
	wcClock   // Uhr, h: follows or splits a time of day
)

type wordInfo struct {
	class wordClass
	val   int
	weak  bool // a month abbreviation that is also a common word: only read with a day
}

const hour = 3600

// words maps lower-case words (English, German, French, Spanish, Italian,
// Portuguese, Dutch) to their meaning.
var words = func() map[string]wordInfo {
	m := map[string]wordInfo{}
	months := [][]string{
		{"january", "jan", "januar", "jänner", "janvier", "enero", "ene", "gennaio", "gen", "janeiro", "januari"},
		{"february", "feb", "febr", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "fevereiro", "fev", "februari"},
		{"march", "mar", "märz", "maerz", "mär", "mrz", "mars", "marzo", "março", "marco", "maart", "mrt"},
		{"april", "apr", "avril", "avr", "abril", "abr", "aprile"},
		{"may", "mai", "mayo", "maggio", "mag", "maio", "mei"},
		{"june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"},
		{"july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"},
		{"august", "aug", "août", "aout", "agosto", "ago", "augustus"},
		{"september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set", "setembro"},
		{"october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"},
		{"november", "nov", "novembre", "noviembre", "novembro"},
		{"december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro"},
	}
	weak := map[string]bool{
		"set": true, "out": true, "ago": true, "gen": true, "mag": true, "dic": true, "ene": true,
		"ott": true, "lug": true, "giu": true, "fev": true, "abr": true, "dez": true, "mei": true,
	}
	// Arabic month names as Egyptian and Gulf news sites write them.
	arabic := []string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}
	for i, n := range arabic {
		months[i] = append(months[i], n)
	}
	for i, names := range months {
		for _, n := range names {
			m[n] = wordInfo{class: wcMonth, val: i + 1, weak: weak[n]}
		}
	}
	// Weekdays, Sunday first, as time.Weekday counts them.
	weekdays := [][]string{
		{"sunday", "sun", "sonntag", "so", "dimanche", "domingo", "domenica", "zondag"},
		{"monday", "mon", "montag", "mo", "lundi", "lunes", "lunedì", "maandag"},
		{"tuesday", "tue", "tues", "dienstag", "di", "mardi", "martes", "martedì", "dinsdag"},
		{"wednesday", "wed", "mittwoch", "mi", "mercredi", "miércoles", "miercoles", "mercoledì", "woensdag"},
		{"thursday", "thu", "thur", "thurs", "donnerstag", "do", "jeudi", "jueves", "giovedì", "donderdag"},
		{"friday", "fri", "freitag", "fr", "vendredi", "viernes", "venerdì", "vrijdag"},
		{"saturday", "sat", "samstag", "sa", "samedi", "sábado", "sabado", "sabato", "zaterdag"},
	}
	for day, names := range weekdays {
		for _, n := range names {
			m[n] = wordInfo{class: wcWeekday, val: day}
		}
	}
	m["am"] = wordInfo{class: wcAM}
	m["pm"] = wordInfo{class: wcPM}
	for _, w := range []string{"st", "nd", "rd", "th", "er", "e", "º", "o"} {
		if _, ok := m[w]; !ok {
			m[w] = wordInfo{class: wcOrdinal}
		}
	}
	for _, w := range []string{"at", "um", "à", "a", "om", "alle", "às", "kl", "klo", "ore", "h", "uhr", "le"} {
		if _, ok := m[w]; !ok {
			m[w] = wordInfo{class: wcAt}
		}
	}
	m["uhr"] = wordInfo{class: wcClock}
	m["h"] = wordInfo{class: wcClock}
	for _, w := range []string{"of", "de", "del", "di", "van"} {
		if _, ok := m[w]; !ok {
			m[w] = wordInfo{class: wcOf}
		}
	}
	for _, w := range []string{
		"in", "since", "by", "during", "from", "until", "till", "before", "after", "early", "late",
		"mid", "end", "year", "around", "throughout", "fiscal", "fy", "of", "im", "seit", "jahr", "en", "depuis",
	} {
		if _, ok := m[w]; !ok {
			m[w] = wordInfo{class: wcYearCtx}
		}
	}
	zones := map[string]int{
		"z": 0, "utc": 0, "gmt": 0, "ut": 0, "wet": 0,
		// Chinese feeds and pages mean China Standard Time by CST.
		"cst": 8 * hour, "hkt": 8 * hour, "sgt": 8 * hour, "awst": 8 * hour, "pht": 8 * hour, "myt": 8 * hour,
		"jst": 9 * hour, "kst": 9 * hour, "acst": 9*hour + 1800, "aest": 10 * hour, "aedt": 11 * hour,
		"nzst": 12 * hour, "nzdt": 13 * hour, "ict": 7 * hour, "wib": 7 * hour, "ist": 5*hour + 1800,
		"msk": 3 * hour, "eet": 2 * hour, "eest": 3 * hour, "cet": hour, "cest": 2 * hour, "mez": hour,
		"mesz": 2 * hour, "bst": hour, "west": hour,
		"est": -5 * hour, "edt": -4 * hour, "cdt": -5 * hour, "mst": -7 * hour, "mdt": -6 * hour,
		"pst": -8 * hour, "pdt": -7 * hour, "akst": -9 * hour, "hst": -10 * hour,
	}
	for w, off := range zones {
		m[w] = wordInfo{class: wcZone, val: off}
	}
	return m
}()

// lookupWord returns what a lower-cased word means, if anything.
func lookupWord(w []byte) (wordInfo, bool) {
	if len(w) == 0 {
		return wordInfo{}, false
	}
	wi, ok := words[string(w)]
	return wi, ok
}
