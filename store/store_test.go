package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wallwatch/worker/sources"
)

func userVersion(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path, "_busy_timeout=10000"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func setUserVersion(t *testing.T, path string, v int) {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path, "_busy_timeout=10000"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		t.Fatal(err)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("fresh file in a new folder", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a", "b", "worker.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Ready(ctx); err != nil {
			t.Errorf("Ready: %v", err)
		}
		if v := userVersion(t, path); v != SchemaVersion() || v < 1 {
			t.Errorf("user_version = %d, want %d", v, SchemaVersion())
		}
		var mode string
		if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		var fk int
		if err := s.rdb.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("reader foreign_keys = %d, %v; want 1", fk, err)
		}
	})
	t.Run("path with URI syntax in it", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "we?ird #1 %20", "worker.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database not at %s: %v", path, err)
		}
	})
	t.Run("already migrated file keeps its data", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "worker.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-02-21")})
		s.Close()
		s, err = Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s.Close()
		if got, _ := s.Unseen(ctx, []string{"https://a.example/1"}); len(got) != 0 {
			t.Errorf("article lost on reopen")
		}
		if v := userVersion(t, path); v != SchemaVersion() {
			t.Errorf("user_version = %d, want %d", v, SchemaVersion())
		}
	})
	t.Run("newer than the binary", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "worker.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		setUserVersion(t, path, SchemaVersion()+1)
		_, err = Open(ctx, path)
		if !errors.Is(err, ErrNewerSchema) {
			t.Fatalf("Open: %v, want ErrNewerSchema", err)
		}
		if want := fmt.Sprintf("version %d, this binary knows up to %d", SchemaVersion()+1, SchemaVersion()); !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	})
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "worker.db")
		if err := os.WriteFile(path, []byte(strings.Repeat("not sqlite ", 100)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Open: %v, want an error naming the file", err)
		}
	})
	t.Run("ready notices a schema change under it", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "worker.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		setUserVersion(t, path, SchemaVersion()+1)
		if err := s.Ready(ctx); !errors.Is(err, ErrNotMigrated) {
			t.Errorf("Ready: %v, want ErrNotMigrated", err)
		}
	})
	t.Run("two handles open one new file at once", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "worker.db")
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				s, err := Open(ctx, path)
				if err == nil {
					err = s.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);")},
		"migrations/README":     {Data: []byte("not a migration")},
	}
	ms, err := loadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].version != 1 || ms[1].version != 2 {
		t.Fatalf("loaded %+v", ms)
	}
	open := func(t *testing.T, path string) *sql.DB {
		db, err := sql.Open("sqlite3", dsn(path, "_txlock=immediate&_busy_timeout=10000"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}

	t.Run("in order, then nothing more", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "m.db")
		db := open(t, path)
		if err := migrate(ctx, db, ms[:1]); err != nil {
			t.Fatal(err)
		}
		if v := userVersion(t, path); v != 1 {
			t.Errorf("after one: version %d", v)
		}
		if err := migrate(ctx, db, ms); err != nil {
			t.Fatal(err)
		}
		if err := migrate(ctx, db, ms); err != nil {
			t.Fatalf("again: %v", err)
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM a").Scan(&n); err != nil || n != 1 {
			t.Errorf("migration 2 ran %d times (%v), want once", n, err)
		}
	})
	t.Run("a failing migration leaves the earlier ones", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "m.db")
		db := open(t, path)
		bad := append(ms[:2:2], migration{version: 3, name: "0003_bad.sql", sql: "CREATE TABLE c (z INTEGER); SELECT * FROM missing;"})
		if err := migrate(ctx, db, bad); err == nil || !strings.Contains(err.Error(), "0003_bad.sql") {
			t.Fatalf("migrate: %v, want an error naming 0003_bad.sql", err)
		}
		if v := userVersion(t, path); v != 2 {
			t.Errorf("version %d, want 2", v)
		}
		if err := db.QueryRow("SELECT count(*) FROM c").Scan(new(int)); err == nil {
			t.Errorf("table c of the failed migration exists")
		}
	})

	t.Run("a lower number landing after a higher one still runs, once", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "m.db")
		db := open(t, path)
		four := migration{version: 4, name: "0004_d.sql", sql: "CREATE TABLE d (w INTEGER);"}
		three := migration{version: 3, name: "0003_c.sql", sql: "CREATE TABLE c (z INTEGER); INSERT INTO a VALUES (3);"}
		if err := migrate(ctx, db, append(ms[:2:2], four)); err != nil {
			t.Fatal(err)
		}
		if v := userVersion(t, path); v != 4 {
			t.Errorf("version %d, want 4", v)
		}
		all := append(ms[:2:2], three, four)
		for range 2 {
			if err := migrate(ctx, db, all); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM a WHERE x = 3").Scan(&n); err != nil || n != 1 {
			t.Errorf("migration 3 ran %d times (%v), want once", n, err)
		}
		if v := userVersion(t, path); v != 4 {
			t.Errorf("version %d, want 4", v)
		}
		// A binary that knows only 1, 2 and 3 refuses the database.
		if err := migrate(ctx, db, all[:3]); !errors.Is(err, ErrNewerSchema) {
			t.Errorf("older binary: %v, want ErrNewerSchema", err)
		}
	})
	t.Run("a database from before migrations were recorded", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "m.db")
		db := open(t, path)
		for _, q := range []string{ms[0].sql, ms[1].sql, "PRAGMA user_version = 2"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if err := migrate(ctx, db, ms); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM a").Scan(&n); err != nil || n != 1 {
			t.Errorf("migration 2 ran again: %d rows (%v)", n, err)
		}
	})

	bad := map[string]fstest.MapFS{
		"same number": {"migrations/0001_a.sql": {}, "migrations/0001_b.sql": {}},
		"bad name":    {"migrations/first.sql": {}},
		"zero":        {"migrations/0000_a.sql": {}},
	}
	for name, fsys := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := loadMigrations(fsys); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestSourceState(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	got, err := s.SourceState(ctx, "feed")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(SourceState{}, got); diff != "" {
		t.Errorf("unknown source (-want +got):\n%s", diff)
	}
	st := SourceState{
		Name: "feed",
		Validators: map[string]sources.Validators{
			"https://a.example/feed.xml": {ETag: `"abc"`, LastModified: "Wed, 04 Sep 2024 08:00:00 GMT"},
			"https://a.example/list/2":   {ETag: `W/"2"`},
		},
		LastAttempt:         t0,
		LastSuccess:         t0.Add(-time.Hour),
		LastError:           "fetch https://a.example/feed.xml: http status 503",
		ConsecutiveFailures: 2,
		NextAttempt:         t0.Add(10 * time.Minute),
	}
	if err := s.SaveSourceState(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSourceState(ctx, SourceState{Name: "another", LastSuccess: t0}); err != nil {
		t.Fatal(err)
	}
	if got, err = s.SourceState(ctx, "feed"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	st.ConsecutiveFailures, st.LastError, st.NextAttempt, st.Validators = 0, "", time.Time{}, nil
	if err := s.SaveSourceState(ctx, st); err != nil {
		t.Fatal(err)
	}
	all, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Validators = map[string]sources.Validators{}
	want := []SourceState{{Name: "another", LastSuccess: t0, Validators: map[string]sources.Validators{}}, st}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	if err := s.SaveSourceState(ctx, SourceState{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty name: %v, want ErrInvalid", err)
	}
}

// TestConcurrentRecord records one story from many goroutines through two
// handles on one file: no "database is locked", no duplicate stored twice,
// and one development with one alert.
func TestConcurrentRecord(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "worker.db")
	var handles [2]*Store
	for i := range handles {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		handles[i] = s
	}
	const workers, perWorker = 8, 12
	e := hl("Taobao", "WeChat Pay", payment, testing_, "2024-02")
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored, dups := 0, 0
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		s := handles[w%2]
		wg.Go(func() {
			for i := range perWorker {
				// Workers w and w+1 share half their URLs.
				url := fmt.Sprintf("https://n.example/%d", (w/2)*perWorker*2+i+(w%2)*perWorker/2)
				r, err := s.Record(ctx, RecordInput{Source: "s", Article: art(url, "2024-02-21"), Events: []sources.Event{e}, Alert: true, Now: t0})
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				if r.Duplicate {
					dups++
				} else {
					stored++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	const unique = workers / 2 * (perWorker + perWorker/2)
	if stored != unique || dups != workers*perWorker-unique {
		t.Errorf("stored %d, duplicates %d; want %d and %d", stored, dups, unique, workers*perWorker-unique)
	}
	st, err := handles[0].Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Articles: unique, Events: unique, Developments: 1, Pending: unique}); st != want {
		t.Errorf("Stats = %+v, want %+v (one alert, the rest replies)", st, want)
	}

	// Claims from both handles and several goroutines never overlap.
	claimed := map[int64]string{}
	errs2 := make(chan error, 1000)
	for w := range 4 {
		s := handles[w%2]
		owner := fmt.Sprintf("host:%d:x", w)
		wg.Go(func() {
			for {
				ds, err := s.Claim(ctx, owner, t0, time.Minute, 3, func(string) bool { return true })
				if err != nil {
					errs2 <- err
					return
				}
				if len(ds) == 0 {
					n, err := s.PendingCount(ctx)
					if err != nil || n == 0 {
						return
					}
					time.Sleep(time.Millisecond) // the alert is in flight elsewhere
					continue
				}
				for _, d := range ds {
					mu.Lock()
					if o, ok := claimed[d.ID]; ok {
						errs2 <- fmt.Errorf("delivery %d claimed by %s and %s", d.ID, o, owner)
					}
					claimed[d.ID] = owner
					mu.Unlock()
					if err := s.MarkAttempt(ctx, d.ID, owner, t0); err != nil {
						errs2 <- err
					}
					if err := s.MarkSent(ctx, d.ID, owner, "C", "1.1", t0); err != nil {
						errs2 <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs2)
	for err := range errs2 {
		t.Error(err)
	}
	if len(claimed) != unique {
		t.Errorf("%d deliveries claimed, want %d", len(claimed), unique)
	}
}
