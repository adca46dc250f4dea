package alerts

// This file says what an alert is about in words: the header, led by the
// main platforms, and the English gist sentence built from the event's
// frame. The words themselves are in headline.yaml.

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/wallwatch/worker/sources"
)

//go:embed headline.yaml
var headlineYAML []byte

// phrasing is headline.yaml: the main platforms in order, a phrase per
// kind and a description per stage.
type phrasing struct {
	Platforms []string          `yaml:"platforms"`
	Kinds     map[string]string `yaml:"kinds"`
	Stages    map[string]string `yaml:"stages"`
}

var words = mustPhrasing(headlineYAML)

func mustPhrasing(b []byte) phrasing {
	var p phrasing
	if err := yaml.Unmarshal(b, &p); err != nil {
		panic(fmt.Sprintf("alerts: headline.yaml: %v", err))
	}
	if p.Kinds["other"] == "" || p.Kinds["payment"] == "" || p.Kinds["payment_between"] == "" {
		panic("alerts: headline.yaml: kinds other, payment and payment_between are required")
	}
	return p
}

// rank orders entity names by prominence: listed platforms first, in their
// order, then the rest as given.
func (p phrasing) rank(list []string) []string {
	out := make([]string, 0, len(list))
	for _, n := range list {
		if n = clean(n); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	pos := func(n string) int {
		if i := slices.Index(p.Platforms, n); i >= 0 {
			return i
		}
		return len(p.Platforms)
	}
	slices.SortStableFunc(out, func(a, b string) int { return pos(a) - pos(b) })
	return out
}

// lead names the main platforms of a side: "Taobao and Tmall".
func (p phrasing) lead(list []string, fallback string) string {
	r := p.rank(list)
	switch len(r) {
	case 0:
		return fallback
	case 1:
		return r[0]
	default:
		return r[0] + " and " + r[1]
	}
}

// what says a development in one phrase, each side given by fmtSide:
// "Taobao and Tmall open to WeChat Pay".
func (p phrasing) what(d Development, fmtSide func(names []string, side string) string) string {
	pair := pairOf(d)
	a, b := fmtSide(d.A, sideName(pair.A)), fmtSide(d.B, sideName(pair.B))
	if d.Kind == sources.KindPayment {
		payA, payB := payTools(d.A), payTools(d.B)
		switch {
		case len(payB) > 0 && len(payA) == 0:
			return fill(p.Kinds["payment"], "{host}", fmtSide(without(d.A, payA), sideName(pair.A)), "{pay}", fmtSide(payB, sideName(pair.B)))
		case len(payA) > 0 && len(payB) == 0:
			return fill(p.Kinds["payment"], "{host}", fmtSide(without(d.B, payB), sideName(pair.B)), "{pay}", fmtSide(payA, sideName(pair.A)))
		}
		return fill(p.Kinds["payment_between"], "{a}", a, "{b}", b)
	}
	tmpl := p.Kinds[string(d.Kind)]
	if tmpl == "" {
		tmpl = p.Kinds["other"]
	}
	return fill(tmpl, "{a}", a, "{b}", b)
}

func fill(tmpl string, kv ...string) string { return strings.NewReplacer(kv...).Replace(tmpl) }

// without is list less the names in drop; list itself if that leaves none.
func without(list, drop []string) []string {
	var out []string
	for _, n := range list {
		if !slices.Contains(drop, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return list
	}
	return out
}

// headerText is the plain-text header of an alert, led by the main
// platforms and saying what happened, with the stage and the development's
// date: "WeChat Pay on Taobao and Tmall (launched, 4 Sep 2024)". An undated
// development is dated by the day it was reported, which places it as the
// storylines do, so two developments never share a header. It keeps within
// Slack's 150 characters.
func headerText(d Development, reported sources.Date) string {
	what := words.what(d, func(n []string, side string) string { return words.lead(n, side) })
	var tail []string
	if st := clean(string(d.Stage)); st != "" {
		tail = append(tail, truncPlain(st, 40))
	}
	if day := when(d.Date); day != "" {
		tail = append(tail, day)
	} else if day := when(reported); day != "" {
		tail = append(tail, "reported "+day)
	}
	suffix := ""
	if len(tail) > 0 {
		suffix = " (" + strings.Join(tail, ", ") + ")"
	}
	return truncPlain(upperFirst(what), maxHeaderText-len16(suffix)) + suffix
}

// when is a date for readers without its preposition: "4 Sep 2024",
// "Sep 2024", "2024", "".
func when(d sources.Date) string {
	return strings.TrimPrefix(strings.TrimPrefix(dayText(d), " on "), " in ")
}

// series joins names as English does: "A", "A and B", "A, B and C".
func series(list []string, fallback string) string {
	switch len(list) {
	case 0:
		return fallback
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

// gist says a development in one English sentence built from its frame —
// who (with their company), what, the stage, and when — for every alert
// whatever the language of its headline: "Alibaba's Taobao and Tmall open
// to Tencent's WeChat Pay: announced, not yet live (Mar 2022)."
func gist(d Development) string {
	s := words.what(d, owned)
	if st := words.Stages[string(d.Stage)]; st != "" {
		s += ": " + st
	} else if st := clean(string(d.Stage)); st != "" {
		s += ": " + st
	}
	if day := when(d.Date); day != "" {
		s += " (" + day + ")"
	}
	return upperFirst(s) + "."
}

// owned names a side's platforms with their company: "Alibaba's Taobao and
// Tmall"; the company alone when no platform is named.
func owned(list []string, company string) string {
	var platforms []string
	for _, n := range words.rank(list) {
		if !strings.EqualFold(n, company) {
			platforms = append(platforms, n)
		}
	}
	if len(platforms) == 0 {
		return company
	}
	return company + "'s " + series(platforms, company)
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
