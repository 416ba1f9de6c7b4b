package storage_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// The sinks of these tests: a URL whose path is a secret, and the CRM.
const (
	hookA = "https://hooks.example/catch/SECRET-A"
	hookB = "hubspot"
)

// mustSinkDB is a fresh database whose events go to hookA and hookB.
func mustSinkDB(t *testing.T) *storage.DB {
	t.Helper()
	db := storagetest.New(t)
	db.SetSinks([]string{hookA, hookB})
	return db
}

// mustMove applies move to handoff h, which is in state from, at at.
func mustMove(t *testing.T, db *storage.DB, h domain.Handoff, from domain.State, move domain.Move, at time.Time) domain.Handoff {
	t.Helper()
	after, err := db.ApplyChange(context.Background(), domain.Change{HandoffID: h.ID, Expected: from, Move: move, Actor: "U0REP", At: at})
	if err != nil {
		t.Fatal(err)
	}
	return after
}

func mustPending(t *testing.T, db *storage.DB, sink, seq string) []domain.EventDelivery {
	t.Helper()
	ds, err := db.PendingEvents(context.Background(), sink, seq)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func seqOf(h domain.Handoff) string { return "handoff:" + strconv.FormatInt(h.ID, 10) }

// Each sink is owed a handoff's events in the order they happened, each
// with the handoff as it was just after it, and the card's link of now
// (the card is posted after the create).
func TestPendingEventsInOrderWithTheCardOfNow(t *testing.T) {
	ctx := context.Background()
	db := mustSinkDB(t)
	h := mustCreate(t, db, newHandoff("Dana Scully", "dana@fbi.example"))
	if err := db.SetCard(ctx, h.ID, "CHANDOFF", "1.2", "https://slack.example/archives/C/p12"); err != nil {
		t.Fatal(err)
	}
	mustMove(t, db, h, domain.StatePending, domain.MoveAccept, t0.Add(time.Minute))
	mustMove(t, db, h, domain.StateAccepted, domain.MoveTouch, t0.Add(2*time.Minute))
	for _, sink := range []string{hookA, hookB} {
		ds := mustPending(t, db, sink, seqOf(h))
		want := []struct {
			typ   string
			state domain.State
		}{{domain.EventHandoffCreated, domain.StatePending}, {domain.EventHandoffAccepted, domain.StateAccepted}, {domain.EventHandoffFirstTouch, domain.StateContacted}}
		if len(ds) != len(want) {
			t.Fatalf("%s: %d pending, want %d", sink, len(ds), len(want))
		}
		for i, d := range ds {
			e := d.Event
			if e.Type != want[i].typ || e.Handoff == nil || e.Handoff.State != want[i].state || e.ID == 0 || len(e.EventID) != 36 || d.Attempts != 0 {
				t.Errorf("%s event %d: %+v, want %s with the handoff %s", sink, i, e, want[i].typ, want[i].state)
				continue
			}
			if e.Handoff.CardPermalink != "https://slack.example/archives/C/p12" {
				t.Errorf("%s event %d: card link %q", sink, i, e.Handoff.CardPermalink)
			}
		}
		if ds[0].Event.EventID == ds[1].Event.EventID {
			t.Error("two events with one id")
		}
	}
	if a, b := mustPending(t, db, hookA, seqOf(h)), mustPending(t, db, hookB, seqOf(h)); a[0].Event.EventID != b[0].Event.EventID {
		t.Error("sinks got different ids for one event")
	}
}

// Tries are recorded: a failure keeps the event pending and starts its
// day; delivered and failed events are owed no more; failures are listed.
func TestEventOutcomesAreRecorded(t *testing.T) {
	ctx := context.Background()
	db := mustSinkDB(t)
	h := mustCreate(t, db, newHandoff("Fox Mulder", "fox@fbi.example"))
	mustMove(t, db, h, domain.StatePending, domain.MoveAccept, t0.Add(time.Minute))
	ds := mustPending(t, db, hookA, seqOf(h))
	created, accepted := ds[0].Event, ds[1].Event
	for i, at := range []time.Time{t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
		if err := db.EventAttempted(ctx, created.ID, hookA, "the receiver answered 503", at); err != nil {
			t.Fatal(err)
		}
		d := mustPending(t, db, hookA, seqOf(h))[0]
		if d.Attempts != i+1 || !d.FirstTriedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after try %d: attempts %d, first tried %v", i+1, d.Attempts, d.FirstTriedAt)
		}
	}
	if err := db.EventDelivered(ctx, created.ID, hookA, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.EventFailed(ctx, accepted.ID, hookA, "gave up after a day: the receiver answered 500", t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ds := mustPending(t, db, hookA, seqOf(h)); len(ds) != 0 {
		t.Errorf("still pending: %+v", ds)
	}
	if ds := mustPending(t, db, hookB, seqOf(h)); len(ds) != 2 {
		t.Errorf("the other sink's deliveries changed: %d pending", len(ds))
	}
	failed, err := db.FailedEvents(ctx, t0, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].EventID != accepted.EventID || failed[0].Type != domain.EventHandoffAccepted || failed[0].HandoffID != h.ID ||
		failed[0].Attempts != 1 || failed[0].Sink != hookA || failed[0].Error != "gave up after a day: the receiver answered 500" {
		t.Errorf("failed events %+v", failed)
	}
	if failed, err := db.FailedEvents(ctx, t0.Add(5*time.Hour), 5); err != nil || len(failed) != 0 {
		t.Errorf("failures before since are listed: %+v, %v", failed, err)
	}
	pending, err := db.PendingEventsBySink(ctx)
	if err != nil || len(pending) != 1 || pending[hookB] != 2 {
		t.Errorf("pending by sink %v, %v", pending, err)
	}
}

// A disabled sink is owed nothing until a replay, which sends it every
// event since then again, delivered or not, and schedules their jobs.
func TestDisabledSinkWaitsForReplay(t *testing.T) {
	ctx := context.Background()
	db := mustSinkDB(t)
	h := mustCreate(t, db, newHandoff("Walter Skinner", "walter@fbi.example"))
	mustMove(t, db, h, domain.StatePending, domain.MoveAccept, t0.Add(time.Minute))
	first := mustPending(t, db, hookA, seqOf(h))[0].Event
	if err := db.EventDelivered(ctx, first.ID, hookA, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	disabledAt := t0.Add(2 * time.Minute)
	for i, why := range []string{"the receiver answered 410 Gone", "again"} {
		if err := db.DisableSink(ctx, hookA, why, disabledAt.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := db.DisabledSinks(ctx)
	if err != nil || len(ds) != 1 || ds[0].Sink != hookA || !ds[0].At.Equal(disabledAt) || ds[0].Why != "the receiver answered 410 Gone" {
		t.Fatalf("disabled sinks %+v, %v", ds, err)
	}
	if ds := mustPending(t, db, hookA, seqOf(h)); len(ds) != 0 {
		t.Errorf("a disabled sink is owed %d events", len(ds))
	}
	mustFinish(t, db, hookA, seqOf(h), true)
	mustDropEventsJobs(t, db)

	replayed, err := db.ReplayEvents(ctx, t0, []string{hookA}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(replayed) != 1 || replayed[0] != (domain.Replayed{Sink: hookA, Events: 2, Sequences: 1, Reenabled: true}) {
		t.Errorf("replayed %+v", replayed)
	}
	if ds, err := db.DisabledSinks(ctx); err != nil || len(ds) != 0 {
		t.Errorf("still disabled after the replay: %+v, %v", ds, err)
	}
	if ds := mustPending(t, db, hookA, seqOf(h)); len(ds) != 2 || ds[0].Event.EventID != first.EventID || ds[0].Attempts != 0 {
		t.Errorf("after the replay pending %+v", ds)
	}
	if n := mustCount(t, db, `SELECT count(*) FROM river_job WHERE kind = 'events' AND state = 'available' AND args->>'sink' = $1`, hookA); n != 1 {
		t.Errorf("%d events jobs for the replayed sink, want 1", n)
	}
}

// A replay gives the history to a sink that had none of it (a URL added
// to WEBHOOK_URLS later), and only since the time asked.
func TestReplayFillsANewSinkSinceTheTimeAsked(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	db.SetSinks([]string{hookB})
	old := mustCreate(t, db, newHandoff("Old Lead", "old@fbi.example"))
	h := newHandoff("New Lead", "new@fbi.example")
	h.CreatedAt = t0.Add(time.Hour)
	h = mustCreate(t, db, h)
	replayed, err := db.ReplayEvents(ctx, t0.Add(30*time.Minute), []string{hookA}, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if replayed[0] != (domain.Replayed{Sink: hookA, Events: 1, Sequences: 1}) {
		t.Errorf("replayed %+v", replayed)
	}
	if ds := mustPending(t, db, hookA, seqOf(h)); len(ds) != 1 || ds[0].Event.Type != domain.EventHandoffCreated {
		t.Errorf("the new sink is owed %+v", ds)
	}
	if ds := mustPending(t, db, hookA, seqOf(old)); len(ds) != 0 {
		t.Errorf("an event before --since was replayed: %+v", ds)
	}
}

// The sweep schedules every sequence whose events wait at a configured,
// enabled sink without a job, once.
func TestSweepSchedulesSequencesWithoutAJob(t *testing.T) {
	ctx := context.Background()
	db := mustSinkDB(t)
	a := mustCreate(t, db, newHandoff("A Lead", "a@fbi.example"))
	mustCreate(t, db, newHandoff("B Lead", "b@fbi.example"))
	if n := mustSweep(t, db); n != 0 {
		t.Errorf("swept %d sequences that have their jobs", n)
	}
	mustDropEventsJobs(t, db)
	if err := db.DisableSink(ctx, hookB, "gone", t0); err != nil {
		t.Fatal(err)
	}
	for _, d := range mustPending(t, db, hookA, seqOf(a)) {
		if err := db.EventDelivered(ctx, d.Event.ID, hookA, t0); err != nil {
			t.Fatal(err)
		}
	}
	db.SetSinks([]string{hookA}) // hookB is no longer configured either
	if n := mustSweep(t, db); n != 1 {
		t.Errorf("swept %d sequences, want 1 (B's at hookA)", n)
	}
	if n := mustSweep(t, db); n != 0 {
		t.Errorf("swept %d sequences a second time", n)
	}
}

// FinishEvents completes the job only when nothing is pending, and is
// fenced against an event being recorded: it waits for that transaction
// and then sees the event, so a job never finishes past a new event
// whose own job was not inserted because this one was running.
func TestFinishEventsWaitsForAnEventBeingRecorded(t *testing.T) {
	ctx := context.Background()
	db := mustSinkDB(t)
	h := mustCreate(t, db, newHandoff("Monica Reyes", "monica@fbi.example"))
	created := mustPending(t, db, hookA, seqOf(h))[0].Event
	mustFinish(t, db, hookA, seqOf(h), false)
	if err := db.EventDelivered(ctx, created.ID, hookA, t0); err != nil {
		t.Fatal(err)
	}
	// Hold the accept's transaction after its events are written: its
	// job insert waits for this lock on River's table.
	hold, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`LOCK TABLE river_job IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	moved := make(chan error, 1)
	go func() {
		_, err := db.ApplyChange(ctx, domain.Change{HandoffID: h.ID, Expected: domain.StatePending, Move: domain.MoveAccept, Actor: "U0REP", At: t0})
		moved <- err
	}()
	mustWaitFor(t, db, "the accept to wait for the job table", waitingLocks+` AND relation = 'river_job'::regclass`)
	type finished struct {
		done, completed bool
		err             error
	}
	finish := make(chan finished, 1)
	go func() {
		var f finished
		f.done, f.err = db.FinishEvents(ctx, hookA, seqOf(h), func(*sql.Tx) error { f.completed = true; return nil })
		finish <- f
	}()
	for deadline := time.Now().Add(10 * time.Second); mustCount(t, db, waitingLocks+` AND locktype = 'advisory'`) == 0; {
		select {
		case f := <-finish:
			t.Fatalf("FinishEvents returned %+v while an event was being recorded", f)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("FinishEvents never waited for the fence")
		}
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-moved; err != nil {
		t.Fatal(err)
	}
	if f := <-finish; f.err != nil || f.done || f.completed {
		t.Errorf("FinishEvents after the accept committed: %+v, want not done", f)
	}
}

// waitingLocks counts the locks waited for in this test's database.
const waitingLocks = `SELECT count(*) FROM pg_locks WHERE NOT granted
	AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`

func mustFinish(t *testing.T, db *storage.DB, sink, seq string, want bool) {
	t.Helper()
	completed := false
	done, err := db.FinishEvents(context.Background(), sink, seq, func(*sql.Tx) error { completed = true; return nil })
	if err != nil || done != want || completed != want {
		t.Errorf("FinishEvents = %v (completed %v), %v; want %v", done, completed, err, want)
	}
}

func mustSweep(t *testing.T, db *storage.DB) int {
	t.Helper()
	n, err := db.ScheduleWaitingEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mustDropEventsJobs deletes the events jobs, so a test sees the ones
// scheduled after.
func mustDropEventsJobs(t *testing.T, db *storage.DB) {
	t.Helper()
	if _, err := db.SQL().Exec(`DELETE FROM river_job WHERE kind = 'events'`); err != nil {
		t.Fatal(err)
	}
}

func mustCount(t *testing.T, db *storage.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// mustWaitFor polls query (a count) until it is positive.
func mustWaitFor(t *testing.T, db *storage.DB, what, query string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); mustCount(t, db, query) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}
