package store

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
)

// TestQueryPlans checks that the lookups that run for every item and every
// headline event search an index instead of scanning a table.
func TestQueryPlans(t *testing.T) {
	if os.Getenv(pgEnv) != "" {
		t.Skip("SQLite's query plans")
	}
	s := openTest(t)
	tests := map[string]struct {
		q     string
		args  []any
		index string
	}{
		"unseen":     {"SELECT key FROM article_keys WHERE key IN (?,?,?)", []any{"a", "b", "c"}, "article_keys"},
		"storylines": {storylinesQuery, []any{"alibaba", "tencent", 19000, 19100}, "storylines_cluster"},
		"due alerts": {dueAlerts,
			[]any{sql.Named("now", 1), sql.Named("owner", "w"), sql.Named("dead", "[]"), sql.Named("limit", 5)}, "outbox_due"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rows, err := s.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+tt.q, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			all := strings.Join(plan, "\n")
			for _, line := range plan {
				if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "json_each") {
					t.Errorf("plan scans a table:\n%s", all)
				}
			}
			if !strings.Contains(all, tt.index) {
				t.Errorf("plan does not use %s:\n%s", tt.index, all)
			}
		})
	}
}
