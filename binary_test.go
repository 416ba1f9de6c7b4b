package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds handoffbot once per test run, as a deployment would.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "handoffbot-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "handoffbot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is the built binary running with env only (no inherited
// configuration).
type process struct {
	cmd    *exec.Cmd
	output *syncBuffer
	done   chan error
}

func startProcess(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(binary(t), args...), output: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(p.cmd.Path), p.output)
		}
	})
	return p
}

// wait waits for the process to exit and returns its exit code.
func (p *process) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("process did not exit within %v", within)
		return -1
	}
}

func botEnv(fs *fakeslack.Server, dbURL string) map[string]string {
	return map[string]string{
		"SLACK_APP_TOKEN": fs.AppToken(), "SLACK_BOT_TOKEN": fs.BotToken(), "SLACK_API_URL": fs.APIURL(),
		"DATABASE_URL": dbURL, "HANDOFF_CHANNEL": handoffChannel, "HTTP_ADDR": "", "LOG_FORMAT": "text",
	}
}

func newFake(t *testing.T, opts ...fakeslack.Option) *fakeslack.Server {
	t.Helper()
	fs, err := fakeslack.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	populate(fs)
	return fs
}

// The path a real deployment takes: the built binary, configured only by
// its environment, connects to Slack at SLACK_API_URL and answers.
func TestBinaryAnswersHelp(t *testing.T) {
	fs := newFake(t)
	p := startProcess(t, botEnv(fs, storagetest.URL(t)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fs.WaitConnections(ctx, 1); err != nil {
		t.Fatalf("binary did not connect: %v", err)
	}
	inv := fs.User(monica).Slash(t, handoffChannel, "/handoff help")
	t.Logf("ack latency (separate process): %v", inv.Ack.Latency)
	fs.User(monica).ExpectEphemeral(t, "/handoff list")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

func TestBadConfigurationExits2NamingTheVariable(t *testing.T) {
	for _, tc := range []struct {
		name, variable, value string
	}{
		{"user token as bot token", "SLACK_BOT_TOKEN", "xoxp-SECRET-USER-TOKEN"},
		{"channel name instead of id", "HANDOFF_CHANNEL", "#handoffs"},
		{"business hours", "BUSINESS_HOURS", "9 to 5"},
		{"missing app token", "SLACK_APP_TOKEN", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{
				"SLACK_APP_TOKEN": "xapp-1-SECRET-APP-TOKEN", "SLACK_BOT_TOKEN": "xoxb-SECRET-BOT-TOKEN",
				"HANDOFF_CHANNEL": handoffChannel, "SLACK_API_URL": "http://127.0.0.1:1/api/",
			}
			env[tc.variable] = tc.value
			p := startProcess(t, env, "serve")
			if code := p.wait(t, 10*time.Second); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			out := p.output.String()
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
	fs := newFake(t)
	fs.Fault("response_url", fakeslack.Fault{Latency: 500 * time.Millisecond}) // keep handlers busy
	p := startProcess(t, botEnv(fs, storagetest.URL(t)))
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
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := p.wait(t, 10*time.Second)
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
// each migration is applied once.
func TestTwoProcessesMigrateTogether(t *testing.T) {
	url := storagetest.EmptyURL(t)
	env := map[string]string{
		"SLACK_APP_TOKEN": "xapp-1-x", "SLACK_BOT_TOKEN": "xoxb-x", "HANDOFF_CHANNEL": handoffChannel, "DATABASE_URL": url,
	}
	a, b := startProcess(t, env, "migrate"), startProcess(t, env, "migrate")
	if ca, cb := a.wait(t, 60*time.Second), b.wait(t, 60*time.Second); ca != 0 || cb != 0 {
		t.Fatalf("exit codes %d and %d, want 0 and 0", ca, cb)
	}
	status := startProcess(t, env, "migrate", "status")
	if code := status.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("migrate status exit %d", code)
	}
	out := status.output.String()
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
