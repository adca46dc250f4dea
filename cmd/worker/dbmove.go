package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wallwatch/worker/config"
	"github.com/wallwatch/worker/store"
)

// dbMoveCmds are db migrate and db copy: bringing a database to this
// binary's schema, and moving an installation from one database to another
// (SQLite to PostgreSQL for several replicas).
func (a *app) dbMoveCmds() []*cobra.Command {
	migrate := &cobra.Command{
		Use:   "migrate [DATABASE]",
		Short: "Bring the database (a SQLite file or a postgres:// URL; default: the configured one) to this binary's schema",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			db := cfg.Database
			if len(args) == 1 {
				db = args[0]
			}
			st, err := store.Open(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Ready(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s: at schema %d\n", shownDatabase(db), store.SchemaVersion())
			return nil
		},
	}
	var from, to string
	cp := &cobra.Command{
		Use:   "copy --from DATABASE --to DATABASE",
		Short: "Copy everything recorded into a new database: --from sqlite:FILE (or a FILE) --to postgres://…",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" || to == "" {
				return usagef("db copy needs --from and --to, e.g. --from sqlite:./data/worker.db --to postgres://worker@db/worker")
			}
			src, dst := databaseArg(from), databaseArg(to)
			start := time.Now()
			rep, err := store.CopyDatabase(cmd.Context(), src, dst)
			if err != nil {
				return err
			}
			var parts []string
			for _, t := range rep.Tables {
				parts = append(parts, fmt.Sprintf("%s %d", t, rep.Rows[t]))
			}
			fmt.Fprintf(a.stdout, "copied %s to %s in %s: %s\n", shownDatabase(src), shownDatabase(dst),
				time.Since(start).Round(time.Millisecond), strings.Join(parts, ", "))
			fmt.Fprintf(a.stdout, "set database: (or WORKER_DATABASE) to the new database before starting serve\n")
			return nil
		},
	}
	cp.Flags().StringVar(&from, "from", "", "the database to copy: sqlite:FILE, a FILE, or a postgres:// URL")
	cp.Flags().StringVar(&to, "to", "", "the new, empty database: a postgres:// URL, sqlite:FILE or a FILE")
	return []*cobra.Command{migrate, cp}
}

// databaseArg reads a database argument: sqlite:FILE is the file FILE.
func databaseArg(s string) string {
	if f, ok := strings.CutPrefix(s, "sqlite:"); ok {
		return f
	}
	return s
}

// shownDatabase is a database fit for output: a PostgreSQL URL loses its
// password.
func shownDatabase(db string) string {
	if store.IsPostgres(db) {
		return store.MaskDSN(db)
	}
	return db
}

// backupEvery is serve's snapshot interval: none for PostgreSQL, which its
// own tools back up.
func backupEvery(cfg *config.Config) time.Duration {
	if store.IsPostgres(cfg.Database) {
		return 0
	}
	return cfg.Backup.Interval.D()
}
