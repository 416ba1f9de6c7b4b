package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/clock"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/queue"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
	"github.com/handoffbot/handoffbot/webhooks"
)

const secret = "whsec_events_test_secret"

var start = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// receiver is a webhook endpoint that answers what answer says and keeps
// every request it verified.
type receiver struct {
	URL    string
	mu     sync.Mutex
	answer func(webhooks.Event) int
	got    []received
}

// received is one request: the event and its signature's time.
type received struct {
	event    webhooks.Event
	signedAt string
}

func mustReceiver(t *testing.T, sim *clock.Sim, answer func(webhooks.Event) int) *receiver {
	t.Helper()
	r := &receiver{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		sig := req.Header.Get(webhooks.SignatureHeader)
		if err != nil || webhooks.Verify(secret, sig, body, 0, sim.Now()) != nil {
			t.Errorf("receiver: a request that does not verify: %v %s", err, body)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var e webhooks.Event
		if err := json.Unmarshal(body, &e); err != nil || e.ID != req.Header.Get(webhooks.EventIDHeader) {
			t.Errorf("receiver: body %s, id header %q: %v", body, req.Header.Get(webhooks.EventIDHeader), err)
		}
		r.mu.Lock()
		r.got = append(r.got, received{e, strings.TrimPrefix(strings.Split(sig, ",")[0], "t=")})
		answer := r.answer
		r.mu.Unlock()
		w.WriteHeader(answer(e))
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/hooks/SECRET-PATH"
	return r
}

func (r *receiver) setAnswer(answer func(webhooks.Event) int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answer = answer
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// types lists the received events' types, in the order they came.
func (r *receiver) types() string {
	var ts []string
	for _, g := range r.received() {
		ts = append(ts, string(g.event.Type))
	}
	return strings.Join(ts, " ")
}

func always(status int) func(webhooks.Event) int { return func(webhooks.Event) int { return status } }

// counts keeps what the events job told the metrics.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) tried(sink, result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[result]++
}

func (c *counts) of(result string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[result]
}

// eventsRig is a database whose events go to sinks, worked by River on a
// simulated clock.
type eventsRig struct {
	t     *testing.T
	db    *storage.DB
	sim   *clock.Sim
	count *counts
}

func mustEventsRig(t *testing.T, sim *clock.Sim, sinks map[string]queue.Sink) *eventsRig {
	t.Helper()
	db := storagetest.New(t)
	var names []string
	for name := range sinks {
		names = append(names, name)
	}
	db.SetSinks(names)
	rig := &eventsRig{t: t, db: db, sim: sim, count: &counts{n: map[string]int{}}}
	q, err := queue.New(db.SQL(), queue.Workers{Store: db, Events: db, Sinks: sinks, EventTried: rig.count.tried},
		slog.New(slog.DiscardHandler), queue.Options{PollInterval: 20 * time.Millisecond, SweepInterval: time.Hour, Time: rig.sim})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		if err := q.Stop(stop); err != nil {
			t.Error(err)
		}
	})
	return rig
}

// webhookSinks is the sinks of one URL, signing on sim's clock.
func webhookSinks(sim *clock.Sim, url string) map[string]queue.Sink {
	return map[string]queue.Sink{url: webhooks.NewSink(webhooks.NewSender(secret, webhooks.WithClock(sim.Now)), url)}
}

