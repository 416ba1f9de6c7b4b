package e2e

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// There is no Docker engine on the build machines, so these tests check
// what the image depends on: the binary built as the Dockerfile builds it
// runs alone, with no files around it and no environment but its own
// variables, as it does on distroless (no shell, no libc, no zoneinfo).

var (
	staticOnce sync.Once
	staticPath string
	staticErr  error
)

// staticBinary builds handoffbot with the Dockerfile's command, once.
func staticBinary(t *testing.T) string {
	t.Helper()
	staticOnce.Do(func() {
		dir, err := os.MkdirTemp("", "handoffbot-static-")
		if err != nil {
			staticErr = err
			return
		}
		staticPath = filepath.Join(dir, "handoffbot")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", staticPath, "github.com/handoffbot/handoffbot")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			staticErr = &buildError{err: err, out: string(out)}
		}
	})
	if staticErr != nil {
		t.Fatal(staticErr)
	}
	return staticPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// runAlone runs the static binary in an empty directory with exactly env.
func runAlone(t *testing.T, env map[string]string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, staticBinary(t), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if _, exited := errors.AsType[*exec.ExitError](err); err != nil && !exited {
		t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// The image holds one file: a static binary that needs no dynamic loader.
func TestImageBinaryIsStatic(t *testing.T) {
	t.Parallel()
	path := staticBinary(t)
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader; distroless static has none")
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// The image is this binary plus about 2 MB of distroless; the budget
	// for the whole image is 30 MB.
	t.Logf("static binary: %.1f MB (%d bytes)", float64(st.Size())/1e6, st.Size())
}

// With no environment at all, help still works and serve exits 2 naming
// every variable that is missing, in one run.
func TestImageBinaryRunsWithNothingAroundIt(t *testing.T) {
	t.Parallel()
	out, code := runAlone(t, nil, "help")
	if code != 0 || !strings.Contains(out, "SLACK_APP_TOKEN") || !strings.Contains(out, "healthcheck") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	out, code = runAlone(t, nil, "serve")
	if code != 2 {
		t.Errorf("serve without configuration: exit %d, want 2\n%s", code, out)
	}
	mustContain(t, "serve without configuration", out,
		"SLACK_APP_TOKEN: required", "SLACK_BOT_TOKEN: required", "HANDOFF_CHANNEL: required")
}

// The container's HEALTHCHECK: healthy while serve answers on HTTP_ADDR,
// a clean failure (exit 1, one line, no token) when nothing listens.
func TestImageHealthcheck(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t)
	env := map[string]string{
		"SLACK_APP_TOKEN": fs.AppToken(), "SLACK_BOT_TOKEN": fs.BotToken(), "SLACK_API_URL": fs.APIURL(),
		"HANDOFF_CHANNEL": handoffChannel, "DATABASE_URL": storagetest.URL(t), "HTTP_ADDR": "127.0.0.1:0",
		"LOG_FORMAT": "text", "TIMEZONE": "Europe/Berlin", // zone data is embedded: distroless has none
	}
	serve := exec.Command(staticBinary(t), "serve")
	serve.Dir = t.TempDir()
	for k, v := range env {
		serve.Env = append(serve.Env, k+"="+v)
	}
	logs := &e2etest.SyncBuffer{}
	serve.Stdout, serve.Stderr = logs, logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = serve.Process.Kill()
		_ = serve.Wait()
		if t.Failed() {
			t.Logf("serve output:\n%s", logs)
		}
	})
	addr := awaitLogged(t, logs, listening)

	env["HTTP_ADDR"] = addr
	if out, code := runAlone(t, env, "healthcheck"); code != 0 || !strings.Contains(out, "200 OK") {
		t.Errorf("healthcheck against serve: exit %d\n%s", code, out)
	}
	env["HTTP_ADDR"] = freeAddr(t)
	out, code := runAlone(t, env, "healthcheck")
	if code != 1 || !strings.Contains(out, "connection refused") {
		t.Errorf("healthcheck with nothing listening: exit %d, want 1\n%s", code, out)
	}
	if strings.Contains(out, fs.BotToken()) || strings.Contains(out, fs.AppToken()) || strings.Contains(out, "panic") {
		t.Errorf("healthcheck output:\n%s", out)
	}
}

// awaitLogged waits for re's first group to appear in logs.
func awaitLogged(t *testing.T, logs *e2etest.SyncBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never logged", re)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// envLine is a variable assignment in .env.example, set or commented out.
var envLine = regexp.MustCompile(`^#? ?([A-Z][A-Z0-9_]*)=(.*)$`)

// .env.example lists every variable `handoffbot help` does, each once,
// and what it sets is a valid configuration once DATABASE_URL (which
// docker-compose.yml provides) is added.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]int{}
	set := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if m := envLine.FindStringSubmatch(line); m != nil {
			listed[m[1]]++
			if !strings.HasPrefix(line, "#") {
				set[m[1]] = m[2]
			}
		}
	}
	for _, v := range config.Variables() {
		if listed[v.Name] != 1 {
			t.Errorf("%s is listed %d times in .env.example, want once", v.Name, listed[v.Name])
		}
		delete(listed, v.Name)
	}
	for name := range listed {
		t.Errorf(".env.example lists %s, which the program does not read", name)
	}

	// healthcheck validates the configuration first (exit 2 if bad), then
	// finds nothing listening (exit 1).
	set["DATABASE_URL"] = "postgres://handoff:handoff@postgres:5432/handoff?sslmode=disable"
	set["HTTP_ADDR"] = freeAddr(t)
	out, code := runAlone(t, set, "healthcheck")
	if code != 1 || strings.Contains(out, "bad configuration") {
		t.Errorf("the example configuration does not validate (exit %d):\n%s", code, out)
	}
}
