package store

import (
	"database/sql/driver"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMigrationsHaveBothDialects(t *testing.T) {
	if len(pgMigrations) != len(migrations) {
		t.Fatalf("%d PostgreSQL migrations, %d SQLite ones", len(pgMigrations), len(migrations))
	}
	for i, m := range migrations {
		if p := pgMigrations[i]; p.version != m.version || p.name != m.name {
			t.Errorf("migration %d: SQLite %s, PostgreSQL %s", i, m.name, p.name)
		}
	}
}

func TestTranslate(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"positional":      {`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		"numbered":        {`WHERE ?1 = '' OR name = ?1`, `WHERE $1 = '' OR name = $1`},
		"named, repeated": {`WHERE x <= :now OR y = :owner OR z <= :now`, `WHERE x <= $1 OR y = $2 OR z <= $1`},
		"strings kept":    {`SELECT '?', 'it''s :x' FROM t WHERE a = ?`, `SELECT '?', 'it''s :x' FROM t WHERE a = $1`},
		"comments kept":   {"SELECT a -- what's :this?\nFROM t", "SELECT a -- what's :this?\nFROM t"},
		"scalar max, min": {`SELECT max(a, min(b, ?)), max(c) FROM t`, `SELECT GREATEST(a, LEAST(b, $1)), max(c) FROM t`},
		"json_each":       {`x IN (SELECT value FROM json_each(:dead))`, `x IN(SELECT value FROM json_array_elements_text(CAST($1 AS json)))`},
		"cast":            {`CAST(v AS INTEGER)`, `CAST(v AS BIGINT)`},
		"now":             {`VALUES (?, strftime('%s','now'))`, `VALUES($1, CAST(extract(epoch FROM now()) AS BIGINT))`},
		"unixepoch": {`strftime('%s', d * 86400, 'unixepoch', '+1 month', '-1 day')`,
			`CAST(extract(epoch FROM (((to_timestamp(d * 86400) AT TIME ZONE 'UTC') + interval '1 month') - interval '1 day')) AS BIGINT)`},
		"pg casts kept": {`SELECT x::text`, `SELECT x::text`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := translate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if q.sql != tt.want {
				t.Errorf("translate(%q)\n got %q\nwant %q", tt.in, q.sql, tt.want)
			}
		})
	}
}

func TestTranslateOrdersArguments(t *testing.T) {
	q, err := translate(`UPDATE t SET a = :now, b = ? WHERE id = :id AND c < :now`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.args([]driver.NamedValue{{Ordinal: 1, Value: "b"}, {Name: "id", Ordinal: 2, Value: int64(7)}, {Name: "now", Ordinal: 3, Value: int64(100)}})
	if err != nil {
		t.Fatal(err)
	}
	want := []driver.NamedValue{{Ordinal: 1, Value: int64(100)}, {Ordinal: 2, Value: "b"}, {Ordinal: 3, Value: int64(7)}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("args (-want +got):\n%s", d)
	}
	if _, err := q.args(nil); err == nil {
		t.Error("no error for missing arguments")
	}
}

func TestTranslateRefusesWhatItCannotTranslate(t *testing.T) {
	for _, q := range []string{`strftime('%Y', x)`, `SELECT (a`, `strftime('%s', x, 'localtime')`} {
		if _, err := translate(q); err == nil {
			t.Errorf("translate(%q): no error", q)
		}
	}
}

func TestMaskDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h:5/db?sslmode=disable": "postgres://u:xxxxx@h:5/db?sslmode=disable",
		"postgres://h/db?password=secret":            "postgres://h/db?password=xxxxx",
		"postgres://u@h/db":                          "postgres://u@h/db",
	} {
		if got := MaskDSN(in); got != want {
			t.Errorf("MaskDSN(%q) = %q, want %q", in, got, want)
		}
	}
}
