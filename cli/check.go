package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/storage"
)

// checkCallTimeout bounds each Slack call and the database checks, so a
// check against an unreachable host ends instead of hanging.
const checkCallTimeout = 10 * time.Second

// check is `handoffbot check`: it tries everything a deployment needs and
// prints one ✓ or ✗ line for each, with the fix under every ✗, and fails
// (exit 1) if anything failed. It changes nothing (it does not even
// migrate), so it is safe to run against production at any time.
// Configuration values that do not parse stop the program before this
// runs, with exit 2 and every bad variable named.
func check(ctx context.Context, e Env, args []string) error {
	if len(args) > 0 {
		return UsageError{errors.New("usage: handoffbot check")}
	}
	c := &checker{cfg: e.Config, out: e.Out, api: &bot.NewClient(bot.ClientOptions{
		AppToken: e.Config.AppToken, BotToken: e.Config.BotToken, APIURL: e.Config.APIURL,
	}, e.Log).Client}
	fmt.Fprintf(c.out, "Checking handoffbot's configuration against Slack at %s and the database.\n\n", config.RedactURL(e.Config.APIURL))
	if me, ok := c.botToken(ctx); ok {
		c.scopes(me)
		c.channels(ctx, me)
		c.people(ctx)
	} else {
		c.skip("scopes, channels, users and user groups: not checked until the bot token works")
	}
	c.appToken(ctx)
	db := c.database(ctx)
	c.intakeAPI(ctx, db)
	if db != nil {
		db.Close()
	}
	c.calendar()
	c.webhooks(ctx)
	return c.summary()
}

// checker runs the checks and prints each result as it comes.
type checker struct {
	cfg           *config.Config
	api           *slack.Client
	out           io.Writer
	total, failed int
}

func (c *checker) pass(format string, args ...any) {
	c.total++
	fmt.Fprintf(c.out, "✓ %s\n", fmt.Sprintf(format, args...))
}

func (c *checker) fail(what, fix string) {
	c.total++
	c.failed++
	fmt.Fprintf(c.out, "✗ %s\n    fix: %s\n", what, fix)
}

// skip notes something not checked, which counts neither way.
func (c *checker) skip(what string) {
	fmt.Fprintf(c.out, "- %s\n", what)
}

func (c *checker) summary() error {
	if c.failed > 0 {
		fmt.Fprintf(c.out, "\n%d of %d checks failed.\n", c.failed, c.total)
		return fmt.Errorf("check: %d of %d checks failed", c.failed, c.total)
	}
	fmt.Fprintf(c.out, "\nAll %d checks passed.\n", c.total)
	return nil
}

func callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, checkCallTimeout)
}

// database connects and lists pending migrations; it does not apply them,
// so that a check never changes anything. It returns the database for the
// checks that read it, nil when it cannot be reached or is not migrated.
func (c *checker) database(ctx context.Context) *storage.DB {
	ctx, cancel := callCtx(ctx)
	defer cancel()
	db, err := storage.Open(ctx, c.cfg.DatabaseURL, storage.MaxConns(c.cfg.MaxConns))
	if err != nil {
		c.fail("database (DATABASE_URL): "+err.Error(), "check DATABASE_URL, and that Postgres is running and reachable from here")
		return nil
	}
	c.pass("database (DATABASE_URL): reachable")
	c.connections(ctx, db)
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		c.fail("database schema: "+err.Error(), "check that the DATABASE_URL user may read the database")
		db.Close()
		return nil
	}
	var pending []string
	for _, m := range ms {
		if m.AppliedAt == nil {
			pending = append(pending, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
	}
	if len(pending) > 0 {
		c.fail(fmt.Sprintf("database schema: %d of %d migrations pending (%s)", len(pending), len(ms), strings.Join(pending, ", ")),
			"run `handoffbot migrate` (serve also migrates when it starts)")
		db.Close()
		return nil
	}
	c.pass("database schema: up to date (%d migrations)", len(ms))
	return db
}

// connections checks that this process's connection budget fits in the
// server's, and says how many processes of that size would: every replica
// and every command running at the same time takes its own.
func (c *checker) connections(ctx context.Context, db *storage.DB) {
	l, err := db.ConnectionLimits(ctx)
	if err != nil {
		c.fail("database connections: "+err.Error(), "check that the DATABASE_URL user may read the server's settings")
		return
	}
	budget := cmp.Or(c.cfg.MaxConns, storage.DefaultMaxConns)
	what := fmt.Sprintf("database connections (DATABASE_MAX_CONNS): up to %d for this process, of the server's %d (max_connections %d, %d reserved)",
		budget, l.Available(), l.Max, l.Reserved)
	if budget > l.Available() {
		c.fail(what, fmt.Sprintf("set DATABASE_MAX_CONNS to at most %d divided by the number of replicas, or raise max_connections", l.Available()))
		return
	}
	c.pass("%s: room for %d processes like this one", what, l.Available()/budget)
}

// calendar shows how TIMEZONE, BUSINESS_HOURS and HOLIDAYS were read, and
// fails if they leave no working time, which would stop every SLA clock.
func (c *checker) calendar() {
	cal := businesstime.New(c.cfg.Hours, c.cfg.HolidayList, c.cfg.Location)
	now := time.Now().In(c.cfg.Location)
	c.pass("time zone (TIMEZONE): %s, where it is now %s", c.cfg.Location, now.Format("Mon 2 Jan 15:04 MST"))
	open := cal.NextOpen(now)
	if !open.Before(now.Add(businesstime.Horizon)) {
		c.fail("business hours (BUSINESS_HOURS, HOLIDAYS): no working time at all in the next ten years",
			"fix BUSINESS_HOURS (e.g. Mon-Fri 09:00-17:00) or remove holidays from HOLIDAYS")
		return
	}
	when := "open now"
	if open.After(now) {
		when = "next open " + open.Format("Mon 2 Jan 15:04")
	}
	due := cal.Add(now, c.cfg.SLAAccept)
	c.pass("business hours (BUSINESS_HOURS): %s, %s; a handoff made now is due by %s",
		c.cfg.Hours, when, due.Format("Mon 2 Jan 15:04"))
	c.pass("digest schedule (DIGEST_SCHEDULE): next at %s", c.cfg.Schedule.Next(now).Format("Mon 2 Jan 15:04 MST"))
}
