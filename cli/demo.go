package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/clock"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/intake"
	"github.com/handoffbot/handoffbot/logging"
	"github.com/handoffbot/handoffbot/storage/pglocal"
)

// The demo workspace: two reps, two marketers, a manager.
const (
	demoRiya   = "URIYA" // sales
	demoSam    = "USAM"  // sales
	demoMaya   = "UMAYA" // marketing
	demoLeo    = "ULEO"  // marketing
	demoInes   = "UINES" // manager
	demoDeals  = "CHANDOFFS"
	demoFB     = "CFEEDBACK"
	demoMgrs   = "CMANAGERS"
	demoSalesG = "SSALES"
)

// demo is `handoffbot demo`: the real bot, in-process, against a simulated
// Slack workspace, through a scripted week (or, with --interactive, what a
// person types), printing what everyone saw. It needs no Slack and no
// configuration; Postgres comes from DATABASE_URL, localhost, or a
// throwaway cluster.
func demo(ctx context.Context, args []string, stdio IO) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	interactive := fs.Bool("interactive", false, "type /handoff commands and click buttons yourself")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return UsageError{errors.New("usage: handoffbot demo [--interactive]")}
	}
	dbURL, cleanup, err := demoDatabase(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	week := clock.NewSim(demoMonday(time.Now()))
	slack, err := fakeslack.New(fakeslack.WithWaitTimeout(30*time.Second), fakeslack.WithClock(week.Now))
	if err != nil {
		return err
	}
	defer slack.Close()
	demoWorkspace(slack)
	cfg, err := demoConfig(slack, dbURL)
	if err != nil {
		return err
	}
	e := Env{Config: cfg, Log: logging.New(stdio.Err, "text", slog.LevelWarn), Out: stdio.Out, Clock: week}
	key, err := demoKey(ctx, e)
	if err != nil {
		return err
	}
	stop, api, err := startDemoBot(ctx, e, slack)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdio.Out, "handoffbot demo: the real bot, a simulated Slack workspace (Riya and Sam in sales, Maya and Leo in marketing, Ines the manager).")
	if *interactive {
		err = repl(ctx, slack, stdio.In, stdio.Out)
	} else {
		err = runScript(slack, week, demoAPI{url: "http://" + api.String(), key: key}, stdio.Out)
	}
	return errors.Join(err, stop())
}