func (r *eventsRig) mustCreate(name string) domain.Handoff {
	r.t.Helper()
	at := r.sim.Now()
	created, err := r.db.CreateHandoff(context.Background(), domain.NewHandoff{Handoff: domain.Handoff{
		Lead: domain.Lead{Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@fbi.example"}, Direction: domain.ToSales,
		State: domain.StatePending, Priority: domain.Hot, CreatedBy: "U0MKT", Assignee: "U0REP", CreatedAt: at,
		AcceptDueAt: at.Add(4 * time.Hour), FirstTouchDueAt: at.Add(24 * time.Hour)}})
	if err != nil {
		r.t.Fatal(err)
	}
	return created.Handoff
}

// mustMoves applies moves to h, which is pending, one after another.
func (r *eventsRig) mustMoves(h domain.Handoff, moves ...domain.Move) {
	r.t.Helper()
	state := h.State
	for _, m := range moves {
		after, err := r.db.ApplyChange(context.Background(), domain.Change{HandoffID: h.ID, Expected: state, Move: m, Actor: "U0REP", At: r.sim.Now()})
		if err != nil {
			r.t.Fatal(err)
		}
		state = after.State
	}
}

// advance moves the clock and makes the jobs due by then runnable, as
// River's scheduler does every few seconds, then waits for them to run.
func (r *eventsRig) advance(d time.Duration) {
	r.t.Helper()
	r.sim.Advance(d)
	if _, err := r.db.SQL().Exec(`UPDATE river_job SET state = 'available' WHERE state = 'scheduled' AND scheduled_at <= $1`, r.sim.Now()); err != nil {
		r.t.Fatal(err)
	}
	r.settle()
}

// settle waits until no events job is due or running.
func (r *eventsRig) settle() {
	r.t.Helper()
	r.waitUntil("the events jobs to settle", func() bool {
		var n int
		if err := r.db.SQL().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'events'
			AND (state = 'running' OR (state = 'available' AND scheduled_at <= $1))`, r.sim.Now()).Scan(&n); err != nil {
			r.t.Fatal(err)
		}
		return n == 0
	})
}

// waitUntil polls ok for up to 15 s.
func (r *eventsRig) waitUntil(what string, ok func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("waited 15 s for %s", what)
		}
	}
}

// A handoff's events reach the receiver in the order they happened, each
// once, signed, with the handoff as it was after the change.
func TestEventsReachTheReceiverInOrderOnce(t *testing.T) {
	t.Parallel()
	sim := clock.NewSim(start)
	rcv := mustReceiver(t, sim, always(http.StatusOK))
	rig := mustEventsRig(t, sim, webhookSinks(sim, rcv.URL))
	h := rig.mustCreate("Dana Scully")
	rig.mustMoves(h, domain.MoveAccept, domain.MoveTouch, domain.MoveQualify, domain.MoveWin)
	const want = "handoff.created handoff.accepted handoff.first_touch handoff.qualified handoff.won"
	rig.waitUntil("five events", func() bool { return len(rcv.received()) >= 5 })
	rig.settle()
	if got := rcv.types(); got != want {
		t.Errorf("received %s\nwant     %s", got, want)
	}
	ids := map[string]bool{}
	for i, g := range rcv.received() {
		ids[g.event.ID] = true
		states := []domain.State{domain.StatePending, domain.StateAccepted, domain.StateContacted, domain.StateQualified, domain.StateWon}
		if g.event.Handoff == nil || g.event.Handoff.ID != h.ID || g.event.Handoff.State != states[min(i, 4)] {
			t.Errorf("event %d (%s): handoff %+v", i, g.event.Type, g.event.Handoff)
		}
	}
	if len(ids) != 5 || rig.count.of(queue.ResultDelivered) != 5 {
		t.Errorf("%d distinct ids, %d counted delivered; want 5 and 5", len(ids), rig.count.of(queue.ResultDelivered))
	}
	if pending, err := rig.db.PendingEventsBySink(context.Background()); err != nil || len(pending) != 0 {
		t.Errorf("still pending: %v, %v", pending, err)
	}
}

// A receiver that keeps failing one event is sent it again with backoff,
// signed afresh, for a day; then it is recorded as failed and the
// handoff's next event goes.
func TestAFailingEventIsGivenUpAfterADay(t *testing.T) {
	t.Parallel()
	sim := clock.NewSim(start)
	rcv := mustReceiver(t, sim, func(e webhooks.Event) int {
		if e.Type == webhooks.HandoffAccepted {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	rig := mustEventsRig(t, sim, webhookSinks(sim, rcv.URL))
	h := rig.mustCreate("Fox Mulder")
	rig.mustMoves(h, domain.MoveAccept, domain.MoveTouch)
	rig.waitUntil("the first try of the accept", func() bool { return len(rcv.received()) >= 2 })
	rig.settle()
	for i := 0; i < 100 && !strings.Contains(rcv.types(), "first_touch"); i++ {
		rig.advance(30 * time.Minute)
	}
	got := rcv.received()
	last := got[len(got)-1]
	if last.event.Type != webhooks.HandoffFirstTouch || got[0].event.Type != webhooks.HandoffCreated {
		t.Fatalf("received %s", rcv.types())
	}
	tries := got[1 : len(got)-1]
	first, lastTry := tries[0], tries[len(tries)-1]
	for _, try := range tries {
		if try.event.Type != webhooks.HandoffAccepted || try.event.ID != first.event.ID {
			t.Errorf("between the created and the first touch: %s %s (the accept is %s)", try.event.Type, try.event.ID, first.event.ID)
		}
	}
	if len(tries) < 10 || first.signedAt == lastTry.signedAt {
		t.Errorf("%d tries of the accept, signed at %s … %s", len(tries), first.signedAt, lastTry.signedAt)
	}
	if span := mustUnix(t, lastTry.signedAt).Sub(mustUnix(t, first.signedAt)); span < queue.GiveUpAfter || span > queue.GiveUpAfter+2*time.Hour {
		t.Errorf("the accept was tried for %v, want a day (and at most the backoff's cap more)", span)
	}
	failed, err := rig.db.FailedEvents(context.Background(), start, 5)
	if err != nil || len(failed) != 1 || failed[0].EventID != first.event.ID || !strings.Contains(failed[0].Error, "gave up after a day: webhooks: the receiver answered 500") {
		t.Errorf("failed events %+v, %v", failed, err)
	}
	if rig.count.of(queue.ResultFailed) != 1 || rig.count.of(queue.ResultRetry) != len(tries)-1 {
		t.Errorf("counted %v", rig.count.n)
	}
}

// A 410 disables the URL: later events wait, unsent, until a replay
// switches it back on and sends them, in order.
func TestGoneDisablesTheSinkUntilReplayed(t *testing.T) {
	t.Parallel()
	sim := clock.NewSim(start)
	rcv := mustReceiver(t, sim, always(http.StatusGone))
	rig := mustEventsRig(t, sim, webhookSinks(sim, rcv.URL))
	ctx := context.Background()
	h := rig.mustCreate("Walter Skinner")
	rig.waitUntil("the created event", func() bool { return len(rcv.received()) == 1 })
	rig.settle()
	rig.mustMoves(h, domain.MoveAccept)
	rig.settle()
	disabled, err := rig.db.DisabledSinks(ctx)
	if err != nil || len(disabled) != 1 || disabled[0].Sink != rcv.URL || !strings.Contains(disabled[0].Why, "410") {
		t.Fatalf("disabled %+v, %v", disabled, err)
	}
	if got := rcv.types(); got != "handoff.created" || rig.count.of(queue.ResultGone) != 1 {
		t.Errorf("a disabled URL got %s; counted %v", got, rig.count.n)
	}
	rcv.setAnswer(always(http.StatusOK))
	if _, err := rig.db.ReplayEvents(ctx, start, []string{rcv.URL}, sim.Now()); err != nil {
		t.Fatal(err)
	}
	rig.waitUntil("the replay", func() bool { return len(rcv.received()) == 3 })
	rig.settle()
	if got := rcv.types(); got != "handoff.created handoff.created handoff.accepted" {
		t.Errorf("after the replay received %s", got)
	}
}

// A sink that refuses an event for good (the CRM's 4xx) has it recorded as
// failed, and the next event goes.
func TestARefusedEventIsFailedAndTheNextGoes(t *testing.T) {
	t.Parallel()
	sink := &refuser{}
	rig := mustEventsRig(t, clock.NewSim(start), map[string]queue.Sink{"hubspot": sink})
	h := rig.mustCreate("Monica Reyes")
	rig.mustMoves(h, domain.MoveAccept)
	rig.waitUntil("both events", func() bool { return len(sink.seen()) == 2 })
	rig.settle()
	if got := strings.Join(sink.seen(), " "); got != "handoff.created handoff.accepted" {
		t.Errorf("sent %s", got)
	}
	failed, err := rig.db.FailedEvents(context.Background(), start, 5)
	if err != nil || len(failed) != 1 || failed[0].Type != domain.EventHandoffCreated || failed[0].Error != "the contact is archived" {
		t.Errorf("failed %+v, %v", failed, err)
	}
}

// refuser is a sink that refuses created events and takes the rest.
type refuser struct {
	mu   sync.Mutex
	sent []string
}

func (s *refuser) Send(_ context.Context, e domain.OutboundEvent) queue.Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, e.Type)
	if e.Type == domain.EventHandoffCreated {
		return queue.Sent{Outcome: queue.Refused, Err: errors.New("the contact is archived")}
	}
	return queue.Sent{Outcome: queue.Delivered}
}

func (s *refuser) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// mustUnix reads a signature's t=.
func mustUnix(t *testing.T, secs string) time.Time {
	t.Helper()
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return time.Unix(n, 0)
}
