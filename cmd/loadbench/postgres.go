package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgServer is a PostgreSQL server on this machine the cold runs get fresh
// databases on (-postgres), and whose CPU time is measured beside the
// worker's: the postmaster and every process it started, live or exited.
type pgServer struct {
	admin      *url.URL
	db         *sql.DB
	postmaster int
}

func openPGServer(ctx context.Context, admin string) (*pgServer, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("%w: -postgres wants a postgres:// URL", errUsage)
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		return nil, fmt.Errorf("%w: -postgres: not a valid PostgreSQL URL", errUsage)
	}
	db := stdlib.OpenDB(*cfg)
	var backend int
	if err := db.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pm, err := parentPID(backend)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: the server must run on this machine, its CPU time is measured: %w", err)
	}
	return &pgServer{admin: u, db: db, postmaster: pm}, nil
}

func (s *pgServer) close() error { return s.db.Close() }

// fresh makes database name empty and returns its URL.
func (s *pgServer) fresh(ctx context.Context, name string) (string, error) {
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return "", fmt.Errorf("fresh database %s: %w", name, err)
		}
	}
	u := *s.admin
	u.Path = "/" + name
	return u.String(), nil
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat times.
const clockTicks = 100

// serverCPU is the CPU time (user + system, seconds) of the postmaster pm,
// of the processes it started that have exited (its children's times), and
// of those still running.
func serverCPU(pm int) float64 {
	own, children, _, err := procTimes(pm)
	if err != nil {
		return 0
	}
	total := own + children
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == pm {
			continue
		}
		if t, _, ppid, err := procTimes(pid); err == nil && ppid == pm {
			total += t
		}
	}
	return total / clockTicks
}

// procTimes reads utime+stime, cutime+cstime and the parent of pid.
func procTimes(pid int) (own, children float64, ppid int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from the 3rd (state) on
	if len(f) < 15 {
		return 0, 0, 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	num := func(i int) float64 { v, _ := strconv.ParseFloat(f[i-3], 64); return v }
	ppid, _ = strconv.Atoi(f[1])
	return num(14) + num(15), num(16) + num(17), ppid, nil
}

func parentPID(pid int) (int, error) {
	_, _, ppid, err := procTimes(pid)
	return ppid, err
}
