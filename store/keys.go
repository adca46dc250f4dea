package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
)

// A stored article is known by its URL and by its canonical URL. A
// canonical URL on the article's own site stands for the article: the site
// says the two are one page. A canonical URL on another site (an
// aggregator's teaser naming the original) is only a claim: it dedupes
// other fetched pages that make the same claim, but never stands for the
// page it names, which is still fetched and recorded as itself.

// sameSite reports whether two URLs are on one site: the same host, a
// leading "www." aside.
func sameSite(a, b string) bool {
	ha, hb := siteHost(a), siteHost(b)
	return ha != "" && ha == hb
}

func siteHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// standsFor reports whether key, held by an article fetched at owner,
// stands for a fetched page: the URL itself or a canonical on its site.
func standsFor(key, owner string) bool { return key == owner || sameSite(key, owner) }

// takeOverClaim handles key, already held by another article, for the
// article id fetched at pageURL. When the holder only claimed key from
// another site and key stands for this page, this page takes it over and
// taken is true; otherwise the article is a duplicate of the holder.
func takeOverClaim(ctx context.Context, tx *sql.Tx, key, pageURL string, id int64) (taken bool, err error) {
	var holder string
	err = tx.QueryRowContext(ctx, `SELECT a.url FROM article_keys k JOIN articles a ON a.id = k.article_id WHERE k.key = ?`,
		key).Scan(&holder)
	if err != nil {
		return false, fmt.Errorf("read the holder of %s: %w", key, err)
	}
	if standsFor(key, holder) || !standsFor(key, pageURL) {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE article_keys SET article_id = ? WHERE key = ?`, id, key); err != nil {
		return false, fmt.Errorf("take over %s: %w", key, err)
	}
	return true, nil
}
