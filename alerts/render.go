package alerts

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/wallwatch/worker/sources"
)

// Slack's limits, counted in UTF-16 code units (never fewer than the
// characters Slack counts).
const (
	maxHeaderText  = 150
	maxSectionText = 3000
	maxFallback    = 4000
)

// Budgets for the parts of a message, in UTF-16 code units of escaped
// text, chosen so that no section or fallback text can pass its limit.
const (
	budgetLabel     = 800  // link label (headline)
	budgetURL       = 1200 // a longer URL is not linked
	budgetOutlet    = 200
	budgetSide      = 1200 // entity list of one side
	budgetEvidence  = 2000
	budgetGist      = 600
	budgetAlsoLine  = 600
	maxAlsoSections = 3
)

// Render builds a message's fallback text and Block Kit blocks; all three
// notifiers send what it returns. Text from the web is escaped for mrkdwn so
// that it cannot mention or link anyone, and every block stays within
// Slack's limits. The text is never empty.
func Render(m Message) (text string, blocks []slack.Block) {
	if m.IsReply() {
		return renderReply(m)
	}
	return renderAlert(m)
}

func renderReply(m Message) (string, []slack.Block) {
	a := m.Article
	s := "Also reported by " + truncEsc(escape(outlet(a)), budgetOutlet)
	if st := replyStage(m); st != "" {
		s += ", as " + truncEsc(escape(st), 40)
	}
	s += ": " + link(a.URL, a.Title)
	if d := sources.DateOf(a.Published).String(); d != "" {
		s += " (" + d + ")"
	}
	if r := m.Reported; r != nil {
		s += "\n" + truncEsc(escape("Gist: "+gist(*r)), budgetGist)
	}
	return s, []slack.Block{section(s)}
}

// replyStage is the stage the reply's outlet reports, "" when unknown.
func replyStage(m Message) string {
	if m.Reported == nil {
		return ""
	}
	return clean(string(m.Reported.Stage))
}

func renderAlert(m Message) (string, []slack.Block) {
	d := m.Developments[0]
	a := m.Article
	hdr := headerText(d, sources.DateOf(a.Published))

	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, hdr, false, false)),
		section(developmentText(d)),
	}

	art := "*" + link(a.URL, a.Title) + "*\n" + truncEsc(escape(outlet(a)), budgetOutlet)
	pub := sources.DateOf(a.Published).String()
	if pub != "" {
		art += " · " + pub
	}
	art += "\n" + truncEsc(escape("Gist: "+gist(d)), budgetGist)
	blocks = append(blocks, section(art))

	if ev := clean(d.Evidence); ev != "" {
		blocks = append(blocks, section("> "+truncEsc(escape(ev), budgetEvidence)))
	}
	if step := newStepText(m, d); step != "" {
		s := escape(step)
		if p := m.Previous; p != nil {
			if pl := previousLink(p); pl != "" {
				s += " · <" + pl + "|first alert's thread>"
			}
		}
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, s, false, true)))
	}
	blocks = append(blocks, alsoSections(m.Developments[1:])...)

	text := escape(hdr) + " — " + link(a.URL, a.Title) + " (" + truncEsc(escape(outlet(a)), budgetOutlet)
	if pub != "" {
		text += ", " + pub
	}
	text += ")"
	if n := len(m.Developments) - 1; n > 0 {
		text += fmt.Sprintf(" +%d more", n)
	}
	if step := newStepText(m, d); step != "" {
		text += " — " + escape(step)
	}
	return text, blocks
}

// stagePhrases say a stage after "Now".
var stagePhrases = map[sources.Stage]string{
	sources.StageAnnounced: "announced",
	sources.StageTesting:   "in testing",
	sources.StageLaunched:  "launched",
	sources.StageExpanded:  "expanded",
	sources.StageHalted:    "halted",
}

