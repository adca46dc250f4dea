package web

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/store"
)

// The views below are what the templates and the API read: plain strings,
// computed once per item, so rendering is a walk over ready values.

type developmentView struct {
	ID           int64
	Path         string
	SideA, SideB string // the pair's side keys
	A, B         []string
	Kind, Stage  string
	Date         string // first step
	Updated      string // latest step
	Evidence     string
	EvidenceLang string
	Steps        []stepView
	Articles     []articleView
	Events       []eventView
	Slack        string // the first posted alert, "" when none
}

type stepView struct {
	Anchor       string
	Stage        string
	N            int
	Date         string
	Evidence     string
	EvidenceLang string
	Retold       bool
	Slack        string
	Articles     []articleView
}

type articleView struct {
	URL, Title, Outlet, Source, Lang string
	Published                        string // YYYY-MM-DD in the page's own offset, "" when unknown
	published                        time.Time
}

type eventView struct {
	ID           int64
	SideA, SideB string
	A, B         []string
	Kind, Stage  string
	Date         string
	Headline     bool
	Evidence     string
	EvidenceLang string
	Article      articleView
	Development  int64
}

type backgroundView struct {
	SideA, SideB string
	A, B         []string
	Kind, Stage  string
	Date         string
	Evidence     string
	EvidenceLang string
	Articles     []articleView // the first retellings
	More         int           // how many more articles retold it
}

// retellingsShown is how many articles a background entry lists on the
// timeline.
const retellingsShown = 5

func developmentPath(id int64) string { return "/developments/" + strconv.FormatInt(id, 10) }

func newDevelopmentView(d *store.DevelopmentHistory, withEvents bool) developmentView {
	v := developmentView{
		ID: d.ID, Path: developmentPath(d.ID), SideA: d.Pair.A, SideB: d.Pair.B, A: d.A, B: d.B,
		Kind: string(d.Kind), Stage: string(d.Stage), Date: d.Date.String(), Updated: d.Updated.String(),
		Evidence: d.Evidence, EvidenceLang: textLang(d.Evidence),
	}
	for _, a := range d.Articles {
		v.Articles = append(v.Articles, newArticleView(a))
	}
	for _, s := range d.Steps {
		sv := stepView{
			Anchor: "step-" + string(s.Stage) + "-" + strconv.Itoa(s.N), Stage: string(s.Stage), N: s.N,
			Date: s.Date.String(), Evidence: s.Evidence, EvidenceLang: textLang(s.Evidence), Retold: s.Retold,
		}
		if s.Slack != nil {
			sv.Slack = alerts.Permalink(s.Slack.Channel, s.Slack.TS)
			if v.Slack == "" {
				v.Slack = sv.Slack
			}
		}
		for _, a := range s.Articles {
			sv.Articles = append(sv.Articles, newArticleView(a))
		}
		v.Steps = append(v.Steps, sv)
	}
	if withEvents {
		for _, e := range d.Events {
			v.Events = append(v.Events, newEventView(e))
		}
	}
	return v
}

func newArticleView(a store.HistoryArticle) articleView {
	v := articleView{URL: a.URL, Title: a.Title, Outlet: a.SiteName, Source: a.Source, Lang: a.Lang, published: a.Published}
	if v.Outlet == "" {
		v.Outlet = hostOf(a.URL)
	}
	if !a.Published.IsZero() {
		v.Published = a.Published.Format(time.DateOnly)
	}
	return v
}

func newEventView(e store.HistoryEvent) eventView {
	return eventView{
		ID: e.ID, SideA: e.Pair.A, SideB: e.Pair.B, A: e.A, B: e.B, Kind: string(e.Kind), Stage: string(e.Stage),
		Date: e.Date.String(), Headline: e.Headline, Evidence: e.Evidence, EvidenceLang: evidenceLang(e.Evidence, e.Article.Lang),
		Article: newArticleView(e.Article), Development: e.Development,
	}
}

func newBackgroundView(b *store.BackgroundEntry) backgroundView {
	v := backgroundView{
		SideA: b.Pair.A, SideB: b.Pair.B, A: b.A, B: b.B, Kind: string(b.Kind), Stage: string(b.Stage),
		Date: b.Date.String(), Evidence: b.Evidence, EvidenceLang: textLang(b.Evidence),
	}
	for _, a := range b.Articles[:min(len(b.Articles), retellingsShown)] {
		v.Articles = append(v.Articles, newArticleView(a))
	}
	v.More = len(b.Articles) - len(v.Articles)
	return v
}

// hostOf is a URL's host, the outlet's name when the page gives none.
func hostOf(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	host, _, _ := strings.Cut(rest, "/")
	return strings.TrimPrefix(host, "www.")
}

// textLang is "zh" for text with Han characters in it, else "" (the
// page's language applies).
func textLang(s string) string {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return "zh"
		}
	}
	return ""
}

// evidenceLang is the language of an evidence sentence: Chinese when it
// has Han characters, else its article's.
func evidenceLang(s, articleLang string) string {
	if l := textLang(s); l != "" {
		return l
	}
	return articleLang
}

// sides joins a side's entity names for a heading.
func sides(names []string) string { return strings.Join(names, ", ") }

// kindLabel is a kind for people: "mini_program" reads "mini program".
func kindLabel(k string) string { return strings.ReplaceAll(k, "_", " ") }
