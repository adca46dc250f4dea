package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/wallwatch/worker/store"
)

// checkWritable says, before the database is opened for writing, whether
// this process can create or write it at path: SQLite's own message for a
// folder it cannot write ("unable to open database file") names neither
// the folder nor the reason. The error says which folder, who owns it, who
// this process runs as and how to fix it.
func checkWritable(path string) error {
	if store.IsPostgres(path) {
		return nil // a server: Open says when it refuses
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	if fi, err := os.Stat(abs); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("database %s is a directory, not a file", path)
		}
		if syscall.Access(abs, 2 /* W_OK */) != nil {
			return notWritable(path, abs, fi, "the database file")
		}
		abs = filepath.Dir(abs) // SQLite writes its -wal and -shm beside the file
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database %s: %w", path, err)
	} else {
		abs = filepath.Dir(abs)
	}
	dir := abs
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("database %s: %s is a file, not a directory", path, dir)
			}
			if syscall.Access(dir, 2|1 /* W_OK|X_OK */) != nil {
				return notWritable(path, dir, fi, "the directory")
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("database %s: %w", path, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// notWritable builds the error for a file or directory this process may
// not write.
func notWritable(path, what string, fi fs.FileInfo, label string) error {
	owner := ""
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		owner = fmt.Sprintf(", owned by %s", idName(int(st.Uid)))
	}
	dir := what
	if !fi.IsDir() {
		dir = filepath.Dir(what)
	}
	uid, gid := os.Getuid(), os.Getgid()
	return fmt.Errorf("database %s: %s %s is not writable by this process (running as %s, group %d)%s (mode %s): "+
		"make it writable for that user, e.g. `chown -R %d:%d %s` (for a bind-mounted /data: on the host), "+
		"or set database (or $WORKER_DATABASE) to a path in a writable directory",
		path, label, what, idName(uid), gid, owner, fi.Mode().Perm(), uid, gid, dir)
}

// idName is "name (uid N)", or "uid N" when the user has no name here.
func idName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return fmt.Sprintf("%s (uid %d)", u.Username, uid)
	}
	return "uid " + strconv.Itoa(uid)
}
