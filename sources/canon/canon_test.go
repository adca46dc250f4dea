package canon

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestURL(t *testing.T) {
	const base = "https://www.example.com/news/2024/index.html?page=2#top"
	tests := map[string]struct {
		raw  string
		base string
		want string
	}{
		// Scheme, host and port.
		"scheme and host in lowercase": {raw: "HTTP://WWW.Example.COM/a", want: "http://www.example.com/a"},
		"http default port":            {raw: "http://example.com:80/a", want: "http://example.com/a"},
		"https default port":           {raw: "https://example.com:443/a", want: "https://example.com/a"},
		"other port kept":              {raw: "http://example.com:8080/a", want: "http://example.com:8080/a"},
		"https port on http kept":      {raw: "http://example.com:443/a", want: "http://example.com:443/a"},
		"port leading zeros":           {raw: "http://example.com:0080/a", want: "http://example.com/a"},
		"empty port":                   {raw: "http://example.com:/a", want: "http://example.com/a"},
		"IDNA host":                    {raw: "http://Bücher.example/a", want: "http://xn--bcher-kva.example/a"},
		"IDNA Chinese host":            {raw: "https://例子.测试/", want: "https://xn--fsqu00a.xn--0zwm56d/"},
		"ideographic full stop":        {raw: "https://例子。测试/", want: "https://xn--fsqu00a.xn--0zwm56d/"},
		"punycode stays":               {raw: "https://XN--FSQU00A.xn--0zwm56d/", want: "https://xn--fsqu00a.xn--0zwm56d/"},
		"trailing dot":                 {raw: "https://example.com./a", want: "https://example.com/a"},
		"user info dropped":            {raw: "https://user:secret@example.com/a", want: "https://example.com/a"},
		"IPv4":                         {raw: "http://192.168.1.1:8080/a", want: "http://192.168.1.1:8080/a"},
		"IPv6 compressed, lowercase":   {raw: "http://[2001:DB8:0:0:0:0:0:1]:8080/", want: "http://[2001:db8::1]:8080/"},

		// Path.
		"empty path":                    {raw: "https://example.com", want: "https://example.com/"},
		"fragment dropped":              {raw: "https://example.com/a#section-2", want: "https://example.com/a"},
		"dot segments":                  {raw: "https://example.com/a/./b/../c/", want: "https://example.com/a/c/"},
		"dot segments above root":       {raw: "https://example.com/../../a", want: "https://example.com/a"},
		"trailing dot segment":          {raw: "https://example.com/a/b/..", want: "https://example.com/a/"},
		"encoded dot segments":          {raw: "https://example.com/a/%2E%2e/b", want: "https://example.com/b"},
		"dots inside names stay":        {raw: "https://example.com/a..b/c.html", want: "https://example.com/a..b/c.html"},
		"path case kept":                {raw: "https://example.com/News/Article-ABC.html", want: "https://example.com/News/Article-ABC.html"},
		"hex in uppercase":              {raw: "https://example.com/%e4%b8%ad%e6%96%87", want: "https://example.com/%E4%B8%AD%E6%96%87"},
		"unreserved decoded":            {raw: "https://example.com/%7Euser/%41%2d%5F%2E", want: "https://example.com/~user/A-_."},
		"reserved kept escaped":         {raw: "https://example.com/a%2fb%3A%40", want: "https://example.com/a%2Fb%3A%40"},
		"sub-delims kept":               {raw: "https://example.com/a;b=c,d!$'()*+", want: "https://example.com/a;b=c,d!$'()*+"},
		"non-ASCII path escaped":        {raw: "https://example.com/新闻/淘宝", want: "https://example.com/%E6%96%B0%E9%97%BB/%E6%B7%98%E5%AE%9D"},
		"space and pipe escaped":        {raw: "https://example.com/a b|c", want: "https://example.com/a%20b%7Cc"},
		"double slashes kept":           {raw: "https://example.com//a//b", want: "https://example.com//a//b"},
		"whitespace around":             {raw: " \t https://example.com/a \n", want: "https://example.com/a"},
		"newlines inside":               {raw: "https://exam\nple.com/a\r\n/b", want: "https://example.com/a/b"},
		"raw and escaped forms collide": {raw: "https://example.com/~a/%E6%96%B0", want: "https://example.com/~a/%E6%96%B0"},

		// Query.
		"params sorted":                    {raw: "https://example.com/a?b=2&a=1&c=3", want: "https://example.com/a?a=1&b=2&c=3"},
		"repeated names keep their order":  {raw: "https://example.com/a?x=2&b=1&x=1", want: "https://example.com/a?b=1&x=2&x=1"},
		"empty question mark":              {raw: "https://example.com/a?", want: "https://example.com/a"},
		"only separators":                  {raw: "https://example.com/a?&&", want: "https://example.com/a"},
		"empty params dropped":             {raw: "https://example.com/a?&id=1&&", want: "https://example.com/a?id=1"},
		"only tracking":                    {raw: "https://example.com/a?utm_source=x&spm=a.b.c", want: "https://example.com/a"},
		"tracking among others":            {raw: "https://example.com/a?id=7&utm_medium=rss&from=timeline&p=2", want: "https://example.com/a?id=7&p=2"},
		"tracking in any case":             {raw: "https://example.com/a?UTM_Source=x&ShareId=9&id=1", want: "https://example.com/a?id=1"},
		"tracking name escaped":            {raw: "https://example.com/a?%75tm_source=x&id=1", want: "https://example.com/a?id=1"},
		"look-alikes kept":                 {raw: "https://example.com/a?fromdate=1&reference=2&source=3&spmx=4", want: "https://example.com/a?fromdate=1&reference=2&source=3&spmx=4"},
		"name without value":               {raw: "https://example.com/a?print&id=1", want: "https://example.com/a?id=1&print"},
		"query escapes normalised":         {raw: "https://example.com/a?q=%7e%e4%b8%ad&x=a%26b", want: "https://example.com/a?q=~%E4%B8%AD&x=a%26b"},
		"query space and plus":             {raw: "https://example.com/a?q=a b+c", want: "https://example.com/a?q=a%20b+c"},
		"query keeps slashes and question": {raw: "https://example.com/a?next=/b?c", want: "https://example.com/a?next=/b?c"},
		"weixin article keeps its identity": {
			raw:  "https://mp.weixin.qq.com/s?__biz=MzA3&mid=2650&idx=1&sn=5e8f&chksm=84ab&scene=21&sessionid=1#wechat_redirect",
			want: "https://mp.weixin.qq.com/s?__biz=MzA3&idx=1&mid=2650&sn=5e8f",
		},
		"weixin short link has no params": {
			raw:  "https://mp.weixin.qq.com/s/AbC-dEf?scene=1",
			want: "https://mp.weixin.qq.com/s/AbC-dEf",
		},

		// Relative references.
		"relative path":          {raw: "../2023/b.html", base: base, want: "https://www.example.com/news/2023/b.html"},
		"absolute path":          {raw: "/about", base: base, want: "https://www.example.com/about"},
		"query only":             {raw: "?page=3", base: base, want: "https://www.example.com/news/2024/index.html?page=3"},
		"fragment only":          {raw: "#comments", base: base, want: "https://www.example.com/news/2024/index.html?page=2"},
		"scheme relative":        {raw: "//CDN.example.com/x", base: base, want: "https://cdn.example.com/x"},
		"absolute ignores base":  {raw: "http://other.example/y", base: base, want: "http://other.example/y"},
		"empty reference":        {raw: "", base: base, want: "https://www.example.com/news/2024/index.html?page=2"},
		"base itself normalised": {raw: "c", base: "HTTPS://Example.com:443/a/./b?x#y", want: "https://example.com/a/c"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var b *url.URL
			if tt.base != "" {
				b = mustParse(t, tt.base)
			}
			got, err := URL(tt.raw, b)
			if err != nil {
				t.Fatalf("URL(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("URL(%q) = %q; want %q", tt.raw, got, tt.want)
			}
			again, err := URL(got, nil)
			if err != nil || again != got {
				t.Errorf("URL(%q) = %q, %v; not idempotent", got, again, err)
			}
		})
	}
}

