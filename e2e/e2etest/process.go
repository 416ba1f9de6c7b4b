package e2etest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakeslack"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds handoffbot once per test binary, as a deployment would.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "handoffbot-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "handoffbot")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/handoffbot/handoffbot").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Process is the built binary running with an environment of its own (no
// inherited configuration).
type Process struct {
	Cmd    *exec.Cmd
	Output *SyncBuffer
	done   chan error
}

// StartProcess starts the binary with env and args; it is killed when the
// test ends, and its output logged if the test failed.
func StartProcess(t testing.TB, env map[string]string, args ...string) *Process {
	t.Helper()
	p := &Process{Cmd: exec.Command(Binary(t), args...), Output: &SyncBuffer{}, done: make(chan error, 1)}
	p.Cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	for k, v := range env {
		p.Cmd.Env = append(p.Cmd.Env, k+"="+v)
	}
	p.Cmd.Stdout, p.Cmd.Stderr = p.Output, p.Output
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.Cmd.Wait() }()
	t.Cleanup(func() {
		if p.Cmd.ProcessState == nil {
			_ = p.Cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(p.Cmd.Path), p.Output)
		}
	})
	return p
}

// Wait waits for the process to exit and returns its exit code.
func (p *Process) Wait(t testing.TB, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.Cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("process did not exit within %v", within)
		return -1
	}
}

// Stop sends SIGTERM and expects the process to drain and exit 0 within
// 10 s.
func (p *Process) Stop(t testing.TB) {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
}

// Done receives the process's exit, once.
func (p *Process) Done() <-chan error { return p.done }

// BotEnv is the binary's environment for the fake Slack and the database
// at dbURL: the bare minimum, text logs, no HTTP endpoint.
func BotEnv(fs *fakeslack.Server, dbURL string) map[string]string {
	return map[string]string{
		"SLACK_APP_TOKEN": fs.AppToken(), "SLACK_BOT_TOKEN": fs.BotToken(), "SLACK_API_URL": fs.APIURL(),
		"DATABASE_URL": dbURL, "HANDOFF_CHANNEL": HandoffChannel, "HTTP_ADDR": "", "LOG_FORMAT": "text",
	}
}

// SLAEnv is BotEnv for SLA stories: wall-clock time, a short accept SLA,
// escalations to the managers' channel, both teams as user groups.
func SLAEnv(fs *fakeslack.Server, dbURL, sla string) map[string]string {
	env := BotEnv(fs, dbURL)
	env["SLA_ACCEPT"], env["BUSINESS_HOURS"], env["MANAGER_CHANNEL"] = sla, "always", ManagerChannel
	env["SALES_TEAM"], env["MARKETING_TEAM"] = SalesGroup, MarketingGroup
	return env
}