// newStepText says, for an alert of a later step of a storyline, what
// changed: "Now launched (was testing) — first reported as announced on
// 4 Sep 2024". It is "" for a first alert.
func newStepText(m Message, d Development) string {
	p := m.Previous
	if p == nil && m.Was == "" {
		return ""
	}
	now, ok := stagePhrases[d.Stage]
	if !ok {
		now = truncPlain(clean(string(d.Stage)), 40)
	}
	s := "Now " + now
	if m.Was == sources.StageHalted && d.Stage != sources.StageHalted {
		s += " again"
	}
	if m.Was != "" && (p == nil || m.Was != p.Stage) {
		s += " (was " + truncPlain(clean(string(m.Was)), 40) + ")"
	}
	if p != nil {
		s += " — first reported as " + truncPlain(clean(string(p.Stage)), 40)
		s += dayText(p.Date)
	}
	return s
}

// dayText writes when for readers: " on 4 Sep 2024", " in Sep 2024",
// " in 2024", "" for no date.
func dayText(d sources.Date) string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month < 1 || d.Month > 12:
		return fmt.Sprintf(" in %d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf(" in %s %d", time.Month(d.Month).String()[:3], d.Year)
	default:
		return fmt.Sprintf(" on %d %s %d", d.Day, time.Month(d.Month).String()[:3], d.Year)
	}
}

// previousLink is the web link of the first step's alert: the one Slack
// gave, else one built from its channel and ts.
func previousLink(p *Posted) string {
	if u, ok := safeURL(p.Permalink); ok && p.Permalink != "" {
		return u
	}
	return permalink(p.Channel, p.TS)
}

func section(s string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, true), nil, nil)
}

// Headline is the line an alert of d leads with, as plain text; reported
// (the day its first article was published) dates an undated development.
func Headline(d Development, reported sources.Date) string { return headerText(d, reported) }

func developmentText(d Development) string {
	pair := pairOf(d)
	var b strings.Builder
	fmt.Fprintf(&b, "*%s:* %s\n", escape(sideName(pair.A)), truncEsc(escape(names(d.A, "?")), budgetSide))
	fmt.Fprintf(&b, "*%s:* %s\n", escape(sideName(pair.B)), truncEsc(escape(names(d.B, "?")), budgetSide))
	fmt.Fprintf(&b, "*Kind:* %s", escape(kindLabel(d.Kind)))
	if st := clean(string(d.Stage)); st != "" {
		fmt.Fprintf(&b, " · *Stage:* %s", truncEsc(escape(st), 40))
	}
	if ds := d.Date.String(); ds != "" {
		fmt.Fprintf(&b, " · *Date:* %s", ds)
	}
	return b.String()
}

// alsoSections lists the further developments of a message, one line each,
// in at most maxAlsoSections sections; those that do not fit are counted.
func alsoSections(devs []Development) []slack.Block {
	if len(devs) == 0 {
		return nil
	}
	const title = "*Also in this article:*"
	const reserve = 40 // room for "…and N more"
	var blocks []slack.Block
	cur := title
	for i, d := range devs {
		line := "\n• " + truncEsc(escape(headerText(d, sources.Date{})), budgetAlsoLine)
		if len16(cur)+len16(line) > maxSectionText-reserve {
			if len(blocks) == maxAlsoSections-1 {
				cur += fmt.Sprintf("\n…and %d more", len(devs)-i)
				break
			}
			blocks = append(blocks, section(cur))
			cur = title
		}
		cur += line
	}
	return append(blocks, section(cur))
}

// payTools picks the payment tools among entity names (WeChat Pay, Alipay).
func payTools(names []string) []string {
	var out []string
	for _, n := range names {
		if strings.Contains(strings.ToLower(n), "pay") {
			out = append(out, n)
		}
	}
	return out
}

func pairOf(d Development) sources.Pair {
	if d.Pair.A == "" && d.Pair.B == "" {
		return sources.DefaultPair
	}
	return d.Pair
}

// sideName turns a side key into a display name: "alibaba" → "Alibaba".
func sideName(key string) string {
	key = clean(key)
	if key == "" {
		return "?"
	}
	r, n := utf8.DecodeRuneInString(key)
	return string(unicode.ToUpper(r)) + key[n:]
}

func kindLabel(k sources.Kind) string {
	switch k {
	case sources.KindMiniProgram:
		return "mini program"
	case sources.KindOther, "":
		return "interconnection"
	}
	return truncPlain(strings.ReplaceAll(clean(string(k)), "_", " "), 40)
}

