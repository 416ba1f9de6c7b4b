package faults

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/pglocal"
)

// outage is how long the database is gone in TestDatabaseOutage.
const outage = 30 * time.Second

// Postgres stops (as in a crash) for 30 s while people work: every command
// and click is still acked and answered, saving fails with a clear "couldn't
// save, try again" and a modal keeps what was typed; when the database is
// back the same bot (no restart) saves the very same modals, fires the SLA
// timers that fell due during the outage, and nothing is half-written.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "about 45 s")
	ctx := context.Background()
	pg := startOwnPostgres(t)
	dbURL := pg.DatabaseURL("postgres")
	w := newWorld(t, e2etest.OnDatabase(dbURL), e2etest.Configure(func(c *config.Config) {
		// Reminders at 10 s and breaches at 20 s fall due during the outage.
		c.SLAAccept, c.ManagerChannel, c.DigestSchedule = 20*time.Second, managerChannel, "0 0 1 1 *"
	}), e2etest.SlackOptions(fakeslack.WithWaitTimeout(30*time.Second)))
	e2etest.AddManagerChannel(w.Slack)

	// Before: two handoffs to fox; fox starts rejecting one, monica starts
	// a third. Traffic runs throughout.
	dana := w.HandOffToFox("Dana Scully")
	alex := w.HandOffToFox("Alex Krycek")
	w.User(fox).Click(t, alex, "Reject")
	reason := w.User(fox).ExpectModal(t)
	w.User(monica).Slash(t, handoffChannel, "/handoff Walter Skinner walter.skinner@fbi.example")
	form := w.User(monica).ExpectModal(t).Fill("Company", "FBI").SelectUser("Assignee", fox)
	lists := startTraffic(w.Slack, walter, 300*time.Millisecond, "/handoff list")
	toggles := startTraffic(w.Slack, john, 300*time.Millisecond, "/handoff digest unsubscribe", "/handoff digest subscribe")

	if err := pg.Halt(ctx); err != nil {
		t.Fatal(err)
	}
	haltedAt := time.Now()
	t.Log("database halted")

	// During the outage: every answer says what happened, modals keep input.
	sub := form.Submit(t)
	mustKeepInput(t, sub, map[string]string{"Lead name": "Walter Skinner", "Company": "FBI",
		"Email": "walter.skinner@fbi.example", "Assignee": fox})
	reason.Select("Reason", "No budget").Fill("Note", "Budget frozen until Q3")
	rsub := reason.Submit(t)
	mustKeepInput(t, rsub, map[string]string{"Reason": "No budget", "Note": "Budget frozen until Q3"})
	w.User(fox).Click(t, dana, "Accept")
	mustContain(t, "answer to Accept during the outage", w.User(fox).ExpectEphemeral(t, "Nothing was saved").Text(),
		"not answering", "try again")

	time.Sleep(time.Until(haltedAt.Add(outage))) // the outage lasts its full length
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	backAt := time.Now()
	t.Logf("database back after %v", backAt.Sub(haltedAt).Round(time.Second))

	// After, with no restart of the bot: the same form saves at once.
	if sub = sub.View.Submit(t); sub == nil || sub.ResponseAction != "" || len(sub.Errors) > 0 {
		t.Fatalf("New handoff form resubmitted after the outage: %+v", sub)
	}
	walterCard := w.Channel().ExpectMessage(t, "Walter Skinner")
	w.User(fox).ExpectDM(t, "handed you a lead")
	w.User(monica).ExpectEphemeral(t, "Handed off")
	w.User(fox).Click(t, walterCard, "Accept") // long before its own reminder, 10 s on
	walterCard.ExpectThreadReply(t, "accepted it")
	w.User(monica).ExpectDM(t, "accepted your handoff")

	// The job queue recovers too (its leader stepped down during the
	// outage and is elected again): the timers that fell due fire, once.
	for range 2 { // dana's and alex's
		w.User(fox).ExpectDM(t, "Reminder")
		w.User(fox).ExpectDM(t, "SLA breached")
		w.Slack.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	}
	t.Logf("timers that fell due in the outage fired %v after it", time.Since(backAt).Round(100*time.Millisecond))
	// The reason modal, kept open with its input, saves too.
	if rsub = rsub.View.Submit(t); rsub == nil || len(rsub.Errors) > 0 {
		t.Fatalf("reason resubmitted after the outage: %+v", rsub)
	}
	expectCardShows(t, alex, "Rejected")
	alex.ExpectThreadReply(t, "rejected it: No budget")
	w.User(monica).ExpectDM(t, "rejected your handoff")
	w.User(fox).Click(t, dana.Latest(), "Accept")
	expectCardShows(t, dana, "Accepted")
	dana.ExpectThreadReply(t, "accepted it")
	w.User(monica).ExpectDM(t, "accepted your handoff")

	mustServeOrRefuseEach(t, w.Slack, lists, toggles)
	w.Finish()
	// w.DB's pool sat idle through the outage with connections the crash
	// cut: it must recover by itself too.
	mustBeWholeAfterOutage(t, w.DB, map[string]string{
		"Dana Scully":    "created reminded breached accepted", // late timers still fire, once
		"Alex Krycek":    "created reminded breached rejected",
		"Walter Skinner": "created accepted",
	})
}

