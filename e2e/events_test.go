package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
	"github.com/handoffbot/handoffbot/webhooks"
)

// hookSecret is WEBHOOK_SECRET in these tests.
const hookSecret = "whsec_e2e_0123456789abcdef"

// hookReceiver is a webhook endpoint as a customer would write it: it
// verifies each request's signature (at the world's time) and refuses
// what does not verify; otherwise it answers what answer says.
type hookReceiver struct {
	URL string // with a secret path, which no log or Slack message may show

	mu       sync.Mutex
	now      func() time.Time
	answer   func(now time.Time) int // 0: drop the connection unanswered
	taken    []hookEvent             // answered 2xx
	tries    int                     // every verified request
	rejected int                     // did not verify
	// lastHeader and lastBody are the last request taken, for replaying.
	lastHeader http.Header
	lastBody   []byte
}

// hookEvent is an event the receiver took.
type hookEvent struct {
	ID       string
	Type     string
	Sequence string // handoff:42 or feedback:7
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	r := &hookReceiver{now: time.Now, answer: func(time.Time) int { return http.StatusOK }}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/hooks/catch/SECRET-PATH-TOKEN"
	return r
}

func (r *hookReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if err != nil || webhooks.Verify(hookSecret, req.Header.Get(webhooks.SignatureHeader), body, 0, now) != nil {
		r.rejected++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.tries++
	status := r.answer(now)
	if status == 0 {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	w.WriteHeader(status)
	if status/100 != 2 {
		return
	}
	var e webhooks.Event
	if err := json.Unmarshal(body, &e); err != nil {
		r.rejected++ // signed, yet not an event: the tests expect none
		return
	}
	seq := "ping"
	switch {
	case e.Feedback != nil:
		seq = "feedback:" + strconv.FormatInt(e.Feedback.ID, 10)
	case e.Handoff != nil:
		seq = "handoff:" + strconv.FormatInt(e.Handoff.ID, 10)
	}
	r.taken = append(r.taken, hookEvent{ID: e.ID, Type: string(e.Type), Sequence: seq})
	r.lastHeader, r.lastBody = req.Header.Clone(), body
}

// set changes how the receiver answers.
func (r *hookReceiver) set(answer func(now time.Time) int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answer = answer
}

func (r *hookReceiver) counts() (taken, tries, rejected int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.taken), r.tries, r.rejected
}

// bySequence is the types of the events taken for each sequence, in the
// order they came, each event id once.
func (r *hookReceiver) bySequence() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen, out := map[string]bool{}, map[string]string{}
	for _, e := range r.taken {
		if !seen[e.ID] {
			seen[e.ID] = true
			out[e.Sequence] = strings.TrimSpace(out[e.Sequence] + " " + e.Type)
		}
	}
	return out
}

func answering(status int) func(time.Time) int { return func(time.Time) int { return status } }

// newHookWorld is a world whose events go to rcv, with the feedback and
// managers' channels.
func newHookWorld(t *testing.T, rcv *hookReceiver) *world {
	t.Helper()
	w := newFeedbackWorld(t, e2etest.Configure(func(c *config.Config) {
		c.WebhookURLs, c.WebhookSecret = config.URLs{rcv.URL}, hookSecret
		c.ManagerChannel = managerChannel
	}))
	e2etest.AddManagerChannel(w.Slack)
	rcv.mu.Lock()
	rcv.now = w.Clock.Now
	rcv.mu.Unlock()
	t.Cleanup(func() {
		if strings.Contains(w.Logs.String(), "SECRET-PATH-TOKEN") {
			t.Error("the logs show the webhook URL's secret path")
		}
	})
	return w
}

// waitTaken waits until rcv has taken n events.
func (w *world) waitTaken(rcv *hookReceiver, n int) {
	w.T.Helper()
	w.waitFor("the receiver to take "+strconv.Itoa(n)+" events", func() bool { taken, _, _ := rcv.counts(); return taken >= n })
}

