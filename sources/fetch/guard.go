package fetch

import (
	"context"
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// trustKey carries, in a request's context, the origin ("scheme://host:port")
// that may be on a private network when Options.AllowPrivate is set: the
// source's own.
type trustKey struct{}

// withTrust returns ctx carrying the trusted origin ("" trusts none).
func withTrust(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, trustKey{}, origin)
}

// trustedIn reports whether u's origin is the origin ctx trusts.
func trustedIn(ctx context.Context, u *url.URL) bool {
	t, _ := ctx.Value(trustKey{}).(string)
	return t != "" && t == originOf(u)
}

// guardTransport sends each request through one of two connection pools.
// Both dial through the address guard and never reach a cloud metadata
// address. The private pool, which exists only with Options.AllowPrivate,
// may also reach private and loopback addresses and carries only requests
// to the origin their context trusts; the guarded pool, for everything
// else, refuses every non-public address. A link or redirect to another
// origin, another port of the source's host included, is never trusted.
// Keeping the pools apart means a connection dialed for a trusted origin is
// never reused for a request that did not trust it.
type guardTransport struct {
	private *http.Transport // nil without Options.AllowPrivate
	guarded *http.Transport
}

func (g *guardTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if g.private != nil && trustedIn(r.Context(), r.URL) {
		return g.private.RoundTrip(r)
	}
	return g.guarded.RoundTrip(r)
}

func (g *guardTransport) closeIdle() {
	if g.private != nil {
		g.private.CloseIdleConnections()
	}
	g.guarded.CloseIdleConnections()
}

// guardDialer resolves a host itself, refuses it when any of its addresses is
// not allowed, and then dials the checked addresses, so neither a redirect nor
// a name that resolves to a private address gets past it.
type guardDialer struct {
	dialer       net.Dialer
	resolver     *net.Resolver
	allowPrivate bool // then only cloud metadata addresses are refused
}

func (g *guardDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial %s: invalid port %q", addr, portStr)
	}
	var ips []netip.Addr
	literal := false
	if ip, err := netip.ParseAddr(host); err == nil {
		ips, literal = []netip.Addr{ip}, true
	} else {
		ips, err = g.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
	}
	for _, ip := range ips {
		why := refused(ip)
		if g.allowPrivate {
			why = ""
			if isMetadata(ip) {
				why = "cloud metadata"
			}
		}
		if why == "" {
			continue
		}
		if literal {
			return nil, fmt.Errorf("%w: %s (%s)", ErrPrivateAddress, host, why)
		}
		return nil, fmt.Errorf("%w: %s resolves to %s (%s)", ErrPrivateAddress, host, ip, why)
	}
	var first error
	for _, ip := range ips {
		conn, err := g.dialer.DialContext(ctx, network, netip.AddrPortFrom(ip.Unmap(), uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if first == nil {
		first = fmt.Errorf("dial %s: no addresses", addr)
	}
	return nil, first
}

var (
	// Special-purpose ranges the netip predicates do not cover.
	thisNetwork  = netip.MustParsePrefix("0.0.0.0/8")
	sharedSpace  = netip.MustParsePrefix("100.64.0.0/10") // CGNAT, also Alibaba Cloud metadata
	ietfProtocol = netip.MustParsePrefix("192.0.0.0/24")
	benchmarking = netip.MustParsePrefix("198.18.0.0/15")
	reservedV4   = netip.MustParsePrefix("240.0.0.0/4") // includes 255.255.255.255
	v4Compatible = netip.MustParsePrefix("::/96")
	nat64        = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local   = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	discardOnly  = netip.MustParsePrefix("100::/64")
	siteLocal    = netip.MustParsePrefix("fec0::/10")
)

// metadataList is the data behind isMetadata: addresses and prefixes of the
// clouds' metadata services, which hand out credentials.
//
//go:embed metadata.txt
var metadataList string

// metadataPrefixes is metadataList, parsed (an address is a full-length
// prefix).
var metadataPrefixes = mustPrefixes(metadataList)

// mustPrefixes reads lines of "address-or-prefix description", skipping
// blank lines and # comments; a bad line is a build mistake.
func mustPrefixes(list string) []netip.Prefix {
	var out []netip.Prefix
	for line := range strings.Lines(list) {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		p, err := netip.ParsePrefix(f[0])
		if err != nil {
			a, aerr := netip.ParseAddr(f[0])
			if aerr != nil {
				panic(fmt.Sprintf("metadata.txt: %q is neither an address nor a prefix", f[0]))
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p)
	}
	return out
}

// refused says why ip may not be reached by a request that may not go to
// private networks, or "" when it is a public address.
func refused(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "invalid"
	case isMetadata(ip) && !ip.IsLinkLocalUnicast():
		return "cloud metadata" // Azure's WireServer is on a public-looking address
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	if ip.Is4() {
		switch {
		case thisNetwork.Contains(ip):
			return "this network"
		case sharedSpace.Contains(ip):
			return "shared address space"
		case ietfProtocol.Contains(ip), benchmarking.Contains(ip), reservedV4.Contains(ip):
			return "reserved"
		}
		return ""
	}
	switch {
	case v4Compatible.Contains(ip), nat64Local.Contains(ip), discardOnly.Contains(ip), siteLocal.Contains(ip):
		return "reserved"
	case nat64.Contains(ip):
		b := ip.As16()
		if why := refused(netip.AddrFrom4([4]byte(b[12:16]))); why != "" {
			return "NAT64 of " + why
		}
	case sixToFour.Contains(ip):
		b := ip.As16()
		if why := refused(netip.AddrFrom4([4]byte(b[2:6]))); why != "" {
			return "6to4 of " + why
		}
	}
	return ""
}

// isMetadata reports whether ip is a cloud metadata address (metadata.txt).
func isMetadata(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	for _, p := range metadataPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// hostKey is the form of a host name used to compare hosts: lowercase, no
// trailing dot, IDNA in ASCII.
func hostKey(h string) string {
	h = strings.TrimSuffix(h, ".")
	if !isASCII(h) {
		if a, err := idna.Lookup.ToASCII(h); err == nil {
			return a
		}
	}
	return strings.ToLower(h)
}

// originOf is u's origin in the form trust compares: lower-case scheme,
// host key, and the port, explicit or the scheme's default.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(hostKey(u.Hostname()), port)
}

// trustedOrigin reads Request.TrustedOrigin: an absolute http(s) URL, of
// which only the origin counts; anything else trusts nothing.
func trustedOrigin(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return ""
	}
	return originOf(u)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// newTransport returns the shared transport settings around a dial function.
func newTransport(dial func(context.Context, string, string) (net.Conn, error), o Options) *http.Transport {
	return &http.Transport{
		Proxy:                  nil, // a proxy would dial for us and bypass the address guard
		DialContext:            dial,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    max(o.PerHostConcurrency, 16),
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    o.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  o.ResponseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true, // we ask for and decode gzip ourselves, with a cap
		MaxResponseHeaderBytes: 1 << 20,
	}
}
