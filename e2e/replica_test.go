package e2e

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// createFor hands a lead from monica to fox through the fake Slack.
func createFor(t *testing.T, fs *fakeslack.Server, name string) {
	t.Helper()
	fs.User(monica).Slash(t, handoffChannel, "/handoff "+name)
	form := fs.User(monica).ExpectModal(t)
	form.SelectUser("Assignee", fox).Submit(t)
}

// Two bot processes on one database, as Slack spreads envelopes over
// replicas: every reminder and breach notice is sent exactly once.
func TestTwoReplicasSendEachReminderAndBreachOnce(t *testing.T) {
	t.Parallel()
	const n = 100
	// Every card is posted, then updated twice (reminder, breach), all in
	// one channel in order: on a busy machine the last card can come long
	// after the form; the wait is a guard against a hang, not a target.
	fs := e2etest.NewFake(t, fakeslack.WithWaitTimeout(60*time.Second))
	fs.AddChannel(fakeslack.Channel{ID: managerChannel, Name: "managers", BotIsMember: true, Members: []string{skinner}})
	env := e2etest.SLAEnv(fs, storagetest.URL(t), "2s")
	a := e2etest.StartProcess(t, env)
	b := e2etest.StartProcess(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := fs.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("replicas did not connect: %v", err)
	}
	for i := range n {
		createFor(t, fs, fmt.Sprintf("Lead %03d", i))
	}
	for i := range n {
		fs.Channel(handoffChannel).ExpectMessage(t, fmt.Sprintf("Lead %03d", i))
		fs.User(fox).ExpectDM(t, "handed you a lead")
		fs.User(monica).ExpectEphemeral(t, "Handed off")
	}
	for range n {
		fs.User(fox).ExpectDM(t, "Reminder")
		fs.User(fox).ExpectDM(t, "SLA breached")
		fs.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	}
	for _, p := range []*e2etest.Process{a, b} {
		if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.Wait(t, 10*time.Second); code != 0 {
			t.Errorf("replica exited %d", code)
		}
	}
	fs.ExpectNothingElse(t) // a second reminder or notice would be here
}

// SIGKILL between creating a handoff and its reminder: after a restart
// the reminder and the breach still come, once each. They may come late:
// the killed process was the job queue's leader, and a new one is elected
// when its lease (15 s) runs out.
func TestKilledBeforeTheReminderRemindsAfterRestart(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t, fakeslack.WithWaitTimeout(45*time.Second))
	fs.AddChannel(fakeslack.Channel{ID: managerChannel, Name: "managers", BotIsMember: true, Members: []string{skinner}})
	dbURL := storagetest.URL(t)
	env := e2etest.SLAEnv(fs, dbURL, "6s")
	first := e2etest.StartProcess(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := fs.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	createFor(t, fs, "Dana Scully")
	fs.Channel(handoffChannel).ExpectMessage(t, "Dana Scully")
	fs.User(fox).ExpectDM(t, "handed you a lead")
	fs.User(monica).ExpectEphemeral(t, "Handed off")
	if err := first.Cmd.Process.Kill(); err != nil { // SIGKILL: no drain, no goodbye
		t.Fatal(err)
	}
	first.Wait(t, 5*time.Second)
	killedAt := time.Now()

	second := e2etest.StartProcess(t, env)
	fs.User(fox).ExpectDM(t, "Reminder")
	fs.User(fox).ExpectDM(t, "SLA breached")
	fs.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	t.Logf("reminder and breach delivered %v after the kill", time.Since(killedAt).Round(time.Millisecond))
	if err := second.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	second.Wait(t, 10*time.Second)
	fs.ExpectNothingElse(t)
}