// demoDatabase creates a fresh database for the demo on the server
// pglocal finds (or starts), and removes it afterwards.
func demoDatabase(ctx context.Context) (string, func(), error) {
	srv, err := pglocal.Find(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("the demo needs PostgreSQL: %w", err)
	}
	name := fmt.Sprintf("handoffbot_demo_%d", time.Now().UnixNano())
	admin, err := sql.Open("postgres", srv.URL)
	if err != nil {
		srv.Stop()
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		admin.Close()
		srv.Stop()
		return "", nil, fmt.Errorf("create the demo database (the user needs CREATEDB): %w", err)
	}
	return srv.DatabaseURL(name), func() {
		_, _ = admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`)
		admin.Close()
		srv.Stop()
	}, nil
}

func demoWorkspace(fs *fakeslack.Server) {
	for _, u := range []fakeslack.User{
		{ID: demoRiya, Name: "riya", RealName: "Riya Patel (sales)"},
		{ID: demoSam, Name: "sam", RealName: "Sam Okafor (sales)"},
		{ID: demoMaya, Name: "maya", RealName: "Maya Chen (marketing)"},
		{ID: demoLeo, Name: "leo", RealName: "Leo Martin (marketing)"},
		{ID: demoInes, Name: "ines", RealName: "Ines García (sales & marketing manager)"},
	} {
		fs.AddUser(u)
	}
	fs.AddUserGroup(demoSalesG, "sales", demoRiya, demoSam)
	everyone := []string{demoRiya, demoSam, demoMaya, demoLeo, demoInes}
	fs.AddChannel(fakeslack.Channel{ID: demoDeals, Name: "handoffs", BotIsMember: true, Members: everyone})
	fs.AddChannel(fakeslack.Channel{ID: demoFB, Name: "field-feedback", BotIsMember: true, Members: everyone})
	fs.AddChannel(fakeslack.Channel{ID: demoMgrs, Name: "revenue-leads", BotIsMember: true, Members: []string{demoInes}})
}

// demoConfig is what an operator would set, pointed at the fake Slack:
// the default SLAs (4 business hours to accept, 24 to the first touch) and
// working hours, which the demo's simulated week lets pass in seconds.
func demoConfig(fs *fakeslack.Server, dbURL string) (*config.Config, error) {
	c := &config.Config{
		AppToken: fs.AppToken(), BotToken: fs.BotToken(), APIURL: fs.APIURL(), DatabaseURL: dbURL,
		HandoffChannel: demoDeals, FeedbackChannel: demoFB, ManagerChannel: demoMgrs,
		Managers: config.IDs{demoInes}, SalesTeam: config.IDs{demoSalesG}, MarketingTeam: config.IDs{demoMaya, demoLeo},
		SLAAccept: 4 * time.Hour, SLAFirstTouch: 24 * time.Hour, BusinessHours: "Mon-Fri 09:00-17:00", TimeZone: "UTC",
		DigestSchedule: "0 9 * * MON", LogLevel: "warn", LogFormat: "text", IntakeAddr: "127.0.0.1:0",
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("demo configuration: %w", err)
	}
	return c, nil
}

// demoKey makes the intake API key of the demo's web form, as an
// operator would with `handoffbot keys create web-form`.
func demoKey(ctx context.Context, e Env) (string, error) {
	db, err := openDB(ctx, e)
	if err != nil {
		return "", err
	}
	defer db.Close()
	token, hash := intake.NewToken()
	if _, err := db.CreateKey(ctx, "web-form", hash, e.Clock.Now()); err != nil {
		return "", err
	}
	return token, nil
}

// startDemoBot runs the bot as `serve` would and waits until it is
// connected; stop ends it and waits for it to drain. api is where its
// intake API listens.
func startDemoBot(ctx context.Context, e Env, fs *fakeslack.Server) (stop func() error, api net.Addr, err error) {
	b, err := Assemble(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	wait, waitCancel := context.WithTimeout(ctx, 30*time.Second)
	defer waitCancel()
	if err := fs.WaitConnections(wait, 1); err != nil {
		cancel()
		<-done
		b.Close()
		return nil, nil, fmt.Errorf("the bot did not connect to the simulated Slack: %w", err)
	}
	return func() error {
		cancel()
		return errors.Join(<-done, b.Close())
	}, b.IntakeAddr(), nil
}

// demoMonday is 09:00 UTC on the Monday of the week containing now: the
// simulated week starts there, so that "Monday 09:12" is what the bot
// sees and the SLA clocks run in working hours.
func demoMonday(now time.Time) time.Time {
	day := now.UTC().Truncate(24 * time.Hour)
	return day.AddDate(0, 0, -(int(day.Weekday())+6)%7).Add(9 * time.Hour)
}

// printTranscript prints the entries after the first skip, each with the
// simulated time it happened at, and returns how many there are in all.
// App Home redraws are left out unless shown (a person sees them only on
// opening the tab); a submitted form is drawn with what was typed.
func printTranscript(w io.Writer, fs *fakeslack.Server, skip int, showHome bool) int {
	entries := fs.Transcript()
	for _, e := range entries[min(skip, len(entries)):] {
		text := readable(e.Text)
		if e.Kind == "home" && !showHome {
			continue
		}
		fmt.Fprintf(w, "\n[%s] %s · %s\n", e.At.UTC().Format("Mon 15:04"), e.Audience, e.Kind)
		for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			fmt.Fprintln(w, "    "+line)
		}
	}
	return len(entries)
}

var (
	slackDateToken = regexp.MustCompile(`<!date\^\d+\^[^|>]*\|([^>]*)>`)
	slackMention   = regexp.MustCompile(`<@([A-Z0-9]+)>`)
	slackLinkToken = regexp.MustCompile(`<[^|>]+\|([^>]+)>`)
	slackBold      = regexp.MustCompile(`\*([^*\n]+)\*`)
	demoNames      = map[string]string{demoRiya: "@riya", demoSam: "@sam", demoMaya: "@maya", demoLeo: "@leo", demoInes: "@ines"}
)

// readable turns Slack markup into what a reader sees: names for
// mentions, dates as text, link labels, no asterisks, entities decoded.
func readable(s string) string {
	s = slackDateToken.ReplaceAllString(s, "$1")
	s = slackMention.ReplaceAllStringFunc(s, func(m string) string {
		id := slackMention.FindStringSubmatch(m)[1]
		if name, ok := demoNames[id]; ok {
			return name
		}
		return "@" + id
	})
	s = slackLinkToken.ReplaceAllString(s, "$1")
	s = slackBold.ReplaceAllString(s, "$1")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// demoTB lets the scripted story use the fake Slack's expectations: a
// failed one stops the story with its message.
type demoTB struct{}

type demoFailure string

func (demoTB) Helper() {}

func (demoTB) Fatalf(format string, args ...any) {
	panic(demoFailure(fmt.Sprintf(format, args...)))
}

// guard turns a failed expectation into an error.
func guard(step func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(demoFailure)
			if !ok {
				panic(p)
			}
			err = fmt.Errorf("the demo went off script: %s", f)
		}
	}()
	step()
	return nil
}
