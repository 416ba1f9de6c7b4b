package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
)

// `handoffbot demo` with no configuration at all: the scripted week runs
// and its transcript shows each part of the product.
func TestDemoTellsTheWeek(t *testing.T) {
	t.Parallel()
	started := time.Now()
	p := e2etest.StartProcess(t, nil, "demo")
	if code := p.Wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("demo exit %d", code)
	}
	t.Logf("demo took %v", time.Since(started).Round(time.Millisecond))
	mustContain(t, "demo output", p.Output.String(),
		"Dana Scully — FBI",                                  // a handoff card
		"POST /v1/handoffs", "→ 201 Created", "via web-form", // a lead through the intake API
		"accepted it", // an acceptance
		"Rejected — No budget: Budget frozen until Q3", // a rejection reason
		"SLA breached",                // an escalation
		"#field-feedback · message",   // a feedback thread
		"Resolved by @leo",            // answered and closed
		"Weekly handoff digest",       // a digest
		"Alignment stats",             // stats
		"[file: Handoffs, acceptance", // and its chart
	)
}

// --interactive: a person types commands and clicks by button text.
func TestInteractiveDemo(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(e2etest.Binary(t), "demo", "--interactive")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	cmd.Stdin = strings.NewReader(strings.Join([]string{
		"/handoff Jane Doe (Acme) jane@acme.example",
		"pick Assignee = @riya",
		"submit",
		"as riya",
		"click Accept",
		"click Nonexistent",
		"quit",
	}, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("interactive demo: %v\n%s", err, out)
	}
	mustContain(t, "interactive demo", string(out),
		"Jane Doe — Acme", "DM @riya · message", "Accepted", "accepted it", `no "Nonexistent" button in sight`)
}
