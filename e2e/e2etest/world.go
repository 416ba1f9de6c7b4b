package e2etest

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/cli"
	"github.com/handoffbot/handoffbot/clock"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/logging"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// World is a fake Slack workspace, a database, and the bot running
// in-process as `handoffbot serve` would, on a simulated clock that the
// test may move forward (SLA clocks of hours pass in a moment).
type World struct {
	T      *testing.T
	Slack  *fakeslack.Server
	DB     *storage.DB
	Logs   *SyncBuffer
	Clock  *clock.Sim
	Config *config.Config
	stop   func()
	bot    *cli.Bot
	exit   chan error // the bot's Run result, once it returned
	exited bool       // a test took the result (ExitError): Stop expects no clean exit
}

// Option changes how a World is set up.
type Option func(*setup)

type setup struct {
	dbURL  string
	slack  []fakeslack.Option
	edits  []func(*config.Config)
	people []func(*fakeslack.Server)
}

// Configure changes the bot's configuration before it starts.
func Configure(edit func(c *config.Config)) Option {
	return func(s *setup) { s.edits = append(s.edits, edit) }
}

// Workspace changes the fake workspace (people, groups, channels) before
// the bot starts, as if it had always been so: no events are sent.
func Workspace(edit func(fs *fakeslack.Server)) Option {
	return func(s *setup) { s.people = append(s.people, edit) }
}

// SlackOptions tune the fake Slack.
func SlackOptions(opts ...fakeslack.Option) Option {
	return func(s *setup) { s.slack = append(s.slack, opts...) }
}

// OnDatabase runs the bot on the database at url instead of a fresh test
// database (the outage test brings its own Postgres).
func OnDatabase(url string) Option {
	return func(s *setup) { s.dbURL = url }
}

// Start is when every World's simulated clock starts: a Monday morning.
var Start = time.Date(2026, time.December, 7, 9, 0, 0, 0, time.UTC)

// NewWorld starts a fake Slack, a fresh database and the bot, and stops
// them when the test ends.
func NewWorld(t *testing.T, opts ...Option) *World {
	t.Helper()
	var s setup
	for _, o := range opts {
		o(&s)
	}
	if s.dbURL == "" {
		s.dbURL = storagetest.URL(t)
	}
	w := &World{T: t, Logs: &SyncBuffer{}, Clock: clock.NewSim(Start)}
	w.Slack = NewFake(t, append([]fakeslack.Option{fakeslack.WithClock(w.Clock.Now)}, s.slack...)...)
	for _, edit := range s.people {
		edit(w.Slack)
	}
	w.Config = BaseConfig(w.Slack, s.dbURL)
	for _, edit := range s.edits {
		edit(w.Config)
	}
	if err := w.Config.Validate(); err != nil {
		t.Fatalf("test configuration: %v", err)
	}
	t.Cleanup(func() {
		w.mustEscapeEverything()
		if t.Failed() {
			t.Logf("bot logs:\n%s", w.Logs)
		}
	})
	db, err := storage.Open(context.Background(), s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	w.DB = db
	t.Cleanup(func() { w.DB.Close() })
	w.Start()
	return w
}

// BaseConfig is the configuration every test starts from: the fake
// Slack, the database at dbURL, both teams as user groups, Skinner as the
// manager, wall-clock SLAs, no HTTP endpoint, text logs at debug level.
func BaseConfig(fs *fakeslack.Server, dbURL string) *config.Config {
	return &config.Config{
		AppToken: fs.AppToken(), BotToken: fs.BotToken(), APIURL: fs.APIURL(), DatabaseURL: dbURL,
		HandoffChannel: HandoffChannel, SalesTeam: config.IDs{SalesGroup}, MarketingTeam: config.IDs{MarketingGroup},
		Managers: config.IDs{Skinner}, SLAAccept: 4 * time.Hour, SLAFirstTouch: 24 * time.Hour,
		BusinessHours: "always", TimeZone: "UTC", DigestSchedule: "0 9 * * MON", LogLevel: "debug", LogFormat: "text",
	}
}

// Env is what the bot (or a command) runs with in this world.
func (w *World) Env() cli.Env {
	return cli.Env{Config: w.Config, Log: logging.New(w.Logs, w.Config.LogFormat, w.Config.Level), Out: w.Logs, Clock: w.Clock}
}

// Start runs the bot until Stop, which waits for it to drain and exit.
func (w *World) Start() {
	w.T.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b, err := cli.Assemble(ctx, w.Env())
	if err != nil {
		cancel()
		w.T.Fatalf("bot did not start: %v\n%s", err, w.Logs)
	}
	w.bot = b
	w.exit, w.exited = make(chan error, 1), false
	go func() { w.exit <- b.Run(ctx) }()
	waitCtx, waitCancel := context.WithTimeout(ctx, 15*time.Second)
	defer waitCancel()
	if err := w.Slack.WaitConnections(waitCtx, 1); err != nil {
		cancel()
		w.T.Fatalf("bot did not connect: %v\n%s", err, w.Logs)
	}
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			cancel()
			if !w.exited {
				select {
				case err := <-w.exit:
					if err != nil {
						w.T.Errorf("bot exited with %v\n%s", err, w.Logs)
					}
				case <-time.After(15 * time.Second):
					w.T.Errorf("bot did not stop within 15 s\n%s", w.Logs)
				}
			}
			b.Close()
		})
	}
	w.T.Cleanup(w.stop)
}