func TestURLTrackingParams(t *testing.T) {
	// Every name in the list of parameters canonical URLs must drop.
	names := []string{
		"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_whatever",
		"spm", "scm", "from", "share_token", "share_source", "share_from", "shareId",
		"sharer_shareid", "sharer_sharetime", "fbclid", "gclid", "yclid", "mc_cid", "mc_eid",
		"igshid", "si", "ref", "ref_src", "_hsenc", "_hsmi", "mkt_tok", "wt_mc", "WT.mc_id",
		"cmpid", "xtor", "ncid", "sr_share", "__twitter_impression", "vn_source", "tt_from",
		"is_from", "msclkid",
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			raw := "https://example.com/a?id=1&" + name + "=x&z=2"
			got, err := URL(raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := "https://example.com/a?id=1&z=2"; got != want {
				t.Errorf("URL(%q) = %q; want %q", raw, got, want)
			}
			if !IsTracking(name) || !IsTracking(strings.ToUpper(name)) {
				t.Errorf("IsTracking(%q) = false", name)
			}
		})
	}
	for _, name := range []string{"id", "p", "page", "aid", "source", "fromdate", "references", "sid"} {
		if IsTracking(name) {
			t.Errorf("IsTracking(%q) = true", name)
		}
	}
}

func TestURLErrors(t *testing.T) {
	tests := map[string]struct {
		raw  string
		base string
		want error // errors.Is; nil: any error
	}{
		"ftp":                   {raw: "ftp://example.com/a", want: ErrUnsupported},
		"mailto":                {raw: "mailto:news@example.com", want: ErrUnsupported},
		"javascript":            {raw: "javascript:void(0)", want: ErrUnsupported},
		"data":                  {raw: "data:text/html,hi", want: ErrUnsupported},
		"relative without base": {raw: "/news/a.html", want: ErrUnsupported},
		"relative to ftp base":  {raw: "a.html", base: "ftp://example.com/", want: ErrUnsupported},
		"opaque http":           {raw: "http:example.com/a", want: ErrUnsupported},
		"no host":               {raw: "http:///a"},
		"bad escape":            {raw: "https://example.com/%zz"},
		"space in host":         {raw: "https://exa mple.com/"},
		"port out of range":     {raw: "https://example.com:70000/"},
		"bad IDNA":              {raw: "https://ex\u200dample.测试/"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var b *url.URL
			if tt.base != "" {
				b = mustParse(t, tt.base)
			}
			got, err := URL(tt.raw, b)
			if err == nil {
				t.Fatalf("URL(%q) = %q; want an error", tt.raw, got)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v; want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), strconv.Quote(tt.raw)) {
				t.Errorf("error %q does not name the URL", err)
			}
		})
	}
}

