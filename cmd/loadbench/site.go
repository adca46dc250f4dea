package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// siteOptions choose the generated site. The same options give the same
// site, byte for byte.
type siteOptions struct {
	Seed    uint64  `json:"seed"`
	Sources int     `json:"sources"` // feeds, one outlet each
	Items   int     `json:"items"`   // items per feed
	Hosts   int     `json:"hosts"`   // loopback hosts the outlets are spread over
	Events  float64 `json:"events"`  // share of pages that report an interconnection development
	Chinese float64 `json:"chinese"` // share of Chinese-language outlets
	GBK     float64 `json:"gbk"`     // share of Chinese outlets that serve GBK
	Gzip    bool    `json:"gzip"`    // serve gzip to clients that accept it
}

// baseTime is when the generated news happens: the first listing's newest
// item is published just before it.
var baseTime = time.Date(2025, 5, 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// resource is one servable document with its validators.
type resource struct {
	kind     string // "feed" or "page"
	body     []byte
	gz       []byte // nil when gzip is off
	ctype    string
	etag     string
	modified time.Time
}

// outlet is one news source: a feed on one host and the pages it lists.
type outlet struct {
	idx     int
	name    string
	host    int
	zh, gbk bool
	atom    bool
	meta    bool   // GBK pages declare their charset only in a meta tag
	layout  int    // page layout variant
	section string // path prefix of its pages
	brand   string
	items   []*page // newest first
	feed    *resource
}

// page is one article page.
type page struct {
	id        int
	outlet    *outlet
	path      string
	title     string
	summary   string
	published time.Time
	event     *eventText
	res       *resource
}

// site is the generated news site. It is not safe for concurrent use; the
// server guards it.
type site struct {
	opts    siteOptions
	bases   []string // "http://127.0.0.k:port", by host
	outlets []*outlet
	byPath  map[string]*resource // host index + path
	nextID  int
	clock   time.Time // publication time of the newest page

	pages, eventPages, zhPages, gbkPages int
	pageBytes                            int64
	kinds                                map[string]int // event pages by kind
	zw                                   *gzip.Writer
}

// newSite generates the site for the hosts at bases.
func newSite(opts siteOptions, bases []string) (*site, error) {
	s := &site{opts: opts, bases: bases, byPath: map[string]*resource{}, clock: baseTime, kinds: map[string]int{}}
	// Exactly the asked shares of Chinese and GBK outlets and of pages with
	// a development, chosen by seeded permutations.
	nzh := int(opts.Chinese*float64(opts.Sources) + 0.5)
	ngbk := int(opts.GBK*float64(nzh) + 0.5)
	rank := make([]int, opts.Sources)
	for k, i := range newRand(opts.Seed, 0x1a46).Perm(opts.Sources) {
		rank[i] = k
	}
	total := opts.Sources * opts.Items
	events := make([]bool, total)
	for k, id := range newRand(opts.Seed, 0xe7e).Perm(total) {
		events[id] = k < int(opts.Events*float64(total)+0.5)
	}
	for i := range opts.Sources {
		r := newRand(opts.Seed, 0x5eed0000+uint64(i))
		o := &outlet{idx: i, host: i % len(bases), layout: r.IntN(2)}
		o.zh = rank[i] < nzh
		o.gbk = rank[i] < ngbk
		o.atom = !o.gbk && r.IntN(2) == 0
		o.meta = r.IntN(2) == 0
		if o.zh {
			o.section = pick(r, []string{"tech", "finance", "it", "news", "ec"})
			o.brand = pick(r, []string{"互联网观察", "财经快报", "科技日报网", "数码前沿", "产业周刊", "电商在线"}) + fmt.Sprintf("%d", i)
		} else {
			o.section = strings.ToLower(pick(r, enSections))
			o.brand = pick(r, []string{"Asia Tech Review", "TechNews Daily", "China Markets Wire", "Pacific Business", "The Commerce Desk", "Digital Asia"}) + fmt.Sprintf(" %d", i)
		}
		o.name = fmt.Sprintf("bench-%03d", i)
		s.outlets = append(s.outlets, o)
	}
	// Items are published round-robin over the outlets, newest first, so
	// every feed covers the same stretch of time.
	for j := range opts.Items {
		for _, o := range s.outlets {
			at := baseTime.Add(-time.Duration(j*opts.Sources+o.idx+1) * 7 * time.Minute)
			p, err := s.newPage(o, at, events[s.nextID])
			if err != nil {
				return nil, err
			}
			o.items = append(o.items, p)
		}
	}
	for _, o := range s.outlets {
		if err := s.renderFeed(o); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// change replaces about frac of all listed items by new pages: each pick
// puts a new item at the top of a feed and drops its oldest. It returns how
// many items were added and how many feeds changed.
func (s *site) change(frac float64) (added, feeds int, err error) {
	n := int(frac*float64(s.opts.Sources*s.opts.Items) + 0.5)
	r := newRand(s.opts.Seed, 0xc4a9e000+uint64(s.nextID))
	changed := map[*outlet]bool{}
	for range n {
		o := s.outlets[r.IntN(len(s.outlets))]
		s.clock = s.clock.Add(3 * time.Minute)
		p, err := s.newPage(o, s.clock, r.Float64() < s.opts.Events)
		if err != nil {
			return added, len(changed), err
		}
		o.items = append([]*page{p}, o.items[:len(o.items)-1]...)
		changed[o] = true
		added++
	}
	for o := range changed {
		if err := s.renderFeed(o); err != nil {
			return added, len(changed), err
		}
	}
	return added, len(changed), nil
}

// newPage generates and stores the page with the next id.
func (s *site) newPage(o *outlet, at time.Time, event bool) (*page, error) {
	id := s.nextID
	s.nextID++
	r := newRand(s.opts.Seed, uint64(id))
	p := &page{id: id, outlet: o, published: at.In(baseTime.Location())}
	if event {
		ev := eventFor(r, o.zh, p.published)
		p.event = &ev
	}
	y, m, d := p.published.Date()
	if o.zh {
		p.path = fmt.Sprintf("/%s/%04d%02d%02d/%d.shtml", o.section, y, m, d, 100000+id)
	} else {
		p.path = fmt.Sprintf("/%s/%04d/%02d/%02d/story-%d.html", o.section, y, m, d, id)
	}
	html := renderPage(r, p, s.bases[o.host]+p.path)
	body := []byte(html)
	ctype := "text/html; charset=utf-8"
	if o.gbk {
		enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(body)
		if err != nil {
			return nil, fmt.Errorf("encode page %d as gbk: %w", id, err)
		}
		body = enc
		ctype = "text/html; charset=GBK"
		if o.meta {
			ctype = "text/html"
		}
	}
	res, err := s.resource("page", body, ctype, p.published)
	if err != nil {
		return nil, err
	}
	p.res = res
	s.byPath[key(o.host, p.path)] = res
	s.pages++
	s.pageBytes += int64(len(body))
	if o.zh {
		s.zhPages++
	}
	if o.gbk {
		s.gbkPages++
	}
	if p.event != nil {
		s.eventPages++
		s.kinds[p.event.kind]++
	}
	return p, nil
}

// feedPath is where an outlet's feed lives.
func (o *outlet) feedPath() string {
	if o.atom {
		return fmt.Sprintf("/feeds/%s/atom.xml", o.name)
	}
	return fmt.Sprintf("/feeds/%s/rss.xml", o.name)
}

// feedURL is the absolute URL of the outlet's feed.
func (s *site) feedURL(o *outlet) string { return s.bases[o.host] + o.feedPath() }

func (s *site) renderFeed(o *outlet) error {
	base := s.bases[o.host]
	var b strings.Builder
	newest := o.items[0].published
	if o.atom {
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="%s">
  <title>%s</title>
  <link rel="self" type="application/atom+xml" href="%s%s"/>
  <link rel="alternate" type="text/html" href="%s/"/>
  <id>tag:%s,2025:feed</id>
  <updated>%s</updated>
`, lang(o), xmlEsc(o.brand), base, o.feedPath(), base, o.name, newest.Format(time.RFC3339))
		for _, p := range o.items {
			fmt.Fprintf(&b, `  <entry>
    <title type="text">%s</title>
    <link rel="alternate" type="text/html" href="%s%s"/>
    <id>tag:%s,2025:%d</id>
    <published>%s</published>
    <updated>%s</updated>
    <author><name>%s</name></author>
    <summary type="html">%s</summary>
  </entry>
`, xmlEsc(p.title), base, p.path, o.name, p.id, p.published.Format(time.RFC3339), p.published.Format(time.RFC3339),
				xmlEsc(author(p)), xmlEsc("<p>"+htmlEsc(p.summary)+"</p>"))
		}
		b.WriteString("</feed>\n")
	} else {
		enc := "UTF-8"
		if o.gbk {
			enc = "gbk"
		}
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="%s"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>%s</title>
<link>%s/</link>
<atom:link href="%s%s" rel="self" type="application/rss+xml"/>
<description>%s</description>
<language>%s</language>
<lastBuildDate>%s</lastBuildDate>
<ttl>15</ttl>
`, enc, xmlEsc(o.brand), base, base, o.feedPath(), xmlEsc(o.brand), lang(o), newest.Format(time.RFC1123Z))
		for _, p := range o.items {
			fmt.Fprintf(&b, `<item>
<title><![CDATA[%s]]></title>
<link>%s%s</link>
<guid isPermaLink="false">%s-%d</guid>
<pubDate>%s</pubDate>
<dc:creator><![CDATA[%s]]></dc:creator>
<category><![CDATA[%s]]></category>
<description><![CDATA[<p>%s</p>]]></description>
</item>
`, p.title, base, p.path, o.name, p.id, p.published.Format(time.RFC1123Z), author(p), o.section, htmlEsc(p.summary))
		}
		b.WriteString("</channel>\n</rss>\n")
	}
	body := []byte(b.String())
	ctype := "application/rss+xml; charset=utf-8"
	if o.atom {
		ctype = "application/atom+xml; charset=utf-8"
	}
	if o.gbk {
		enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(body)
		if err != nil {
			return fmt.Errorf("encode feed %s as gbk: %w", o.name, err)
		}
		body, ctype = enc, "application/rss+xml; charset=gbk"
	}
	res, err := s.resource("feed", body, ctype, newest)
	if err != nil {
		return err
	}
	o.feed = res
	s.byPath[key(o.host, o.feedPath())] = res
	return nil
}

func (s *site) resource(kind string, body []byte, ctype string, modified time.Time) (*resource, error) {
	h := fnv.New64a()
	h.Write(body)
	res := &resource{kind: kind, body: body, ctype: ctype, etag: fmt.Sprintf(`"%016x"`, h.Sum64()), modified: modified.UTC().Truncate(time.Second)}
	if s.opts.Gzip {
		var buf bytes.Buffer
		if s.zw == nil {
			zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
			if err != nil {
				return nil, err
			}
			s.zw = zw // its compressor state is large: one per site
		} else {
			s.zw.Reset(&buf)
		}
		s.zw.Write(body)
		if err := s.zw.Close(); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		res.gz = buf.Bytes()
	}
	return res, nil
}

// newRand returns the random source of one stream of the site. The seed
// and stream go through SplitMix64 first: PCG states that differ in a few
// low bits give correlated first outputs.
func newRand(seed, stream uint64) *rand.Rand {
	a := splitMix(seed ^ splitMix(stream))
	return rand.New(rand.NewPCG(a, splitMix(a)))
}

func splitMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// lookup finds the resource at path on host.
func (s *site) lookup(host int, path string) *resource { return s.byPath[key(host, path)] }

func key(host int, path string) string { return fmt.Sprintf("%d|%s", host, path) }

func lang(o *outlet) string {
	if o.zh {
		return "zh-cn"
	}
	return "en"
}

func author(p *page) string {
	people := enPeople
	if p.outlet.zh {
		people = zhPeople
	}
	return people[p.id%len(people)]
}

// lastModified formats t for the Last-Modified header.
func lastModified(t time.Time) string { return t.UTC().Format(http.TimeFormat) }
