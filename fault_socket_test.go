package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/fakeslack"
)

// dropsFor is how long TestSocketDroppedEvery2s keeps cutting the socket.
const dropsFor = time.Minute

// The Socket Mode connection is cut (TCP, no close frame) every 2 s for a
// minute while people work and events keep coming, with a burst of events
// and a command written just before each cut. Nothing unacked is lost:
// every event is handled exactly once however often Slack redelivers it;
// every acked command is answered once; every handoff ends with one card,
// one reply per move and one DM per notice. Commands and clicks whose ack
// a cut swallowed are, as in Slack, shown to the person as failed: they
// are counted, and the person's retry is handled once.
func TestSocketDroppedEvery2s(t *testing.T) {
	skipInShortMode(t, "about 75 s")
	w := newWorld(t, map[string]string{"DIGEST_SCHEDULE": "0 0 1 1 *"}, fakeslack.WithWaitTimeout(8*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), dropsFor)
	defer cancel()

	homes := &homeOpens{fs: w.slack, user: krycek}
	lists := newTraffic(walter, false)
	atCut := newTraffic(skinner, false) // a command sent as the socket is cut
	story := &dropStory{patient: &patient{t: t, fs: w.slack, db: w.db.SQL()}, until: time.Now().Add(dropsFor)}
	var wg sync.WaitGroup
	wg.Go(func() { homes.steady(ctx) })
	wg.Go(func() { story.run() })
	wg.Go(func() {
		for ctx.Err() == nil {
			lists.run(w.slack, "/handoff list")
			time.Sleep(200 * time.Millisecond)
		}
	})
	drops := 0
	tick := time.NewTicker(2 * time.Second)
	for ctx.Err() == nil {
		select {
		case <-tick.C:
			homes.burst(ctx, 5)
			atCut.spawn(w.slack, "/handoff help")
			time.Sleep(time.Millisecond) // let the command's envelope go out
			w.slack.DropConnections()
			drops++
		case <-ctx.Done():
		}
	}
	tick.Stop()
	wg.Wait()
	t.Logf("%d cuts, %d connections made", drops, w.slack.Connects())
	if w.slack.Connects() < drops {
		t.Errorf("the bot reconnected %d times after %d cuts", w.slack.Connects()-1, drops)
	}

	// Commands: each acked one answered once. Those Slack reported as
	// failed either never reached the bot or were answered anyway (the
	// ack, not the command, was lost): the person saw an error, and maybe
	// the answer too.
	for _, tr := range []struct {
		*traffic
		marker string // in every answer to its command
	}{{lists, "You have no open handoffs"}, {atCut, "alignment survey"}} {
		r := tr.halt(t, w.slack, func(string) string { return "answered" })
		anyway := countPosts(w.slack, tr.marker) - r.answers["answered"]
		t.Logf("%s: of %d commands reported as failed to the person, %d were answered anyway", tr.user, r.unacked, anyway)
		if anyway < 0 || anyway > r.unacked {
			t.Errorf("%s: %d answers to commands whose ack was lost, of %d such commands", tr.user, anyway, r.unacked)
		}
	}
	// Events: all handled, once each, however often redelivered.
	homes.mustAllBeHandledOnce(t, w)
	w.stop()
	story.mustBeWhole(t)
	mustUseResponseURLsOnce(t, w.slack)
}

// homeOpens is a person opening the app's Home tab over and over: each
// app_home_opened event, handled once, publishes one Home view.
type homeOpens struct {
	fs   *fakeslack.Server
	user string
	mu   sync.Mutex
	sent []*fakeslack.Delivery
}

