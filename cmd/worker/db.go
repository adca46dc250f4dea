package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/wallwatch/worker/store"
)

func (a *app) dbCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "db", Short: "Check, back up, restore, migrate and copy the database", Args: noArgs}
	cmd.AddCommand(a.dbMoveCmds()...)
	cmd.AddCommand(&cobra.Command{
		Use:   "check [FILE]",
		Short: "Check the database (or a backup FILE) without changing it: integrity, schema, contents",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			path := cfg.Database
			if len(args) == 1 {
				path = args[0]
			}
			if err := mustExist(path); err != nil {
				return err
			}
			rep, err := store.Check(cmd.Context(), path)
			if err != nil {
				return err
			}
			c := rep.Counts
			fmt.Fprintf(a.stdout, "%s: ok (schema %d): %d articles, %d events, %d developments, %d alerts pending\n",
				path, rep.SchemaVersion, c.Articles, c.Events, c.Developments, c.Pending)
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "backup [FILE]",
		Short: "Write an online snapshot of the database (default: backup.path, or the database path + .backup)",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			path := cfg.BackupPath()
			if len(args) == 1 {
				path = args[0]
			}
			st, err := openExisting(cmd.Context(), cfg.Database)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Snapshot(cmd.Context(), path); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "snapshot of %s written to %s\n", cfg.Database, path)
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the database with a checked copy of the snapshot FILE (stop serve first); the old file is kept aside",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			aside, err := store.Restore(cmd.Context(), args[0], cfg.Database)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s restored from %s\n", cfg.Database, args[0])
			if aside != "" {
				fmt.Fprintf(a.stdout, "the database it replaced is kept at %s\n", aside)
			}
			return nil
		},
	})
	return cmd
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("%s takes at most %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

// openExisting opens the database for a command that only reads it: one
// that is not there is an error naming the path, never a new empty file.
func openExisting(ctx context.Context, path string) (*store.Store, error) {
	if err := mustExist(path); err != nil {
		return nil, err
	}
	return store.Open(ctx, path)
}

// mustExist says, for a SQLite database a command would only read, that
// there is none at path and how to point at the right one.
func mustExist(path string) error {
	if store.IsPostgres(path) {
		return nil // a server, not a file: Open says when it cannot be reached
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no database at %s: run `worker run-once` first, or name the right one with "+
			"--config, $WORKER_CONFIG or $WORKER_DATABASE", path)
	case err != nil:
		return fmt.Errorf("database %s: %w", path, err)
	case fi.IsDir():
		return fmt.Errorf("database %s is a directory, not a file", path)
	}
	return nil
}
