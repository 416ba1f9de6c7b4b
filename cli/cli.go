// Package cli is handoffbot's commands and the wiring behind them:
// configuration → logger → database (migrated) → Slack, the job queue and
// the HTTP endpoints → run. It is the only package that sees every other
// one; main calls Main, tests and the demo call Run or Start.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/handoffbot/handoffbot/clock"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/logging"
	"github.com/handoffbot/handoffbot/storage"
)

// Main runs the command named by args (without the program name) until it
// ends or the process is told to stop, and returns the exit status: 2 for
// a mistake in how it was started, 1 for any other failure.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return ExitCode(Run(ctx, args, IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}), os.Stderr)
}

// IO is where a command reads and writes: logs go to Err, what the
// command prints to Out.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// UsageError is a mistake in how the program was started; it exits 2.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// ExitCode prints err (if any) and turns it into an exit status.
func ExitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "handoffbot:", err)
	if _, ok := errors.AsType[*config.Error](err); ok {
		return 2
	}
	if _, ok := errors.AsType[UsageError](err); ok {
		return 2
	}
	return 1
}

// Run is the whole program: the command named by args[0] (serve when
// there is none) with the rest of args, its configuration read from the
// environment.
func Run(ctx context.Context, args []string, stdio IO) error {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	switch name {
	case "help", "-h", "--help":
		return printHelp(stdio.Out)
	case "demo": // configures itself: no Slack, no environment needed
		return demo(ctx, args, stdio)
	}
	cmd, ok := commands[name]
	if !ok {
		return UsageError{fmt.Errorf("unknown command %q; run `handoffbot help`", name)}
	}
	cfg, err := config.Load(cmd.need)
	if err != nil {
		return err
	}
	e := Env{Config: cfg, Log: logging.New(stdio.Err, cfg.LogFormat, cfg.Level), Out: stdio.Out, Clock: clock.Real{}}
	return cmd.run(ctx, e, args)
}

// RunWith runs the command named by args[0] in e, whose configuration is
// given rather than read from the environment: tests and the demo run
// commands side by side this way.
func RunWith(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 {
		return UsageError{errors.New("no command given")}
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return UsageError{fmt.Errorf("unknown command %q; run `handoffbot help`", args[0])}
	}
	return cmd.run(ctx, e, args[1:])
}

// Env is what every command works with.
type Env struct {
	Config *config.Config
	Log    *slog.Logger
	Out    io.Writer   // what the command prints
	Clock  clock.Clock // the real one, or a simulated one in tests and the demo
}

// command is one subcommand and the settings it needs.
type command struct {
	run  func(ctx context.Context, e Env, args []string) error
	need config.Need
}

var commands = map[string]command{
	"serve":       {serve, config.NeedAll},
	"migrate":     {migrate, config.NeedDatabase},
	"import":      {importCSV, config.NeedDatabase},
	"export":      {exportCSV, config.NeedDatabase},
	"digest":      {digestCmd, config.NeedAll},
	"check":       {check, config.NeedAll},
	"healthcheck": {healthcheck, config.NeedDatabase},
	"keys":        {keys, config.NeedDatabase},
	"routing":     {routingCmd, config.NeedAll},
	"accounts":    {accountsCmd, config.NeedDatabase},
	"events":      {eventsCmd, config.NeedDatabase},
}

// openDB connects and applies pending migrations, as every command that
// uses the database does, saying in one line what it applied (nothing
// when there was nothing to do). A database that does not exist yet is
// created when the server lets the user create it.
func openDB(ctx context.Context, e Env) (*storage.DB, error) {
	db, err := storage.Open(ctx, e.Config.DatabaseURL, storage.MaxConns(e.Config.MaxConns))
	if _, missing := errors.AsType[*storage.MissingDatabaseError](err); missing {
		if cerr := storage.CreateDatabase(ctx, e.Config.DatabaseURL); cerr != nil {
			return nil, fmt.Errorf("%w (creating it failed: %w)", err, cerr)
		}
		e.Log.Info("created the database", "database", config.RedactURL(e.Config.DatabaseURL))
		db, err = storage.Open(ctx, e.Config.DatabaseURL, storage.MaxConns(e.Config.MaxConns))
	}
	if err != nil {
		return nil, err
	}
	done, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if done.Any() {
		e.Log.Info("database migrated: " + done.String())
	}
	return db, nil
}
