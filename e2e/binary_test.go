package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// The path a real deployment takes: the built binary, configured only by
// its environment, connects to Slack at SLACK_API_URL and answers.
func TestBinaryAnswersHelp(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t)
	p := e2etest.StartProcess(t, e2etest.BotEnv(fs, storagetest.URL(t)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fs.WaitConnections(ctx, 1); err != nil {
		t.Fatalf("binary did not connect: %v", err)
	}
	inv := fs.User(monica).Slash(t, handoffChannel, "/handoff help")
	t.Logf("ack latency (separate process): %v", inv.Ack.Latency)
	fs.User(monica).ExpectEphemeral(t, "/handoff list")
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

func TestBadConfigurationExits2NamingTheVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, variable, value string
	}{
		{"user token as bot token", "SLACK_BOT_TOKEN", "xoxp-SECRET-USER-TOKEN"},
		{"channel name instead of id", "HANDOFF_CHANNEL", "#handoffs"},
		{"business hours", "BUSINESS_HOURS", "9 to 5"},
		{"missing app token", "SLACK_APP_TOKEN", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{
				"SLACK_APP_TOKEN": "xapp-1-SECRET-APP-TOKEN", "SLACK_BOT_TOKEN": "xoxb-SECRET-BOT-TOKEN",
				"HANDOFF_CHANNEL": handoffChannel, "SLACK_API_URL": "http://127.0.0.1:1/api/",
			}
			env[tc.variable] = tc.value
			p := e2etest.StartProcess(t, env, "serve")
			if code := p.Wait(t, 10*time.Second); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			out := p.Output.String()
			if !strings.Contains(out, tc.variable) {
				t.Errorf("output does not name %s:\n%s", tc.variable, out)
			}
			if strings.Contains(out, "SECRET") {
				t.Errorf("output reveals a token:\n%s", out)
			}
		})
	}
}

// SIGTERM while 50 commands are being handled: every one is acked and
// answered, and the process exits 0 within 10 s.
func TestSIGTERMDrainsInFlightCommands(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t)
	fs.Fault("response_url", fakeslack.Fault{Latency: 500 * time.Millisecond}) // keep handlers busy
	p := e2etest.StartProcess(t, e2etest.BotEnv(fs, storagetest.URL(t)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fs.WaitConnections(ctx, 1); err != nil {
		t.Fatalf("binary did not connect: %v", err)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { fs.User(monica).Slash(t, handoffChannel, "/handoff help") }) // returns once acked
	}
	wg.Wait()
	t.Logf("%d of 50 answered when SIGTERM is sent; the rest are in flight", len(fs.Calls("response_url")))
	signalled := time.Now()
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := p.Wait(t, 10*time.Second)
	t.Logf("exited %d, %v after SIGTERM", code, time.Since(signalled).Round(time.Millisecond))
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	answered := 0
	for _, c := range fs.Calls("response_url") {
		if c.Status == 200 {
			answered++
		}
	}
	if answered != 50 {
		t.Errorf("%d of 50 commands answered before exit", answered)
	}
}

// Two replicas starting at once on an empty database: both succeed and
// each migration is applied once. Migrating needs nothing but the database:
// no Slack setting is given.
func TestTwoProcessesMigrateTogether(t *testing.T) {
	t.Parallel()
	url := storagetest.EmptyURL(t)
	env := map[string]string{"DATABASE_URL": url}
	a, b := e2etest.StartProcess(t, env, "migrate"), e2etest.StartProcess(t, env, "migrate")
	if ca, cb := a.Wait(t, 60*time.Second), b.Wait(t, 60*time.Second); ca != 0 || cb != 0 {
		t.Fatalf("exit codes %d and %d, want 0 and 0", ca, cb)
	}
	status := e2etest.StartProcess(t, env, "migrate", "status")
	if code := status.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("migrate status exit %d", code)
	}
	out := status.Output.String()
	if strings.Contains(out, "pending") || !strings.Contains(out, "0001") {
		t.Errorf("migrate status:\n%s", out)
	}
	var buf bytes.Buffer
	cmd := exec.Command("psql", url, "-Atc", "SELECT count(*), count(DISTINCT version) FROM schema_migrations")
	cmd.Stdout = &buf
	if err := cmd.Run(); err == nil {
		if f := strings.Split(strings.TrimSpace(buf.String()), "|"); len(f) != 2 || f[0] != f[1] {
			t.Errorf("schema_migrations rows/distinct = %s", buf.String())
		}
	}
}

// A first run against a server without the database: the command creates
// it, says in one line what it applied, and says nothing the second time
// (River's own "No migrations to apply" included).
func TestFirstRunCreatesAndMigratesTheDatabase(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": storagetest.MissingURL(t), "LOG_FORMAT": "text"}
	first := e2etest.StartProcess(t, env, "migrate")
	if code := first.Wait(t, 60*time.Second); code != 0 {
		t.Fatalf("first migrate exit %d", code)
	}
	mustContain(t, "first run", first.Output.String(), "created the database", "database migrated: applied 0001_handoffs.sql", "job queue versions")
	again := e2etest.StartProcess(t, env, "migrate")
	if code := again.Wait(t, 60*time.Second); code != 0 {
		t.Fatalf("second migrate exit %d", code)
	}
	if out := again.Output.String(); out != "" {
		t.Errorf("nothing to migrate, yet the command said:\n%s", out)
	}
}