func TestStripVariant(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		"amp segment":                  {in: "https://www.example.com/amp/news/1.html", want: "https://www.example.com/news/1.html"},
		"amp segment at the end":       {in: "https://www.example.com/2024/09/04/slug/amp/", want: "https://www.example.com/2024/09/04/slug/"},
		"amp segment last, no slash":   {in: "https://www.example.com/news/slug/amp", want: "https://www.example.com/news/slug"},
		"amp suffix":                   {in: "https://www.example.com/news/business-123.amp", want: "https://www.example.com/news/business-123"},
		"amp html suffix":              {in: "https://www.example.com/news/story.amp.html", want: "https://www.example.com/news/story.html"},
		"amp=1":                        {in: "https://www.example.com/news/1?amp=1", want: "https://www.example.com/news/1"},
		"bare amp parameter":           {in: "https://www.example.com/news/1?id=5&amp", want: "https://www.example.com/news/1?id=5"},
		"amp=true":                     {in: "https://www.example.com/news/1?amp=true&id=5", want: "https://www.example.com/news/1?id=5"},
		"outputType=amp":               {in: "https://www.example.com/news/1?outputType=amp", want: "https://www.example.com/news/1"},
		"m host":                       {in: "https://m.example.com/news/1", want: "https://www.example.com/news/1"},
		"mobile host":                  {in: "https://mobile.example.com/news/1", want: "https://www.example.com/news/1"},
		"amp host":                     {in: "https://amp.example.co.uk/news/1", want: "https://www.example.co.uk/news/1"},
		"m label inside":               {in: "https://en.m.example.org/wiki/X", want: "https://en.example.org/wiki/X"},
		"m above a section host":       {in: "https://m.tech.example.com.cn/a/1.shtml", want: "https://tech.example.com.cn/a/1.shtml"},
		"host and path together":       {in: "HTTPS://M.Example.com/A/amp/?utm_source=x", want: "https://www.example.com/A/"},
		"AMP cache":                    {in: "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/1.amp.html", want: "https://www.example.com/news/1.html"},
		"AMP viewer cache":             {in: "https://www-example-com.cdn.ampproject.org/v/s/www.example.com/amp/news/1?amp_js_v=0.1&usqp=mq331AQ", want: "https://www.example.com/news/1"},
		"Google AMP":                   {in: "https://www.google.com/amp/s/m.example.com/news/1", want: "https://www.example.com/news/1"},
		"Google AMP over http":         {in: "https://www.google.co.uk/amp/example.com/news/1", want: "http://example.com/news/1"},
		"not a variant":                {in: "https://www.example.com/news/1", want: "https://www.example.com/news/1"},
		"m is the domain":              {in: "https://m.cn/news/1", want: "https://m.cn/news/1"},
		"word starting with amp":       {in: "https://www.example.com/ampere/1", want: "https://www.example.com/ampere/1"},
		"amp alone is a page":          {in: "https://www.example.com/amp", want: "https://www.example.com/amp"},
		"amp=0 kept":                   {in: "https://www.example.com/a?amp=0", want: "https://www.example.com/a?amp=0"},
		"label starting with m":        {in: "https://mobilegames.example.com/a", want: "https://mobilegames.example.com/a"},
		"Google search is not a cache": {in: "https://www.google.com/search?q=amp", want: "https://www.google.com/search?q=amp"},
		"not http":                     {in: "ftp://m.example.com/amp/x", want: "ftp://m.example.com/amp/x"},
		"not a URL":                    {in: "::not a url", want: "::not a url"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := StripVariant(tt.in); got != tt.want {
				t.Errorf("StripVariant(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

// fuzzSeeds are inputs for FuzzURL and FuzzStripVariant.
var fuzzSeeds = []string{
	"HTTP://WWW.Example.COM:80/a/./b/../c/%7euser/%e4%b8%ad?b=2&utm_source=x&a=1&&#frag",
	"https://例子.测试/新闻?q=中 文",
	"https://user:pw@example.com./x/..//y?%75tm_x=1&a=%26&b=1+2",
	"http://[::ffff:127.0.0.1]:0080/",
	"https://mp.weixin.qq.com/s?__biz=MzA&mid=26&idx=1&sn=abc&scene=21#wechat_redirect",
	"https://www-example-com.cdn.ampproject.org/c/s/m.example.com/amp/a.amp.html?amp=1",
	"../x/%2e%2E/y",
	"//cdn.example.com/%zz",
	"javascript:alert(1)",
	"http://a/b/c/d;p?q",
	"https://example.com/%",
	"https://example.com/?=&==&a==b",
}

func FuzzURL(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	base := mustParse(f, "https://www.example.com/news/2024/index.html?page=2")
	f.Fuzz(func(t *testing.T, raw string) {
		for _, b := range []*url.URL{nil, base} {
			got, err := URL(raw, b)
			if err != nil {
				continue
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("URL(%q) = %q, which does not parse: %v", raw, got, err)
			}
			if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Fragment != "" {
				t.Fatalf("URL(%q) = %q: not an absolute http(s) URL without fragment", raw, got)
			}
			again, err := URL(got, nil)
			if err != nil {
				t.Fatalf("URL(%q) = %q, which fails again: %v", raw, got, err)
			}
			if again != got {
				t.Fatalf("not idempotent: URL(%q) = %q, then %q", raw, got, again)
			}
		}
	})
}

func FuzzStripVariant(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := StripVariant(raw)
		if _, err := URL(raw, nil); err != nil {
			return
		}
		// A URL that canonicalises keeps doing so without its variant marks.
		if c, err := URL(got, nil); err != nil || c != got {
			t.Fatalf("StripVariant(%q) = %q; URL of it = %q, %v", raw, got, c, err)
		}
	})
}

func BenchmarkURL(b *testing.B) {
	inputs := []string{
		"https://www.example.com/news/2024/09/04/taobao-wechat-pay.html",
		"https://tech.example.com.cn/a/2024-09-04/doc-inckxyz.shtml?utm_source=rss&from=timeline&id=42",
		"HTTP://Example.COM:80/a/./b/../%e6%b7%98%e5%ae%9d?b=2&a=1#frag",
		"/news/2024/09/04/article.html",
	}
	base := mustParse(b, "https://www.example.com/news/")
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range inputs {
			if _, err := URL(s, base); err != nil {
				b.Fatal(err)
			}
		}
	}
}
