// Package listing reads HTML listing pages (a site's news index) with
// goquery CSS selectors, following "next" links back in time for backfills.
package listing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/canon"
	"github.com/wallwatch/worker/sources/charset"
	"github.com/wallwatch/worker/sources/dates"
	"github.com/wallwatch/worker/sources/fetch"
)

// MaxPages bounds how far a backfill follows next links.
const MaxPages = 200

// Accept lists the media types a listing page may be served as.
var Accept = []string{"text/html", "application/xhtml+xml", "text/plain", "application/octet-stream"}

// Selectors pick the items out of a listing page. Date (and any other
// selector) may end in @attr to read an attribute instead of the text.
type Selectors struct {
	Item, Link, Title, Date, Next string
}

// Listing is an HTML listing source.
type Listing struct {
	name   string
	url    string
	sel    Selectors
	client *fetch.Client
	loc    *time.Location
}

// New returns a listing source.
func New(name, rawURL string, sel Selectors, client *fetch.Client, loc *time.Location) (*Listing, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("listing %s: bad url", name)
	}
	if sel.Item == "" || sel.Link == "" {
		return nil, fmt.Errorf("listing %s: item and link selectors are required", name)
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Listing{name: name, url: rawURL, sel: sel, client: client, loc: loc}, nil
}

// Name returns the source name.
func (l *Listing) Name() string { return l.name }

// List reads the first page, and with req.Since set follows next links while
// the page still lists items at or after Since.
func (l *Listing) List(ctx context.Context, req sources.ListRequest) (sources.Listing, error) {
	out := sources.Listing{Validators: map[string]sources.Validators{}}
	seenPages := map[string]bool{}
	seenItems := map[string]bool{}
	pageURL := l.url
	for page := 1; pageURL != "" && page <= MaxPages; page++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		seenPages[pageURL] = true
		r := fetch.Request{URL: pageURL, Accept: Accept, TrustedOrigin: l.url}
		if page == 1 && req.Since.IsZero() {
			r.Validators = req.Known[pageURL]
		}
		resp, err := l.client.Get(ctx, r)
		if err != nil {
			if page == 1 {
				return sources.Listing{}, err
			}
			return out, fmt.Errorf("listing page %d: %w", page, err)
		}
		if page == 1 {
			out.Validators[pageURL] = resp.Validators
			if resp.NotModified {
				out.NotModified = true
				return out, nil
			}
		}
		p, err := ParsePage(resp.Body, resp.ContentType, resp.URL, l.sel, l.loc)
		if err != nil {
			return out, fmt.Errorf("listing %s: %w", pageURL, err)
		}
		older := false
		for _, it := range p.Items {
			if !req.Since.IsZero() && !it.Published.IsZero() && it.Published.Before(req.Since) {
				older = true
				continue
			}
			if seenItems[it.URL] {
				continue
			}
			seenItems[it.URL] = true
			it.Source = l.name
			out.Items = append(out.Items, it)
		}
		if req.Progress != nil {
			req.Progress(page, len(out.Items))
		}
		if req.Since.IsZero() || older || p.Next == "" || seenPages[p.Next] {
			break
		}
		pageURL = p.Next
	}
	return out, nil
}

// Page is one parsed listing page.
type Page struct {
	Items []sources.Item
	Next  string // absolute URL of the next page, "" when none
}

// ErrNoItems marks a page on which the item selector matched nothing: the
// site changed its markup, or the selector is wrong.
var ErrNoItems = errors.New("item selector matched nothing")

// ParsePage reads the items and the next link of one listing page.
func ParsePage(body []byte, contentType, pageURL string, sel Selectors, loc *time.Location) (Page, error) {
	utf, _, err := charset.DecodeHTML(body, contentType)
	if err != nil {
		return Page{}, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(utf))
	if err != nil {
		return Page{}, fmt.Errorf("parse html: %w", err)
	}
	base, _ := url.Parse(pageURL)
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok && base != nil {
		if b, err := base.Parse(strings.TrimSpace(href)); err == nil {
			base = b
		}
	}
	var p Page
	found := doc.Find(sel.Item)
	if found.Length() == 0 {
		return Page{}, fmt.Errorf("%w: %q", ErrNoItems, sel.Item)
	}
	found.Each(func(_ int, s *goquery.Selection) {
		href := pick(s, sel.Link, "href")
		if href == "" {
			return
		}
		u, err := canon.URL(href, base)
		if err != nil {
			return
		}
		it := sources.Item{URL: u}
		if sel.Title != "" {
			it.Title = pick(s, sel.Title, "")
		}
		if sel.Date != "" {
			if t, ok := dates.Parse(pick(s, sel.Date, ""), loc); ok {
				it.Published = t
			}
		}
		p.Items = append(p.Items, it)
	})
	if sel.Next != "" {
		if href := pick(doc.Selection, sel.Next, "href"); href != "" {
			if u, err := canon.URL(href, base); err == nil {
				p.Next = u
			}
		}
	}
	return p, nil
}

// pick returns, for the first element matching selector inside s, the
// attribute named after @ in the selector, else defAttr, else its text.
func pick(s *goquery.Selection, selector, defAttr string) string {
	css, attr, hasAttr := strings.Cut(selector, "@")
	if !hasAttr {
		attr = defAttr
	}
	el := s.Find(strings.TrimSpace(css)).First()
	if el.Length() == 0 {
		// The item itself may be the link (item: "a.story").
		if s.Is(strings.TrimSpace(css)) {
			el = s
		} else {
			return ""
		}
	}
	if attr != "" {
		v, _ := el.Attr(strings.TrimSpace(attr))
		return strings.TrimSpace(v)
	}
	return strings.Join(strings.Fields(el.Text()), " ")
}