// names joins entity names, or gives fallback when there are none.
func names(list []string, fallback string) string {
	var parts []string
	for _, n := range list {
		if n = clean(n); n != "" {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return fallback
	}
	return strings.Join(parts, ", ")
}

func outlet(a Article) string {
	for _, s := range []string{a.SiteName, a.Source} {
		if s = clean(s); s != "" {
			return s
		}
	}
	if u, err := url.Parse(strings.TrimSpace(a.URL)); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "unknown outlet"
}

func isChinese(a Article) bool {
	if strings.HasPrefix(strings.ToLower(a.Lang), "zh") {
		return true
	}
	for _, r := range a.Title {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// link renders a headline as a mrkdwn link, or as escaped text when the URL
// is not a usable http(s) URL.
func link(rawURL, title string) string {
	label := clean(title)
	if label == "" {
		label = "untitled article"
	}
	label = strings.ReplaceAll(truncEsc(escape(label), budgetLabel), "|", "｜")
	u, ok := safeURL(rawURL)
	if !ok || len16(u) > budgetURL {
		return label
	}
	return "<" + u + "|" + label + ">"
}

// safeURL prepares a URL for a mrkdwn link: only absolute http(s) URLs are
// accepted, their scheme lower-cased; spaces, controls and the characters that end or split a link
// (`<`, `>`, `|`) are percent-encoded and `&` is escaped as `&amp;`.
func safeURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	lower := strings.ToLower(raw)
	var scheme, rest string
	switch {
	case strings.HasPrefix(lower, "http://"):
		scheme, rest = "http://", raw[len("http://"):]
	case strings.HasPrefix(lower, "https://"):
		scheme, rest = "https://", raw[len("https://"):]
	default:
		return "", false
	}
	if rest == "" || strings.ContainsAny(rest[:1], "/?#\\") || !utf8.ValidString(raw) {
		return "", false
	}
	var b strings.Builder
	b.WriteString(scheme)
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '|' || c == '"':
			fmt.Fprintf(&b, "%%%02X", c)
		case c == '&':
			b.WriteString("&amp;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// permalink is the web link of a message, "" when ts is not a Slack ts.
func permalink(channel, ts string) string {
	channel = strings.TrimPrefix(clean(channel), "#")
	sec, frac, ok := strings.Cut(ts, ".")
	if channel == "" || !ok || !digits(sec) || !digits(frac) {
		return ""
	}
	return "https://slack.com/archives/" + url.PathEscape(channel) + "/p" + sec + frac
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// mrkdwnEscaper turns web text into mrkdwn that shows it as it is. Slack has
// no escape for its formatting marks, so they become look-alikes that
// format nothing: * ∗, _ ＿, ~ ∼, ` ˋ.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;",
	"*", "∗", "_", "＿", "~", "∼", "`", "ˋ")

// escape makes web text safe for mrkdwn: `&`, `<` and `>` become entities,
// so nothing in it can mention anyone or open a link; formatting marks
// become look-alikes, so nothing in it is bold, struck or code; controls and
// line breaks become spaces.
func escape(s string) string { return mrkdwnEscaper.Replace(clean(s)) }

// clean makes one line of valid UTF-8: control characters, bidi overrides
// and runs of white space become single spaces.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || isBidi(r) || r == '\u2028' || r == '\u2029' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isBidi(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F'
}

// len16 counts UTF-16 code units.
func len16(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// truncPlain cuts s to at most max UTF-16 units on a rune boundary, ending
// with "…" when cut.
func truncPlain(s string, max int) string {
	if len16(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	n, cut := 0, 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > max-1 {
			break
		}
		n += w
		cut = i + utf8.RuneLen(r)
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}

// truncEsc is truncPlain for escaped text: it never ends inside an entity.
func truncEsc(s string, max int) string {
	if len16(s) <= max {
		return s
	}
	t := strings.TrimSuffix(truncPlain(s, max), "…")
	if amp := strings.LastIndexByte(t, '&'); amp >= 0 && !strings.Contains(t[amp:], ";") {
		t = t[:amp]
	}
	return strings.TrimRight(t, " ") + "…"
}