// eventsSettled waits until no events job is due or running.
func (w *world) eventsSettled() {
	w.T.Helper()
	w.waitFor("the events jobs to settle", func() bool {
		var n int
		if err := w.DB.SQL().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'events'
			AND (state = 'running' OR (state = 'available' AND scheduled_at <= $1))`, w.Clock.Now()).Scan(&n); err != nil {
			w.T.Fatal(err)
		}
		return n == 0
	})
}

// waitFor polls ok for up to 20 s.
func (w *world) waitFor(what string, ok func() bool) {
	w.T.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			w.T.Fatalf("waited 20 s for %s\n%s", what, w.Logs)
		}
	}
}

// Every change — accept, reject, first touch, qualify, win, lose, return,
// the SLA's reminder and breach, feedback given and resolved — reaches the
// receiver as exactly one signed event of its type, in order per handoff.
func TestEveryChangeIsOneSignedEvent(t *testing.T) {
	t.Parallel()
	rcv := newHookReceiver(t)
	w := newHookWorld(t, rcv)
	won := w.HandOffToFox("Dana Scully (FBI)")
	for _, step := range []struct{ button, reply string }{
		{"Accept", "accepted it"}, {"Log first touch", "logged the first touch"}, {"Qualified", "qualified it"}, {"Won", "won it"},
	} {
		w.User(fox).Click(t, won.Latest(), step.button)
		won.ExpectUpdate(t)
		won.ExpectThreadReply(t, step.reply)
	}
	rejected := w.HandOffToFox("Alex Krycek")
	w.User(fox).Click(t, rejected, "Reject")
	w.User(fox).ExpectModal(t).Select("Reason", "No budget").Submit(t)
	rejected.ExpectUpdate(t)
	lost := w.accepted("Jeffrey Spender")
	w.User(fox).Click(t, lost.Latest(), "Lost")
	w.User(fox).ExpectModal(t).Select("Reason", "Price").Submit(t)
	lost.ExpectUpdate(t)
	returned := w.accepted("Marita Covarrubias")
	w.User(fox).Click(t, returned.Latest(), "Return to marketing")
	w.User(fox).ExpectModal(t).Select("Reason", "Not ready (timing)").Submit(t)
	returned.ExpectUpdate(t)
	w.HandOffToFox("Walter Skinner")
	root := w.sendFeedback(fox, "Pricing", "Too expensive for SMB")
	w.User(monica).Click(t, root, "Resolve")
	w.User(monica).ExpectModal(t).Fill("What changed", "New pricing page").Submit(t)
	root.ExpectUpdate(t)
	w.Advance(2 * time.Hour)
	w.User(fox).ExpectDM(t, "Reminder")
	w.Advance(2 * time.Hour)
	w.Slack.Channel(managerChannel).ExpectMessage(t, "SLA breached")

	want := map[string]string{
		"handoff:1": "handoff.created handoff.accepted handoff.first_touch handoff.qualified handoff.won",
		"handoff:2": "handoff.created handoff.rejected",
		"handoff:3": "handoff.created handoff.accepted handoff.lost",
		"handoff:4": "handoff.created handoff.accepted handoff.returned",
		"handoff:5": "handoff.created handoff.sla_reminded handoff.sla_breached",
		// Resolving an open item acknowledges it on the way (domain.md).
		"feedback:1": "feedback.created feedback.acknowledged feedback.resolved",
	}
	total := 0
	for _, types := range want {
		total += len(strings.Fields(types))
	}
	w.waitTaken(rcv, total)
	w.eventsSettled()
	if got := rcv.bySequence(); !mapsEqual(got, want) {
		t.Errorf("the receiver took\n%v\nwant\n%v", got, want)
	}
	if taken, tries, rejected := rcv.counts(); taken != total || tries != total || rejected != 0 {
		t.Errorf("%d taken in %d tries, %d rejected; want each of the %d events once", taken, tries, rejected, total)
	}
}

// accepted is a handoff to Fox that he has accepted.
func (w *world) accepted(lead string) *fakeslack.Message {
	w.T.Helper()
	card := w.HandOffToFox(lead)
	w.User(fox).Click(w.T, card, "Accept")
	card.ExpectUpdate(w.T)
	card.ExpectThreadReply(w.T, "accepted it")
	return card
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A receiver down for ten minutes (answering 503, then dropping the
// connection) gets every event afterwards, each once by its id, in order
// per handoff.
func TestReceiverDownTenMinutesGetsEverythingAfter(t *testing.T) {
	t.Parallel()
	rcv := newHookReceiver(t)
	w := newHookWorld(t, rcv)
	down := e2etest.Start
	rcv.set(func(now time.Time) int {
		switch {
		case now.Before(down.Add(5 * time.Minute)):
			return http.StatusServiceUnavailable
		case now.Before(down.Add(10 * time.Minute)):
			return 0
		}
		return http.StatusOK
	})
	first := w.HandOffToFox("Dana Scully")
	w.Advance(time.Minute)
	w.User(fox).Click(t, first, "Accept")
	first.ExpectUpdate(t)
	second := w.HandOffToFox("Alex Krycek")
	w.Advance(5 * time.Minute) // the receiver drops connections now
	w.User(fox).Click(t, first.Latest(), "Log first touch")
	first.ExpectUpdate(t)
	w.User(fox).Click(t, second, "Reject")
	w.User(fox).ExpectModal(t).Select("Reason", "Not a fit").Submit(t)
	second.ExpectUpdate(t)
	w.Advance(time.Minute)
	w.eventsSettled()
	if taken, tries, _ := rcv.counts(); taken != 0 || tries < 2 {
		t.Fatalf("while down the receiver took %d events in %d tries", taken, tries)
	}
	for at := time.Duration(0); at < 3*time.Hour && !w.allTaken(rcv, 5); at += 10 * time.Minute {
		w.Advance(10 * time.Minute)
		w.eventsSettled()
	}
	want := map[string]string{
		"handoff:1": "handoff.created handoff.accepted handoff.first_touch",
		"handoff:2": "handoff.created handoff.rejected",
	}
	if got := rcv.bySequence(); !mapsEqual(got, want) {
		t.Errorf("after the outage the receiver has\n%v\nwant\n%v", got, want)
	}
	if _, _, rejected := rcv.counts(); rejected != 0 {
		t.Errorf("%d requests did not verify", rejected)
	}
}

// allTaken reports whether rcv has taken n distinct events.
func (w *world) allTaken(rcv *hookReceiver, n int) bool {
	total := 0
	for _, types := range rcv.bySequence() {
		total += len(strings.Fields(types))
	}
	return total >= n
}

// A receiver that verifies signatures refuses a delivery whose body was
// changed by one byte on the way.
func TestATamperedEventDoesNotVerify(t *testing.T) {
	t.Parallel()
	rcv := newHookReceiver(t)
	w := newHookWorld(t, rcv)
	w.HandOffToFox("Dana Scully")
	w.waitTaken(rcv, 1)
	rcv.mu.Lock()
	header, body := rcv.lastHeader.Clone(), bytes.Clone(rcv.lastBody)
	rcv.mu.Unlock()
	i := bytes.Index(body, []byte("Dana"))
	body[i] ^= 0x01 // Dana → Eana
	if err := webhooks.Verify(hookSecret, header.Get(webhooks.SignatureHeader), body, 0, w.Clock.Now()); !errors.Is(err, webhooks.ErrSignatureMismatch) {
		t.Errorf("Verify of the tampered body = %v", err)
	}
	req, err := http.NewRequest(http.MethodPost, rcv.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if taken, _, rejected := rcv.counts(); resp.StatusCode != http.StatusUnauthorized || taken != 1 || rejected != 1 {
		t.Errorf("the tampered copy: %d; receiver took %d and rejected %d", resp.StatusCode, taken, rejected)
	}
}

// A URL that answers 410 is switched off: later events wait, managers see
// it in App Home, and `handoffbot events replay` switches it back on and
// sends the events again.
func TestGoneURLIsShownToManagersThenReplayed(t *testing.T) {
	t.Parallel()
	rcv := newHookReceiver(t)
	rcv.set(answering(http.StatusGone))
	w := newHookWorld(t, rcv)
	card := w.HandOffToFox("Dana Scully")
	w.waitFor("the 410", func() bool { _, tries, _ := rcv.counts(); return tries == 1 })
	w.eventsSettled()
	w.User(fox).Click(t, card, "Accept")
	card.ExpectUpdate(t)
	w.eventsSettled()
	if _, tries, _ := rcv.counts(); tries != 1 {
		t.Errorf("a switched-off URL was sent %d requests", tries)
	}
	home := w.User(skinner).OpenHome(t).Text()
	mustContain(t, "manager's App Home", home, "Outbound events not delivered", rcv.URL[:strings.Index(rcv.URL, "/hooks")]+"/…",
		"is switched off", "410", "handoffbot events replay --since")
	if strings.Contains(home, "SECRET-PATH-TOKEN") {
		t.Errorf("App Home shows the URL's secret path:\n%s", home)
	}
	if strings.Contains(w.User(fox).OpenHome(t).Text(), "Outbound events") {
		t.Error("a rep is shown the outbound events")
	}

	rcv.set(answering(http.StatusOK))
	out, err := w.Run("events", "replay", "--since", "1h")
	if err != nil {
		t.Fatalf("events replay: %v\n%s", err, out)
	}
	mustContain(t, "replay's output", out, "2 events (handoffs and feedback items: 1)", "switched back on")
	if strings.Contains(out, "SECRET-PATH-TOKEN") {
		t.Errorf("replay printed the secret path:\n%s", out)
	}
	w.waitTaken(rcv, 2)
	w.eventsSettled()
	if got := rcv.bySequence()["handoff:1"]; got != "handoff.created handoff.accepted" {
		t.Errorf("after the replay the receiver has %q", got)
	}
	if home := w.User(skinner).OpenHome(t).Text(); strings.Contains(home, "is switched off") {
		t.Errorf("App Home still shows the URL switched off:\n%s", home)
	}
}

// check pings each webhook URL, signed, and says how each answered with
// the fix; it disables nothing.
func TestCheckPingsEachWebhook(t *testing.T) {
	t.Parallel()
	ok := newHookReceiver(t)
	gone := newHookReceiver(t)
	gone.set(answering(http.StatusGone))
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	dbURL := storagetest.URL(t)
	out, code := runCheck(t, checkWorkspace(t), dbURL, func(c *config.Config) {
		c.WebhookURLs, c.WebhookSecret = config.URLs{ok.URL, gone.URL, closed.URL + "/x"}, hookSecret
	})
	if code != 1 {
		t.Errorf("check exited %d with a URL down, want 1", code)
	}
	lineOf(t, out, "✓", "webhook 1 of 3")
	if _, fix := lineOf(t, out, "✗", "webhook 2 of 3"); !strings.Contains(fix, "events replay") {
		t.Errorf("the 410's fix: %s", fix)
	}
	if _, fix := lineOf(t, out, "✗", "webhook 3 of 3"); !strings.Contains(fix, "must answer from here") {
		t.Errorf("no answer's fix: %s", fix)
	}
	if taken, _, rejected := ok.counts(); taken != 1 || rejected != 0 || ok.bySequence()["ping"] != "ping" {
		t.Errorf("the receiver took %d pings, rejected %d", taken, rejected)
	}
	if strings.Contains(out, "SECRET-PATH-TOKEN") {
		t.Errorf("check printed a secret path:\n%s", out)
	}
	if n := queryStrings(t, dbURL, `SELECT count(*) FROM event_sinks`); len(n) != 1 || n[0] != "0" {
		t.Errorf("check disabled sinks: %v", n)
	}
}
