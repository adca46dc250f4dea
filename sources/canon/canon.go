// Package canon gives each article one URL: it normalises the many links that
// lead to the same page (case, default ports, percent-encoding, dot segments,
// tracking parameters, parameter order, AMP and mobile variants) so that they
// compare equal.
package canon

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ErrUnsupported is returned for a URL that is not an absolute http or https
// URL (another scheme, or a relative reference with no base).
var ErrUnsupported = errors.New("not an absolute http or https URL")

// URL returns the canonical form of raw, resolved against base when relative
// (base may be nil): scheme and host in lowercase, the host in ASCII (IDNA),
// no default port, no user information, no fragment, dot segments removed,
// percent-encoding normalised (uppercase hex, unreserved characters
// decoded), tracking parameters removed, the other parameters sorted by name,
// and no empty "?". The path keeps its case.
func URL(raw string, base *url.URL) (string, error) {
	u, err := url.Parse(cleanInput(raw))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("canonical url %q: %w", raw, err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Opaque != "" {
		return "", fmt.Errorf("canonical url %q: %w", raw, ErrUnsupported)
	}
	host, err := canonHost(u)
	if err != nil {
		return "", fmt.Errorf("canonical url %q: %w", raw, err)
	}
	path := removeDotSegments(normEscapes(u.EscapedPath(), pathByte))
	if path == "" {
		path = "/"
	}
	query := canonQuery(u.RawQuery, host, path)

	var b strings.Builder
	b.Grow(len(u.Scheme) + 3 + len(host) + len(path) + 1 + len(query))
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(host)
	b.WriteString(path)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	return b.String(), nil
}

// cleanInput removes what browsers ignore in a link: leading and trailing
// whitespace and control characters, and tabs and newlines anywhere.
func cleanInput(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\r\n") {
		s = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, s)
	}
	return s
}

// canonHost returns the host (and port, when not the scheme's default) in
// canonical form.
func canonHost(u *url.URL) (string, error) {
	name := u.Hostname()
	port := u.Port()
	if u.Host == "" || name == "" {
		return "", errors.New("no host")
	}
	var host string
	if ip, err := netip.ParseAddr(name); err == nil {
		if ip.Is4() {
			host = ip.String()
		} else {
			host = "[" + strings.ReplaceAll(ip.String(), "%", "%25") + "]"
		}
	} else {
		name = strings.TrimSuffix(name, ".")
		if name == "" || strings.HasSuffix(name, ".") {
			return "", errors.New("invalid host")
		}
		switch {
		case isASCII(name):
			host = strings.ToLower(name)
		case !utf8.ValidString(name):
			return "", errors.New("invalid host: not UTF-8")
		default:
			a, err := idna.Lookup.ToASCII(name)
			if err != nil {
				return "", fmt.Errorf("invalid host: %w", err)
			}
			host = a
		}
		for i := 0; i < len(host); i++ {
			if !hostByte(host[i]) {
				return "", fmt.Errorf("invalid host %q", host)
			}
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n > 65535 {
			return "", fmt.Errorf("invalid port %q", port)
		}
		if !(u.Scheme == "http" && n == 80) && !(u.Scheme == "https" && n == 443) {
			host += ":" + strconv.Itoa(n)
		}
	}
	return host, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Character classes of RFC 3986.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func subDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

// hostByte is a byte a registered name may hold unescaped.
func hostByte(c byte) bool { return unreserved(c) || subDelim(c) }

// pathByte is a byte a path may hold unescaped.
func pathByte(c byte) bool { return unreserved(c) || subDelim(c) || c == ':' || c == '@' || c == '/' }

// queryByte is a byte a query parameter name or value may hold unescaped;
// & separates parameters, so it stays escaped inside one.
func queryByte(c byte) bool {
	return unreserved(c) || (subDelim(c) && c != '&') || c == ':' || c == '@' || c == '/' || c == '?'
}

const upperhex = "0123456789ABCDEF"

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// normEscapes returns s with every percent-escape in uppercase hex, escapes
// of unreserved characters decoded, and every byte that allowed rejects
// escaped. A stray % is escaped as %25.
func normEscapes(s string, allowed func(byte) bool) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = s[i] != '%' && allowed(s[i])
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 < len(s) {
				hi, ok1 := unhex(s[i+1])
				lo, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					d := hi<<4 | lo
					if unreserved(d) {
						b.WriteByte(d)
					} else {
						b.WriteByte('%')
						b.WriteByte(upperhex[d>>4])
						b.WriteByte(upperhex[d&15])
					}
					i += 2
					continue
				}
			}
			b.WriteString("%25")
			continue
		}
		if allowed(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

// removeDotSegments applies RFC 3986 section 5.2.4 to an absolute path.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

// canonQuery drops empty and tracking parameters, normalises the escapes of
// the others and sorts them by name (keeping the order of repeated names).
func canonQuery(raw, host, path string) string {
	if raw == "" {
		return ""
	}
	keep := keepOnly(host, path)
	type param struct{ key, kv string }
	var params []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		kv := normEscapes(part, queryByte)
		key, _, _ := strings.Cut(kv, "=")
		if key == "" && kv == "=" {
			continue
		}
		name := paramName(key)
		if keep != nil {
			if !slices.Contains(keep, name) {
				continue
			}
		} else if IsTracking(name) {
			continue
		}
		params = append(params, param{key: key, kv: kv})
	}
	if len(params) == 0 {
		return ""
	}
	slices.SortStableFunc(params, func(a, b param) int { return strings.Compare(a.key, b.key) })
	var b strings.Builder
	b.Grow(len(raw))
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.kv)
	}
	return b.String()
}

