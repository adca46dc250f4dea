package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// copyOrder is the order db copy fills the tables in: each after the
// tables it refers to. The references that go round (a development's
// alert, its previous step) are filled in after the outbox. Tables not
// named here (none today) follow in the source's order.
var copyOrder = []string{"meta", "articles", "article_keys", "storylines", "developments", "events",
	"article_developments", "outbox", "source_state"}

// notCopied are the tables each database keeps for itself: which
// migrations it applied and which process reads which source now.
var notCopied = []string{"schema_migrations", "source_leases"}

// CopyReport counts the rows db copy wrote, per table.
type CopyReport struct {
	Tables []string
	Rows   map[string]int
}

// CopyDatabase copies every row of the database from into the database to
// (a SQLite file or a PostgreSQL URL each), both migrated to SchemaVersion
// first, in one transaction on to. The destination must hold no articles,
// developments, deliveries or source state. The database's identity (the
// prefix of its Slack idempotency keys) moves with it, so messages posted
// before the move are still recognised.
func CopyDatabase(ctx context.Context, from, to string) (CopyReport, error) {
	src, err := Open(ctx, from)
	if err != nil {
		return CopyReport{}, fmt.Errorf("copy: %w", err)
	}
	defer src.Close()
	dst, err := Open(ctx, to)
	if err != nil {
		return CopyReport{}, fmt.Errorf("copy: %w", err)
	}
	defer dst.Close()
	rep := CopyReport{Rows: map[string]int{}}
	err = src.read(ctx, func(stx *sql.Tx) error {
		tables, err := copyTables(ctx, src, stx)
		if err != nil {
			return err
		}
		rep.Tables = tables
		return dst.write(ctx, func(dtx *sql.Tx) error {
			if err := mustBeEmpty(ctx, dtx); err != nil {
				return err
			}
			for _, t := range tables {
				n, err := copyTable(ctx, stx, dtx, t)
				if err != nil {
					return fmt.Errorf("table %s: %w", t, err)
				}
				rep.Rows[t] = n
			}
			return relink(ctx, stx, dtx)
		})
	})
	if err != nil {
		return rep, fmt.Errorf("copy %s to %s: %w", src.path, dst.path, err)
	}
	return rep, nil
}

// copyTables lists the source's tables in copyOrder.
func copyTables(ctx context.Context, s *Store, tx *sql.Tx) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`
	if s.postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var all []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if !slices.Contains(notCopied, t) {
			all = append(all, t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, t := range copyOrder {
		if slices.Contains(all, t) {
			out = append(out, t)
		}
	}
	for _, t := range all {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// mustBeEmpty refuses a destination that already holds what a worker
// records.
func mustBeEmpty(ctx context.Context, tx *sql.Tx) error {
	for _, t := range []string{"articles", "developments", "outbox", "source_state"} {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("the destination already holds %d rows of %s: copy only into a new database", n, t)
		}
	}
	// The new database's own identity gives way to the one copied.
	_, err := tx.ExecContext(ctx, `DELETE FROM meta`)
	return err
}

// copyTable copies table t row by row, in rowid order where it has one;
// the developments' references to the outbox and to earlier steps wait for
// relink.
func copyTable(ctx context.Context, stx, dtx *sql.Tx, t string) (int, error) {
	order := ""
	if slices.Contains([]string{"articles", "storylines", "developments", "events", "outbox"}, t) {
		order = " ORDER BY id"
	}
	rows, err := stx.QueryContext(ctx, `SELECT * FROM `+t+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	insert := `INSERT INTO ` + t + ` (` + strings.Join(cols, ", ") + `) VALUES (` + marks + `)`
	deferred := map[int]bool{}
	if t == "developments" {
		for i, c := range cols {
			deferred[i] = c == "alert_id" || c == "previous_id"
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i := range vals {
			if deferred[i] {
				vals[i] = nil
			}
		}
		if _, err := dtx.ExecContext(ctx, insert, vals...); err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		n++
	}
	return n, rows.Err()
}

// relink sets the developments' alert and previous step, once the rows
// they name are there.
func relink(ctx context.Context, stx, dtx *sql.Tx) error {
	rows, err := stx.QueryContext(ctx, `SELECT id, alert_id, previous_id FROM developments
		WHERE alert_id IS NOT NULL OR previous_id IS NOT NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("developments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var alert, prev sql.NullInt64
		if err := rows.Scan(&id, &alert, &prev); err != nil {
			return err
		}
		if _, err := dtx.ExecContext(ctx, `UPDATE developments SET alert_id = ?, previous_id = ? WHERE id = ?`,
			alert, prev, id); err != nil {
			return fmt.Errorf("development %d: %w", id, err)
		}
	}
	return rows.Err()
}
