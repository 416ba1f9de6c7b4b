package e2e

import (
	"bytes"
	"context"
	osexec "os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// lastDigestWeek is the week a bot started now catches up on with the
// default schedule (Mondays 09:00 UTC): the week before the last Monday
// 09:00 that has passed.
func lastDigestWeek(now time.Time) string {
	now = now.UTC()
	monday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
	if now.Before(monday.Add(9 * time.Hour)) {
		monday = monday.AddDate(0, 0, -7)
	}
	return monday.AddDate(0, 0, -7).Format(time.DateOnly)
}

// A bot that was down at the scheduled time sends the latest missed week's
// digest when it starts — one week, however many were missed — to the
// channel and to each subscribed marketer; starting again sends nothing.
func TestDigestCatchUpSendsOnlyTheLatestWeek(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t)
	e2etest.AddDigestChannel(fs)
	dbURL := storagetest.URL(t)
	// The last digest went out four weeks ago; three weeks were missed since.
	latest, _ := time.Parse(time.DateOnly, lastDigestWeek(time.Now()))
	old := latest.AddDate(0, 0, -21).Format(time.DateOnly)
	queryStrings(t, dbURL, `INSERT INTO digest_deliveries (week_start, destination, kind) VALUES ('`+old+`', '`+digestChannel+`', 'team')`)
	env := e2etest.BotEnv(fs, dbURL)
	env["DIGEST_CHANNEL"], env["MARKETING_TEAM"] = digestChannel, "SMARKETING"
	p := e2etest.StartProcess(t, env)
	fs.Channel(digestChannel).ExpectMessage(t, "Weekly handoff digest")
	fs.User(monica).ExpectDM(t, "Weekly handoff digest")
	fs.User(john).ExpectDM(t, "Weekly handoff digest")
	p.Stop(t)

	again := e2etest.StartProcess(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fs.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	weeks := queryStrings(t, dbURL, `SELECT DISTINCT week_start::text FROM digest_deliveries WHERE week_start > '`+old+`'`)
	if len(weeks) != 1 || weeks[0] != lastDigestWeek(time.Now()) {
		t.Errorf("digest weeks sent %v, want only %s", weeks, lastDigestWeek(time.Now()))
	}
	waitDigestJobsDone(t, dbURL)
	again.Stop(t)
	fs.ExpectNothingElse(t)
}

// Two replicas firing every 2 seconds, one restarted in the middle: each
// destination still gets the week's digest once.
func TestDigestExactlyOnceAcrossReplicasAndRestarts(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t)
	e2etest.AddDigestChannel(fs)
	dbURL := storagetest.URL(t)
	env := e2etest.BotEnv(fs, dbURL)
	env["DIGEST_CHANNEL"], env["MARKETING_TEAM"], env["DIGEST_SCHEDULE"] = digestChannel, "SMARKETING", "@every 2s"
	a, b := e2etest.StartProcess(t, env), e2etest.StartProcess(t, env)
	fs.Channel(digestChannel).ExpectMessage(t, "Weekly handoff digest")
	a.Stop(t)
	a = e2etest.StartProcess(t, env) // restarted while the schedule keeps firing
	fs.User(monica).ExpectDM(t, "Weekly handoff digest")
	fs.User(john).ExpectDM(t, "Weekly handoff digest")
	waitForJobRuns(t, dbURL, "digest", 4) // several scheduled runs after the first
	a.Stop(t)
	b.Stop(t)
	fs.ExpectNothingElse(t)
}

// Recorded but never sent (the process died, or Slack was down): the next
// start delivers it, once. An unsubscribed marketer gets no DM; --dry-run
// sends nothing and lists where the digest would go and who is left out.
func TestDigestRecordedBeforeACrashGoesOutOnceAfterRestart(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t)
	e2etest.AddDigestChannel(fs)
	dbURL := storagetest.URL(t)
	env := e2etest.BotEnv(fs, dbURL)
	env["DIGEST_CHANNEL"], env["MARKETING_TEAM"] = digestChannel, "SMARKETING"
	env["DIGEST_SCHEDULE"] = "0 0 1 1 *" // not this week: only the command sends

	unsub := e2etest.StartProcess(t, env)
	fs.User(john).Slash(t, handoffChannel, "/handoff digest unsubscribe")
	fs.User(john).ExpectEphemeral(t, "No more weekly digest DMs")
	unsub.Stop(t)

	dry := e2etest.StartProcess(t, env, "digest", "--dry-run")
	if code := dry.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("dry run exit %d", code)
	}
	mustContain(t, "dry run", dry.Output.String(), "Weekly handoff digest", "quiet week", "Would go to:\n",
		"  "+digestChannel+" (team digest)\n", "  "+monica+" (monica) (personal digest)\n",
		"Left out:\n  "+john+" (john): turned the digest off\n")
	if n := len(fs.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("--dry-run posted %d messages", n)
	}

	fs.Fault("chat.postMessage", fakeslack.Fault{Status: 503}) // recorded, but Slack takes nothing
	send := e2etest.StartProcess(t, env, "digest")
	if code := send.Wait(t, 60*time.Second); code != 0 {
		t.Fatalf("digest exit %d", code)
	}
	fs.ClearFaults()
	if got := queryStrings(t, dbURL, `SELECT destination FROM digest_deliveries ORDER BY 1`); strings.Join(got, ",") != digestChannel+","+monica {
		t.Fatalf("recorded destinations %v", got)
	}
	bot := e2etest.StartProcess(t, env)
	fs.Channel(digestChannel).ExpectMessage(t, "Weekly handoff digest")
	fs.User(monica).ExpectDM(t, "Weekly handoff digest")
	waitOutboxEmpty(t, dbURL)
	bot.Stop(t)
	fs.ExpectNothingElse(t)
}

func queryStrings(t *testing.T, dbURL, query string) []string {
	t.Helper()
	var out bytes.Buffer
	cmd := osexec.Command("psql", dbURL, "-Atc", query)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("psql: %v", err)
	}
	return strings.Fields(out.String())
}

// poll runs query until it returns want, or fails after 30 s.
func poll(t *testing.T, dbURL, query string, ok func([]string) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := queryStrings(t, dbURL, query)
		if ok(got) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %v after 30 s", query, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitDigestJobsDone(t *testing.T, dbURL string) {
	t.Helper()
	poll(t, dbURL, `SELECT count(*) FROM river_job WHERE kind = 'digest' AND state <> 'completed'`,
		func(s []string) bool { return len(s) == 1 && s[0] == "0" })
}

func waitForJobRuns(t *testing.T, dbURL, kind string, n int) {
	t.Helper()
	poll(t, dbURL, `SELECT count(*) >= `+strconv.Itoa(n)+` FROM river_job WHERE kind = '`+kind+`' AND state = 'completed'`,
		func(s []string) bool { return len(s) == 1 && s[0] == "t" })
}

func waitOutboxEmpty(t *testing.T, dbURL string) {
	t.Helper()
	poll(t, dbURL, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`,
		func(s []string) bool { return len(s) == 1 && s[0] == "0" })
}