// ExitError waits up to 15 s for the bot to stop by itself and returns
// what its Run returned (what `serve` would exit with).
func (w *World) ExitError() error {
	w.T.Helper()
	select {
	case err := <-w.exit:
		w.exited = true
		return err
	case <-time.After(15 * time.Second):
		w.T.Fatalf("the bot did not stop by itself within 15 s\n%s", w.Logs)
		return nil
	}
}

// Advance moves the world's clock forward by d and makes the background
// jobs that fall due by then runnable at once, as River's scheduler does
// on its own every few seconds: an SLA of hours passes in a moment.
func (w *World) Advance(d time.Duration) {
	w.T.Helper()
	w.Clock.Advance(d)
	w.Slack.ClockAdvanced()
	if _, err := w.DB.SQL().Exec(`UPDATE river_job SET state = 'available'
		WHERE state = 'scheduled' AND scheduled_at <= $1`, w.Clock.Now()); err != nil {
		w.T.Fatalf("make due jobs runnable: %v", err)
	}
}

// IntakeURL is the base URL of the running bot's intake API; the test
// fails when INTAKE_ADDR was not configured.
func (w *World) IntakeURL() string {
	w.T.Helper()
	addr := w.bot.IntakeAddr()
	if addr == nil {
		w.T.Fatal("the intake API is off: configure IntakeAddr")
	}
	return "http://" + addr.String()
}

// Stop stops the bot and waits for it to drain.
func (w *World) Stop() { w.stop() }

// User is a person of the workspace.
func (w *World) User(id string) *fakeslack.UserSim { return w.Slack.User(id) }

// Channel is the handoff channel.
func (w *World) Channel() *fakeslack.ChannelSim { return w.Slack.Channel(HandoffChannel) }

// Finish stops the bot (so late duplicates would have arrived) and checks
// that nothing arrived that the test did not expect.
func (w *World) Finish() {
	w.T.Helper()
	w.stop()
	w.Slack.ExpectNothingElse(w.T)
}

// Run runs a handoffbot command (import, export, digest, …) with this
// world's configuration and clock, and returns what it printed.
func (w *World) Run(args ...string) (string, error) {
	var out SyncBuffer
	e := w.Env()
	e.Out = &out
	err := cli.RunWith(context.Background(), e, args)
	return out.String(), err
}

// Command runs a handoffbot command in-process with cfg and the real
// clock, and returns what it printed and logged.
func Command(cfg *config.Config, args ...string) (out, logs string, err error) {
	var o, l SyncBuffer
	e := cli.Env{Config: cfg, Log: logging.New(&l, "text", slog.LevelDebug), Out: &o, Clock: clock.Real{}}
	err = cli.RunWith(context.Background(), e, args)
	return o.String(), l.String(), err
}

// DatabaseConfig is the configuration of a command that only uses the
// database at url (migrate, import, export).
func DatabaseConfig(t testing.TB, url string) *config.Config {
	t.Helper()
	c := &config.Config{DatabaseURL: url, SLAAccept: 4 * time.Hour, SLAFirstTouch: 24 * time.Hour,
		BusinessHours: "always", TimeZone: "UTC", DigestSchedule: "0 9 * * MON", LogLevel: "debug", LogFormat: "text"}
	if err := c.ValidateFor(config.NeedDatabase); err != nil {
		t.Fatal(err)
	}
	return c
}

// HandOff runs /handoff as from with text, lets fill change the form,
// submits it, and returns the card that appears in the handoff channel.
func (w *World) HandOff(from, text string, fill func(*fakeslack.View)) *fakeslack.Message {
	w.T.Helper()
	w.User(from).Slash(w.T, HandoffChannel, "/handoff "+text)
	form := w.User(from).ExpectModal(w.T)
	if fill != nil {
		fill(form)
	}
	if sub := form.Submit(w.T); len(sub.Errors) > 0 {
		w.T.Fatalf("form refused: %v", sub.Errors)
	}
	return w.Channel().ExpectMessage(w.T, "Handoff to")
}

// HandOffTo is from handing the lead in text to owner: the card, the
// owner's DM and from's confirmation, each expected.
func (w *World) HandOffTo(from, owner, text string) *fakeslack.Message {
	w.T.Helper()
	card := w.HandOff(from, text, func(f *fakeslack.View) { f.SelectUser("Assignee", owner) })
	w.User(owner).ExpectDM(w.T, "handed you a lead")
	w.User(from).ExpectEphemeral(w.T, "Handed off")
	return card
}

// HandOffToFox is Monica handing the lead in text to Fox.
func (w *World) HandOffToFox(text string) *fakeslack.Message {
	w.T.Helper()
	return w.HandOffTo(Monica, Fox, text)
}

// mustEscapeEverything fails the test for any mrkdwn the bot sent that
// Slack would not show as meant: a <, > or & of someone's text left
// unescaped, outside the mentions, dates and links the bot makes.
func (w *World) mustEscapeEverything() {
	for _, c := range w.Slack.Calls("") {
		for _, text := range fakeslack.MrkdwnOf(c) {
			for _, p := range fakeslack.MrkdwnProblems(text) {
				w.T.Errorf("%s sent mrkdwn Slack would misread: %s", c.Method, p)
			}
		}
	}
}