func (h *homeOpens) steady(ctx context.Context) {
	for ctx.Err() == nil {
		h.burst(ctx, 1)
		select {
		case <-ctx.Done():
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// burst sends n events without waiting for their acks.
func (h *homeOpens) burst(ctx context.Context, n int) {
	for range n {
		h.mu.Lock()
		id := fmt.Sprintf("EvHOME%05d", len(h.sent))
		ev := map[string]any{"type": "app_home_opened", "user": h.user, "channel": h.fs.User(h.user).DMChannel(),
			"tab": "home", "event_ts": fmt.Sprintf("%d.000100", time.Now().Unix())}
		d, err := h.fs.SendEvent(ctx, id, ev)
		if err == nil {
			h.sent = append(h.sent, d)
		}
		h.mu.Unlock()
	}
}

// mustAllBeHandledOnce waits until Slack's redeliveries are over (each
// event acked, or given up after three retries) and checks that the bot
// published exactly one Home view per event.
func (h *homeOpens) mustAllBeHandledOnce(t *testing.T, w *world) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	redelivered, lost := 0, 0
	for _, d := range h.sent {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second) // 3 retries, 3 s apart
		acked := false
		for !acked && ctx.Err() == nil {
			attempts := d.Attempts()
			last := attempts[len(attempts)-1]
			short, stop := context.WithTimeout(ctx, 500*time.Millisecond)
			_, err := last.WaitAck(short)
			stop()
			acked = err == nil
		}
		cancel()
		redelivered += len(d.Attempts()) - 1
		if !acked {
			lost++
		}
	}
	var published int
	deadline := time.Now().Add(10 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if published = len(homePublishes(w.slack, h.user)); published >= len(h.sent) {
			break
		}
	}
	t.Logf("%d Home opens, %d redeliveries, %d never acked", len(h.sent), redelivered, lost)
	if lost > 0 || published != len(h.sent) {
		t.Errorf("%d events sent (%d never acked), %d Home views published: want one per event", len(h.sent), lost, published)
	}
	var claimed int
	ids := make([]string, len(h.sent))
	for i, d := range h.sent {
		ids[i] = "event:" + d.EventID
	}
	if err := w.db.SQL().QueryRow(`SELECT count(*) FROM processed_keys WHERE key = ANY($1)`, pq.Array(ids)).Scan(&claimed); err != nil {
		t.Fatal(err)
	}
	if claimed != len(h.sent) {
		t.Errorf("%d of %d events recorded as handled", claimed, len(h.sent))
	}
}

func homePublishes(fs *fakeslack.Server, user string) []fakeslack.Call {
	var out []fakeslack.Call
	for _, c := range fs.Calls("views.publish") {
		if c.Status == 200 && c.Error == "" && c.Params["user_id"] == user {
			out = append(out, c)
		}
	}
	return out
}

// countPosts counts the bot's posts to response URLs containing marker.
func countPosts(fs *fakeslack.Server, marker string) int {
	n := 0
	for _, c := range fs.Calls("response_url") {
		if strings.Contains(string(c.Body), marker) {
			n++
		}
	}
	return n
}

// mustUseResponseURLsOnce checks that no interaction was answered twice.
func mustUseResponseURLsOnce(t *testing.T, fs *fakeslack.Server) {
	t.Helper()
	uses := map[string]int{}
	for _, c := range fs.Calls("response_url") {
		if uses[c.Params["id"]]++; uses[c.Params["id"]] == 2 {
			t.Errorf("response_url %s used twice, e.g. %s", c.Params["id"], c.Body)
		}
	}
}

// dropStory is monica handing leads to fox and fox accepting each and
// logging the first touch, one after the other.
type dropStory struct {
	*patient
	until time.Time // no new lead after this
	leads []string
}

func (s *dropStory) run() {
	for i := 1; time.Now().Before(s.until); i++ {
		name := fmt.Sprintf("Lead %03d", i)
		if !s.handOff(monica, fox, name) {
			return
		}
		s.leads = append(s.leads, name)
		for _, m := range [][2]string{{"Accept", "accepted"}, {"Log first touch", "contacted"}} {
			if !s.move(fox, name, m[0], m[1], 30*time.Second) {
				s.t.Errorf("%s: %s never saved", name, m[0])
				return
			}
		}
		time.Sleep(100 * time.Millisecond) // people, not a load test
	}
}

// mustBeWhole checks every lead's trail: in the database, one handoff
// with one event per move; in Slack, one card with one reply per move,
// and one DM per notice.
func (s *dropStory) mustBeWhole(t *testing.T) {
	t.Helper()
	t.Logf("%d leads handed off, accepted and touched; %d actions repeated after Slack reported them failed", len(s.leads), s.retries.Load())
	if len(s.leads) < 5 {
		t.Errorf("only %d leads got through in a minute", len(s.leads))
	}
	fs := s.fs
	cards := messagesContaining(fs.Channel(handoffChannel).Messages())
	foxDMs := messagesContaining(fs.Channel(fs.User(fox).DMChannel()).Messages())
	monicaDMs := messagesContaining(fs.Channel(fs.User(monica).DMChannel()).Messages())
	for _, name := range s.leads {
		var kinds string
		err := s.db.QueryRow(`SELECT coalesce(string_agg(e.kind, ' ' ORDER BY e.id), '')
			FROM handoffs h JOIN leads l ON l.id = h.lead_id JOIN handoff_events e ON e.handoff_id = h.id WHERE l.name = $1`, name).Scan(&kinds)
		if err != nil {
			t.Fatal(err)
		}
		if kinds != "created accepted contacted" {
			t.Errorf("%s: events %q", name, kinds)
		}
		card := cards(cardTitle(name))
		if len(card) != 1 {
			t.Errorf("%s: %d cards", name, len(card))
			continue
		}
		var thread []string
		for _, r := range fs.Channel(handoffChannel).Replies(card[0].TS) {
			thread = append(thread, r.Text())
		}
		if len(thread) != 2 || !strings.Contains(thread[0], "accepted it") || !strings.Contains(thread[1], "logged the first touch") {
			t.Errorf("%s: thread %q, want the accept then the first touch", name, thread)
		}
		if n := len(foxDMs("handed you a lead: *" + name + "*")); n != 1 {
			t.Errorf("%s: %d DMs to fox, want 1", name, n)
		}
		if n := len(monicaDMs("accepted your handoff *" + name + "*")); n != 1 {
			t.Errorf("%s: %d DMs to monica, want 1", name, n)
		}
	}
}

// messagesContaining filters msgs by text.
func messagesContaining(msgs []*fakeslack.Message) func(string) []*fakeslack.Message {
	return func(s string) []*fakeslack.Message {
		var out []*fakeslack.Message
		for _, m := range msgs {
			if strings.Contains(m.Text(), s) {
				out = append(out, m)
			}
		}
		return out
	}
}
