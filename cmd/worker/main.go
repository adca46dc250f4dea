// Command worker watches the news for Alibaba–Tencent interconnection
// events, records them in SQLite and alerts them to Slack.
//
//	worker run-once            one pass over every source, then exit
//	worker serve               run on a cron schedule, with /healthz, /readyz, /metrics
//	worker extract FILE...     parse saved pages and print their events
//	worker sources test NAME   fetch one source and show what it would produce
//	worker events list         the stored timeline
//	worker config check        validate the config and print it, secrets masked
//	worker db check|backup|restore  check, snapshot and restore the database
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/wallwatch/worker/config"
	"github.com/wallwatch/worker/worker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

// usageError marks bad command-line usage (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env config.Getenv) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	root := a.rootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "worker: %v\n", err)
	var ue usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, config.ErrInvalid), errors.Is(err, worker.ErrUsage):
		return exitUsage
	default:
		return exitRuntime
	}
}
