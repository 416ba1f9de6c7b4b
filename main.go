// Command handoffbot is a Slack bot for lead handoffs between sales and
// marketing. This file is wiring only: configuration, logger, database,
// Slack, and the subcommands that use them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // TIMEZONE must work in a distroless image without zoneinfo

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/logging"
	"github.com/handoffbot/handoffbot/storage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a mistake in how the program was started; it exits 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "handoffbot:", err)
	var cfgErr *config.Error
	var usage usageError
	if errors.As(err, &cfgErr) || errors.As(err, &usage) {
		return 2
	}
	return 1
}

// run is the whole program, callable from tests: args without the program
// name; logs go to stderr, command output to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		return printHelp(stdout)
	}
	if cmd == "demo" { // configures itself: no Slack, no environment needed
		return demo(ctx, args, os.Stdin, stdout, stderr)
	}
	sub, ok := commands[cmd]
	if !ok {
		return usageError{fmt.Errorf("unknown command %q; run `handoffbot help`", cmd)}
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := logging.New(stderr, cfg.LogFormat, cfg.Level)
	return sub(ctx, env{cfg: cfg, log: log, stdout: stdout}, args)
}

// env is what every subcommand gets.
type env struct {
	cfg    *config.Config
	log    *slog.Logger
	stdout io.Writer
}

var commands = map[string]func(ctx context.Context, e env, args []string) error{
	"serve":       serve,
	"migrate":     migrate,
	"import":      importCSV,
	"export":      exportCSV,
	"digest":      digestCmd,
	"check":       check,
	"healthcheck": healthcheck,
}

// openDB connects and applies pending migrations, as every subcommand that
// uses the database does.
func openDB(ctx context.Context, e env) (*storage.DB, error) {
	db, err := storage.Open(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, e.log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