// paramName is a parameter name decoded and in lowercase, for matching.
func paramName(key string) string {
	if strings.IndexByte(key, '%') >= 0 || strings.IndexByte(key, '+') >= 0 {
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
	}
	return strings.ToLower(key)
}

// keepOnly names the only parameters that identify a page on hosts whose
// links carry many session parameters; nil means no such rule.
func keepOnly(host, path string) []string {
	if host == "mp.weixin.qq.com" && (path == "/s" || strings.HasPrefix(path, "/s/") || path == "/mp/appmsg/show") {
		return []string{"__biz", "mid", "idx", "sn", "appmsgid", "itemidx"}
	}
	return nil
}

// trackingParams are parameter names (in lowercase) that record how a link
// was shared or clicked, not which page it names.
var trackingParams = map[string]bool{
	// Analytics and ad click identifiers.
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "ysclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"igshid": true, "igsh": true, "mc_cid": true, "mc_eid": true, "_hsenc": true, "_hsmi": true,
	"mkt_tok": true, "_ga": true, "_gl": true, "_openstat": true, "oly_anon_id": true, "oly_enc_id": true,
	"rb_clickid": true, "vero_id": true, "vero_conv": true, "wickedid": true, "s_cid": true, "s_kwcid": true,
	"ef_id": true, "cmpid": true, "xtor": true, "ncid": true, "ocid": true, "icid": true,
	"pk_campaign": true, "pk_kwd": true, "pk_keyword": true, "pk_source": true, "pk_medium": true,
	"pk_content": true, "pk_cid": true,
	"wt.mc_id": true, "wt.mc_ev": true, "wt_mc": true, "wt_mc_id": true, "wt_zmc": true, "wt.tsrc": true,
	"__twitter_impression": true, "sr_share": true, "fb_action_ids": true, "fb_action_types": true,
	"fb_ref": true, "fb_source": true, "action_object_map": true, "action_type_map": true,
	"action_ref_map": true, "_branch_match_id": true, "_branch_referrer": true,
	"trk": true, "trkcampaign": true, "at_medium": true, "at_campaign": true,
	"hmsr": true, "hmpl": true, "hmcu": true, "hmkw": true, "hmci": true, "bd_vid": true,
	// Referrers and share markers.
	"ref": true, "ref_src": true, "ref_url": true, "referrer": true, "si": true,
	"from": true, "is_from": true, "tt_from": true, "vn_source": true, "share_token": true,
	"share_source": true, "share_from": true, "share_medium": true, "share_plat": true,
	"share_session_id": true, "share_tag": true, "shareid": true, "share_id": true,
	"spm": true, "scm": true, "spm_id_from": true, "vd_source": true, "usqp": true,
}

// trackingPrefixes start parameter names that are always tracking.
var trackingPrefixes = []string{"utm_", "sharer_", "mtm_", "hsa_"}

// IsTracking reports whether a query parameter name (in any case) is a
// tracking parameter that canonical URLs drop.
func IsTracking(name string) bool {
	name = strings.ToLower(name)
	if trackingParams[name] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
