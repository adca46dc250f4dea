package canon

import (
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// StripVariant reports the non-AMP, non-mobile form of a URL when its shape
// says it is one: an /amp/ path segment or an .amp suffix, ?amp=1 or
// outputType=amp, an amp., m. or mobile. host label, or an AMP cache address
// (cdn.ampproject.org, google.com/amp/). The caller prefers the page's own
// rel=canonical when there is one; this is for pages that name none.
//
// A variant host label is removed; when nothing but the registrable domain
// would remain, www. takes its place (m.example.com → www.example.com). The
// result is in canonical form (see URL); a u that URL rejects is returned as
// it is.
func StripVariant(u string) string {
	c, err := URL(u, nil)
	if err != nil {
		return u
	}
	p, err := url.Parse(c)
	if err != nil {
		return u
	}
	if inner, ok := ampCacheTarget(p); ok {
		if q, err := url.Parse(inner); err == nil && q.Host != "" {
			p = q
		}
	}
	out := p.Scheme + "://" + desktopHost(p) + desktopPath(p.EscapedPath())
	if q := desktopQuery(p.RawQuery); q != "" {
		out += "?" + q
	}
	if c, err := URL(out, nil); err == nil {
		return c
	}
	return c
}

// ampCacheTarget returns the publisher URL inside an AMP cache URL:
// https://example-com.cdn.ampproject.org/c/s/example.com/a and
// https://www.google.com/amp/s/example.com/a both name https://example.com/a
// (without the s segment, http).
func ampCacheTarget(p *url.URL) (string, bool) {
	host := strings.ToLower(p.Hostname())
	path := p.EscapedPath()
	var rest string
	switch {
	case host == "cdn.ampproject.org" || strings.HasSuffix(host, ".cdn.ampproject.org"):
		var ok bool
		if rest, ok = strings.CutPrefix(path, "/c/"); !ok {
			if rest, ok = strings.CutPrefix(path, "/v/"); !ok {
				return "", false
			}
		}
	case isGoogleHost(host):
		var ok bool
		if rest, ok = strings.CutPrefix(path, "/amp/"); !ok {
			return "", false
		}
	default:
		return "", false
	}
	scheme := "http://"
	if r, ok := strings.CutPrefix(rest, "s/"); ok {
		scheme, rest = "https://", r
	}
	if rest == "" || strings.HasPrefix(rest, "/") {
		return "", false
	}
	target := scheme + rest
	if p.RawQuery != "" {
		target += "?" + p.RawQuery
	}
	return target, true
}

// isGoogleHost matches google.com, www.google.com, google.co.uk, ….
func isGoogleHost(host string) bool {
	host = strings.TrimPrefix(host, "www.")
	rest, ok := strings.CutPrefix(host, "google.")
	if !ok {
		return false
	}
	suffix, _ := publicsuffix.PublicSuffix(host)
	return rest == suffix
}

// variantLabels are host labels that mark an AMP or mobile edition.
var variantLabels = map[string]bool{"amp": true, "m": true, "mobile": true}

// desktopHost removes AMP and mobile labels from p's host name (only below
// the registrable domain, so m.cn or amp.dev stay as they are).
func desktopHost(p *url.URL) string {
	name := strings.ToLower(strings.TrimSuffix(p.Hostname(), "."))
	domain, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil || domain == name {
		return p.Host
	}
	sub := strings.Split(strings.TrimSuffix(name, "."+domain), ".")
	kept := sub[:0]
	for _, l := range sub {
		if !variantLabels[l] {
			kept = append(kept, l)
		}
	}
	if len(kept) == len(sub) {
		return p.Host
	}
	if len(kept) == 0 {
		kept = append(kept, "www")
	}
	host := strings.Join(kept, ".") + "." + domain
	if port := p.Port(); port != "" {
		host += ":" + port
	}
	return host
}

// desktopPath removes amp path segments (when others remain) and an .amp
// suffix of the last segment (story.amp, story.amp.html).
func desktopPath(path string) string {
	segs := strings.Split(path, "/")
	others := 0
	for _, s := range segs {
		if s != "" && !strings.EqualFold(s, "amp") {
			others++
		}
	}
	if others > 0 {
		kept := segs[:0]
		for _, s := range segs {
			if !strings.EqualFold(s, "amp") {
				kept = append(kept, s)
			}
		}
		segs = kept
	}
	if n := len(segs); n > 0 {
		last := segs[n-1]
		for _, suf := range []string{".amp.html", ".amp.htm", ".amp"} {
			if base, ok := strings.CutSuffix(strings.ToLower(last), suf); ok && base != "" {
				last = last[:len(base)] + strings.TrimPrefix(suf, ".amp")
				break
			}
		}
		segs[n-1] = last
	}
	out := strings.Join(segs, "/")
	if out == "" {
		return "/"
	}
	return out
}

// desktopQuery removes the parameters that ask for an AMP edition.
func desktopQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for part := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		k, v = paramName(k), strings.ToLower(v)
		switch {
		case (k == "amp" || k == "_amp") && (v == "" || v == "1" || v == "true"),
			(k == "outputtype" || k == "output") && v == "amp",
			k == "amp_js_v" || k == "amp_gsa" || k == "amp_r" || k == "ampshare":
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "&")
}
