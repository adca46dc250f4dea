// Package feed reads RSS, Atom and JSON Feed sources with
// github.com/mmcdole/gofeed, fetching them through the worker's own HTTP
// client and reading their dates and charsets the way Chinese and English
// news feeds actually write them.
package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/transform"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/canon"
	"github.com/wallwatch/worker/sources/charset"
	"github.com/wallwatch/worker/sources/dates"
	"github.com/wallwatch/worker/sources/fetch"
)

// ErrParse marks a body that is not a feed.
var ErrParse = errors.New("not a readable feed")

// Accept lists the media types a feed may be served as (servers often say
// text/html or text/plain for feeds).
var Accept = []string{
	"application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
	"application/feed+json", "application/json", "text/html", "text/plain", "application/octet-stream",
}

// Feed is a feed source.
type Feed struct {
	name   string
	url    string
	client *fetch.Client
	loc    *time.Location
}

// New returns a feed source named name at rawURL. Dates without an offset are
// read in loc.
func New(name, rawURL string, client *fetch.Client, loc *time.Location) (*Feed, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("feed %s: bad url", name)
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Feed{name: name, url: rawURL, client: client, loc: loc}, nil
}

// Name returns the source name.
func (f *Feed) Name() string { return f.name }

// List fetches the feed (conditionally when validators are known) and
// returns its items.
func (f *Feed) List(ctx context.Context, req sources.ListRequest) (sources.Listing, error) {
	resp, err := f.client.Get(ctx, fetch.Request{
		URL:           f.url,
		Validators:    req.Known[f.url],
		Accept:        Accept,
		TrustedOrigin: f.url,
	})
	if err != nil {
		return sources.Listing{}, err
	}
	out := sources.Listing{Validators: map[string]sources.Validators{f.url: resp.Validators}}
	if resp.NotModified {
		out.NotModified = true
		return out, nil
	}
	items, err := Parse(resp.Body, resp.ContentType, resp.URL, f.loc)
	if err != nil {
		return sources.Listing{}, fmt.Errorf("feed %s: %w", f.url, err)
	}
	for i := range items {
		items[i].Source = f.name
	}
	if req.Progress != nil {
		req.Progress(1, len(items))
	}
	out.Items = items
	return out, nil
}

// Parse reads a feed body into items. Links are resolved against feedURL and
// canonicalised; items without a usable link are left out.
func Parse(body []byte, contentType, feedURL string, loc *time.Location) ([]sources.Item, error) {
	body, err := toUTF8(body, contentType)
	if err != nil {
		return nil, err
	}
	parsed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrParse, firstLine(err.Error()))
	}
	if parsed.FeedType == "json" && parsed.FeedVersion == "" {
		return nil, fmt.Errorf("%w: JSON without a JSON Feed version", ErrParse)
	}
	base, _ := url.Parse(feedURL)
	seen := map[string]bool{}
	items := make([]sources.Item, 0, len(parsed.Items))
	for _, it := range parsed.Items {
		link := itemLink(it)
		if link == "" {
			continue
		}
		u, err := canon.URL(link, base)
		if err != nil || seen[u] {
			continue
		}
		seen[u] = true
		items = append(items, sources.Item{
			URL:       u,
			Title:     strings.TrimSpace(it.Title),
			Published: itemTime(it, loc),
			Summary:   strings.TrimSpace(stripTags(it.Description)),
		})
	}
	return items, nil
}

func itemLink(it *gofeed.Item) string {
	if l := strings.TrimSpace(it.Link); l != "" {
		return l
	}
	for _, l := range it.Links {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	if g := strings.TrimSpace(it.GUID); strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://") {
		return g
	}
	return ""
}

// itemTime reads the item's date with the worker's own parser first: gofeed
// reads "CST" as US Central, drops "GMT+8" and takes zone-less times as UTC,
// where Chinese feeds mean China time.
func itemTime(it *gofeed.Item, loc *time.Location) time.Time {
	for _, s := range []string{it.Published, it.Updated} {
		if t, ok := dates.Parse(s, loc); ok {
			return t
		}
	}
	if it.PublishedParsed != nil {
		return *it.PublishedParsed
	}
	if it.UpdatedParsed != nil {
		return *it.UpdatedParsed
	}
	return time.Time{}
}

var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["'][^>]*\?>`)

// toUTF8 returns the feed as UTF-8 with any encoding declaration rewritten,
// so gofeed never decodes twice. The charset comes from a BOM, the XML
// declaration, then the HTTP header; GBK-family labels decode as GB18030.
func toUTF8(body []byte, contentType string) ([]byte, error) {
	if b, ok := bytes.CutPrefix(body, []byte("\xef\xbb\xbf")); ok {
		return rewriteDecl(b), nil
	}
	label := ""
	if m := xmlDecl.FindSubmatch(head(body, 512)); m != nil {
		label = string(m[1])
	} else if _, params, ok := strings.Cut(contentType, "charset="); ok {
		label = strings.Trim(strings.TrimSpace(strings.Split(params, ";")[0]), `"'`)
	}
	if label == "" || isUTF8Label(label) {
		if utf8.Valid(body) {
			return rewriteDecl(body), nil
		}
		if label == "" {
			label = "gb18030" // undeclared non-UTF-8 feeds here are almost always Chinese
		}
	}
	enc, name, ok := charset.Lookup(label)
	if !ok {
		return nil, fmt.Errorf("%w: unknown charset %q", ErrParse, label)
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), body)
	if err != nil {
		return nil, fmt.Errorf("%w: decode %s: %v", ErrParse, name, err)
	}
	return rewriteDecl(out), nil
}

func isUTF8Label(l string) bool {
	l = strings.ToLower(l)
	return l == "utf-8" || l == "utf8" || l == "us-ascii" || l == "ascii"
}

// rewriteDecl makes the XML declaration, if any, say UTF-8.
func rewriteDecl(b []byte) []byte {
	loc := xmlDecl.FindSubmatchIndex(head(b, 512))
	if loc == nil {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:loc[2]]...)
	out = append(out, "utf-8"...)
	return append(out, b[loc[3]:]...)
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

var tags = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	return strings.Join(strings.Fields(tags.ReplaceAllString(s, " ")), " ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