// startOwnPostgres starts a throwaway cluster for a test that stops it:
// the shared server must not stop.
func startOwnPostgres(t *testing.T) *pglocal.Server {
	t.Helper()
	pg, err := pglocal.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Error(err)
		}
	})
	return pg
}

// mustServeOrRefuseEach stops the traffics and checks that each command
// was acked and answered: served before and after the outage, refused
// with the clear message during it.
func mustServeOrRefuseEach(t *testing.T, fs *fakeslack.Server, traffics ...*traffic) {
	t.Helper()
	unavailable := func(answer string) string {
		if strings.Contains(answer, "Nothing was saved") && strings.Contains(answer, "not answering") {
			return "couldn't save"
		}
		return "served"
	}
	for _, tr := range traffics {
		r := tr.halt(t, fs, unavailable)
		if r.unacked > 0 || r.answers["couldn't save"] == 0 || r.answers["served"] == 0 {
			t.Errorf("%s's commands: all must be acked and answered, some refused during the outage, some served", tr.user)
		}
	}
}

// mustKeepInput checks a submission refused because the database is down:
// the modal stays open with an error saying so, and what was typed.
func mustKeepInput(t *testing.T, sub *fakeslack.Submission, typed map[string]string) {
	t.Helper()
	if sub == nil || sub.ResponseAction != "errors" || sub.View == nil {
		t.Fatalf("submission during the outage: %+v, want the modal kept open with an error", sub)
	}
	for label, msg := range sub.Errors {
		mustContain(t, "error under "+label, msg, "Nothing was saved", "not answering", "try again")
	}
	if len(sub.Errors) != 1 {
		t.Errorf("errors %v, want one saying the database is down", sub.Errors)
	}
	for label, want := range typed {
		if got := sub.View.Value(label); got != want {
			t.Errorf("%s after the refused submit = %q, want %q (the input is kept)", label, got, want)
		}
	}
}

// mustBeWholeAfterOutage checks that the database holds exactly the
// handoffs that were saved, each with its events, card and messages, and
// nothing half-written.
func mustBeWholeAfterOutage(t *testing.T, db *storage.DB, events map[string]string) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.SQL().QueryContext(ctx, `SELECT l.name, h.card_ts <> '',
		(SELECT string_agg(kind, ' ' ORDER BY id) FROM handoff_events e WHERE e.handoff_id = h.id)
		FROM handoffs h JOIN leads l ON l.id = h.lead_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var name, kinds string
		var carded bool
		if err := rows.Scan(&name, &carded, &kinds); err != nil {
			t.Fatal(err)
		}
		if seen[name] {
			t.Errorf("%s was saved twice", name)
		}
		seen[name] = true
		// Timers that fell due together fire in either order; each once.
		if want, ok := events[name]; !ok || sortedWords(kinds) != sortedWords(want) || !carded {
			t.Errorf("%s: events %q (want %q in any order), card posted %v", name, kinds, want, carded)
		}
	}
	if len(seen) != len(events) {
		t.Errorf("handoffs saved: %v, want %d", seen, len(events))
	}
	for what, query := range map[string]string{
		"leads without a handoff":     `SELECT count(*) FROM leads WHERE id NOT IN (SELECT lead_id FROM handoffs)`,
		"handoffs without a creation": `SELECT count(*) FROM handoffs h WHERE NOT EXISTS (SELECT 1 FROM handoff_events e WHERE e.handoff_id = h.id AND e.kind = 'created')`,
		"messages never delivered":    `SELECT count(*) FROM outbox WHERE sent_at IS NULL`,
	} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		} else if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
}

func sortedWords(s string) string {
	w := strings.Fields(s)
	slices.Sort(w)
	return strings.Join(w, " ")
}
