package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// The people of the test workspace.
const (
	monica         = "UMONICA"  // marketing
	john           = "UJOHN"    // marketing
	fox            = "UFOX"     // sales
	walter         = "UWALTER"  // sales
	skinner        = "USKINNER" // manager
	krycek         = "UKRYCEK"  // in neither team
	handoffChannel = "CHANDOFF"
)

// world is a fake Slack workspace, a database, and the bot running
// in-process through run(), as `handoffbot serve` would.
type world struct {
	t     *testing.T
	slack *fakeslack.Server
	db    *storage.DB
	logs  *syncBuffer
	stop  func()
}

// newWorld starts everything; env overrides the defaults below, opts tune
// the fake Slack.
func newWorld(t *testing.T, env map[string]string, opts ...fakeslack.Option) *world {
	t.Helper()
	return worldOn(t, storagetest.URL(t), env, opts...)
}

// worldOn is newWorld with the bot on the database at dbURL instead of a
// fresh test database (the outage test brings its own Postgres).
func worldOn(t *testing.T, dbURL string, env map[string]string, opts ...fakeslack.Option) *world {
	t.Helper()
	fs := newFake(t, opts...)
	vars := map[string]string{
		"SLACK_APP_TOKEN": fs.AppToken(), "SLACK_BOT_TOKEN": fs.BotToken(), "SLACK_API_URL": fs.APIURL(),
		"DATABASE_URL": dbURL, "HANDOFF_CHANNEL": handoffChannel,
		"SALES_TEAM": "SSALES", "MARKETING_TEAM": "SMARKETING", "MANAGERS": skinner,
		"BUSINESS_HOURS": "always", "LOG_FORMAT": "text", "LOG_LEVEL": "debug", "HTTP_ADDR": "",
	}
	for k, v := range env {
		vars[k] = v
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	w := &world{t: t, slack: fs, logs: &syncBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot logs:\n%s", w.logs)
		}
	})
	db, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	w.db = db
	t.Cleanup(func() { w.db.Close() })
	w.start()
	return w
}

func populate(fs *fakeslack.Server) {
	for _, u := range []fakeslack.User{
		{ID: monica, Name: "monica", RealName: "Monica Reyes"},
		{ID: john, Name: "john", RealName: "John Doggett"},
		{ID: fox, Name: "fox", RealName: "Fox Mulder"},
		{ID: walter, Name: "walter", RealName: "Walter Skinner Jr"},
		{ID: skinner, Name: "skinner", RealName: "Walter Skinner"},
		{ID: krycek, Name: "krycek", RealName: "Alex Krycek"},
	} {
		fs.AddUser(u)
	}
	fs.AddUserGroup("SSALES", "sales", fox, walter)
	fs.AddUserGroup("SMARKETING", "marketing", monica, john)
	fs.AddChannel(fakeslack.Channel{ID: handoffChannel, Name: "handoffs", BotIsMember: true,
		Members: []string{monica, john, fox, walter, skinner, krycek}})
}

// start runs the bot until stop, which waits for it to drain and exit.
func (w *world) start() {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, w.logs, w.logs) }()
	waitCtx, waitCancel := context.WithTimeout(ctx, 15*time.Second)
	defer waitCancel()
	if err := w.slack.WaitConnections(waitCtx, 1); err != nil {
		cancel()
		w.t.Fatalf("bot did not connect: %v\n%s", err, w.logs)
	}
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					w.t.Errorf("bot exited with %v\n%s", err, w.logs)
				}
			case <-time.After(15 * time.Second):
				w.t.Errorf("bot did not stop within 15 s\n%s", w.logs)
			}
		})
	}
	w.t.Cleanup(w.stop)
}

func (w *world) user(id string) *fakeslack.UserSim { return w.slack.User(id) }

func (w *world) channel() *fakeslack.ChannelSim { return w.slack.Channel(handoffChannel) }

// finish stops the bot (so late duplicates would have arrived) and checks
// that nothing arrived that the test did not expect.
func (w *world) finish() {
	w.t.Helper()
	w.stop()
	w.slack.ExpectNothingElse(w.t)
}

// syncBuffer collects the bot's logs for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
