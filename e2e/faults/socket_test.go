package faults

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// dropsFor is how long TestSocketDroppedEvery2s keeps cutting the socket.
const dropsFor = time.Minute

// The Socket Mode connection is cut (TCP, no close frame) every 2 s for a
// minute while people work and events keep coming; just before each cut a
// form is submitted, a command run and a burst of events sent. Nothing
// unacked is lost: every event is handled exactly once however often Slack
// redelivers it; every acked command is answered once; every handoff ends
// with one card, one reply per move and one DM per notice, and a form
// submitted at a cut is saved once. Commands whose envelope or ack a cut
// swallowed are, as in Slack, shown to the person as failed (Slack does
// not resend commands): they are counted, with those answered anyway.
func TestSocketDroppedEvery2s(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "about 65 s")
	w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.DigestSchedule = "0 0 1 1 *" }),
		// Redelivered at every missed ack, as fast as the cuts come, rather
		// than on Slack's schedule of minutes.
		e2etest.SlackOptions(fakeslack.WithWaitTimeout(8*time.Second), fakeslack.WithRedeliverySchedule(0, 0, 0)))
	ctx, cancel := context.WithTimeout(context.Background(), dropsFor)
	defer cancel()

	people := &patient{t: t, fs: w.Slack, db: w.DB.SQL()}
	c := &cutter{
		fs: w.Slack, homes: &homeOpens{fs: w.Slack, user: krycek},
		commands: newTraffic(skinner, false),
		forms:    &cutForms{patient: people, ready: make(chan cutForm, 1), outcomes: map[string]int{}},
	}
	c.forms.prepare()
	story := &dropStory{patient: people, until: time.Now().Add(dropsFor)}
	lists := newTraffic(walter, false)
	var wg sync.WaitGroup
	wg.Go(func() { c.homes.steady(ctx) })
	wg.Go(func() { story.run() })
	wg.Go(func() {
		for ctx.Err() == nil {
			lists.run(w.Slack, "/handoff list")
			time.Sleep(200 * time.Millisecond)
		}
	})
	c.cutEvery2s(ctx)
	wg.Wait()
	c.forms.wait()
	t.Logf("%d cuts, %d connections made", c.cuts, w.Slack.Connects())
	if w.Slack.Connects() < c.cuts {
		t.Errorf("the bot reconnected %d times after %d cuts", w.Slack.Connects()-1, c.cuts)
	}

	mustAnswerAckedCommandsOnce(t, w.Slack, map[*traffic]string{lists: "You have no open handoffs", c.commands: "alignment survey"})
	c.homes.mustAllBeHandledOnce(t, w)
	w.Stop()
	story.mustBeWhole(t)
	c.forms.mustBeSavedOnce(t)
	mustUseResponseURLsOnce(t, w.Slack)
}

// cutter cuts the socket every 2 s, with something in flight each time.
type cutter struct {
	fs       *fakeslack.Server
	homes    *homeOpens
	commands *traffic  // a command sent as the socket is cut
	forms    *cutForms // a form submitted as the socket is cut
	cuts     int
}

func (c *cutter) cutEvery2s(ctx context.Context) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		c.forms.submitOneIfReady()
		c.commands.spawn(c.fs, "/handoff help")
		c.homes.burst(ctx, 20) // the last are still in flight when the cut comes
		c.fs.DropConnections()
		c.cuts++
	}
}

// mustAnswerAckedCommandsOnce stops each traffic and checks that every
// acked command was answered once. Those Slack reported as failed either
// never reached the bot or were answered anyway (the ack, not the command,
// was lost): the person saw an error, and maybe the answer too. marker is
// in every answer to the traffic's command.
func mustAnswerAckedCommandsOnce(t *testing.T, fs *fakeslack.Server, traffics map[*traffic]string) {
	t.Helper()
	for tr, marker := range traffics {
		r := tr.halt(t, fs, func(string) string { return "answered" })
		anyway := countPosts(fs, marker) - r.answers["answered"]
		t.Logf("%s: of %d commands reported as failed to the person, %d were answered anyway", tr.user, r.unacked, anyway)
		if anyway < 0 || anyway > r.unacked {
			t.Errorf("%s: %d answers to commands whose ack was lost, of %d such commands", tr.user, anyway, r.unacked)
		}
	}
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
		if published = len(homePublishes(w.Slack, h.user)); published >= len(h.sent) {
			break
		}
	}
	t.Logf("%d Home opens, %d redeliveries, %d never acked", len(h.sent), redelivered, lost)
	if redelivered == 0 {
		t.Error("no event was redelivered: the cuts caught none in flight, so redelivery went untested")
	}
	if lost > 0 || published != len(h.sent) {
		t.Errorf("%d events sent (%d never acked), %d Home views published: want one per event", len(h.sent), lost, published)
	}
	var claimed int
	ids := make([]string, len(h.sent))
	for i, d := range h.sent {
		ids[i] = "event:" + d.EventID
	}
	if err := w.DB.SQL().QueryRow(`SELECT count(*) FROM processed_keys WHERE key = ANY($1)`, pq.Array(ids)).Scan(&claimed); err != nil {
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

// cutForms is john submitting a New handoff form just as the socket is
// cut, then, if Slack reports it failed, submitting it again, as a person
// would: each lead must be saved once whatever the cut swallowed.
type cutForms struct {
	*patient
	ready    chan cutForm // a form filled in, waiting for the next cut
	running  sync.WaitGroup
	mu       sync.Mutex
	leads    []string
	outcomes map[string]int // by how the form came to be saved
}

type cutForm struct {
	name string
	form *fakeslack.View
}

// prepare opens and fills the next form in the background.
func (c *cutForms) prepare() {
	c.running.Go(func() {
		c.mu.Lock()
		name := fmt.Sprintf("Cut %02d", len(c.leads)+1)
		c.leads = append(c.leads, name)
		c.mu.Unlock()
		if form := c.openForm(john, fox, name); form != nil {
			c.ready <- cutForm{name, form}
		}
	})
}

// submitOneIfReady submits the prepared form, if there is one, without
// waiting; the next one is prepared once this one is saved.
func (c *cutForms) submitOneIfReady() {
	select {
	case f := <-c.ready:
		c.running.Go(func() {
			outcome := c.submit(f.form, f.name)
			c.mu.Lock()
			c.outcomes[outcome]++
			c.mu.Unlock()
			c.prepare()
		})
	default:
	}
}

// wait stops preparing forms and waits for the submissions under way.
func (c *cutForms) wait() {
	done := make(chan struct{})
	go func() {
		c.running.Wait()
		close(done)
	}()
	for {
		select {
		case <-c.ready: // opened but never submitted: it stays a draft
		case <-done:
			return
		}
	}
}

// mustBeSavedOnce checks that each submitted lead has one handoff and one
// card.
func (c *cutForms) mustBeSavedOnce(t *testing.T) {
	t.Helper()
	t.Logf("forms submitted as the socket was cut: %v", c.outcomes)
	cards := messagesContaining(c.fs.Channel(handoffChannel).Messages())
	for _, name := range c.leads {
		var n int
		if err := c.db.QueryRow(`SELECT count(*) FROM leads WHERE name = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if saved := c.state(name) != ""; n > 1 || len(cards(cardTitle(name))) != n || (saved && n != 1) {
			t.Errorf("%s: saved %d times, %d cards", name, n, len(cards(cardTitle(name))))
		}
	}
}
