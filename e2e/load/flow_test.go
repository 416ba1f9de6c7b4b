package load

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/handoffbot/handoffbot/fakeslack"
)

// The load workspace: marketers hand leads to sales reps, who accept them.
// A person can have one modal open, so each marketer runs one handoff at a
// time; there are enough of them that none is ever the bottleneck.
const (
	loadMarketers = 500
	loadReps      = 20
)

// loadManager may see stats and undelivered messages.
const loadManager = "ULMGR0000"

func loadMarketer(i int) string { return fmt.Sprintf("ULMKT%04d", i) }
func loadRep(i int) string      { return fmt.Sprintf("ULREP%04d", i) }

// populateLoad fills the fake workspace and returns the marketers.
func populateLoad(fs *fakeslack.Server) []string {
	var marketers, reps, everyone []string
	for i := range loadMarketers {
		marketers = append(marketers, loadMarketer(i))
	}
	for i := range loadReps {
		reps = append(reps, loadRep(i))
	}
	everyone = append(append(everyone, marketers...), append(reps, loadManager)...)
	for _, id := range everyone {
		fs.AddUser(fakeslack.User{ID: id, Name: strings.ToLower(id), RealName: "Load " + id})
	}
	fs.AddUserGroup("SSALES", "sales", reps...)
	fs.AddUserGroup("SMARKETING", "marketing", marketers...)
	fs.AddChannel(fakeslack.Channel{ID: handoffChannel, Name: "handoffs", BotIsMember: true, Members: everyone})
	return marketers
}

// flow is one handoff's life as three envelopes: /handoff (slash command),
// the New handoff form (view submission), and the owner's Accept (button
// click). It records what each took.
type flow struct {
	lead     string
	acks     [3]time.Duration // slash, submit, click; 0 when not acked in time
	card     time.Duration    // submission sent → card posted
	update   time.Duration    // click sent → card updated
	sent     int              // envelopes sent
	lastSent time.Time        // when the last of them was sent
	saved    bool             // the form was accepted: the person was told it is saved
	err      string           // where it stopped, if it did
	done     time.Time
}

// flowTB is the simulator's TB for one flow: a failure is recorded and the
// simulator's helper returns nil, which ends the flow.
type flowTB struct{ err string }

func (t *flowTB) Helper() {}
func (t *flowTB) Fatalf(format string, args ...any) {
	if t.err == "" {
		t.err = fmt.Sprintf(format, args...)
	}
}

var (
	leadRe  = regexp.MustCompile(`Load Lead \d{5}`)
	ownerRe = regexp.MustCompile(`\*Owner\*\n<@(U[A-Z0-9]+)>`)
	// failRe recognises what the bot tells a person instead of doing what
	// they asked: too busy, Slack too slow to open the form, an error.
	failRe = regexp.MustCompile(`very busy|took too long|went wrong|Nothing was saved|not supported`)
)

// busyPrefix marks a flow the bot shed, telling the person it was busy:
// a refusal, not an error.
const busyPrefix = "told busy"

// run plays the flow as a marketer m; m is returned to the pool once the
// form is closed, as a person would then be free to start another.
func (f *flow) run(ctx context.Context, fs *fakeslack.Server, w *watcher, m string, release func()) {
	defer func() { f.done = time.Now() }()
	released := false
	defer func() {
		if !released {
			release()
		}
	}()
	tb := &flowTB{}
	email := strings.ToLower(strings.ReplaceAll(f.lead, " ", "")) + "@bench.example"
	modal := w.expect(kindModal, m)
	f.send()
	inv := fs.User(m).Slash(tb, handoffChannel, fmt.Sprintf("/handoff %s (Acme) %s", f.lead, email))
	if inv == nil {
		w.cancel(kindModal, m)
		f.err = "slash: " + tb.err
		return
	}
	f.acks[0] = inv.Ack.Latency
	v, ok := wait(ctx, modal, 10*time.Second)
	if !ok { // the modal may still come: this marketer is out of the pool
		w.cancel(kindModal, m)
		released = true
		f.err = "no modal within 10 s"
		return
	}
	if v.told != "" {
		f.fail("", v.told)
		return
	}
	card := w.expect(kindCard, f.lead)
	f.send()
	sub := v.view.Submit(tb) // as prefilled from the command
	release()
	released = true
	if sub != nil {
		f.acks[1] = sub.Ack.Latency
	}
	if sub == nil || sub.ResponseAction != "" {
		w.cancel(kindCard, f.lead)
		f.fail("submit: "+tb.err, submissionErrors(sub))
		return
	}
	f.saved = true
	c, ok := wait(ctx, card, 0)
	if !ok {
		f.err = "no card"
		return
	}
	f.card = c.at.Sub(sub.Ack.SentAt)
	f.accept(ctx, fs, w, tb, c.msg)
}

// accept is the owner's click on the card and the card's update.
func (f *flow) accept(ctx context.Context, fs *fakeslack.Server, w *watcher, tb *flowTB, card *fakeslack.Message) {
	owner := ownerRe.FindStringSubmatch(card.Text())
	if owner == nil {
		f.err = "no owner on the card"
		return
	}
	update := w.expectUpdate(card.TS, owner[1])
	f.send()
	inv := fs.User(owner[1]).Click(tb, card, "Accept")
	if inv == nil {
		f.err = "click: " + tb.err
		return
	}
	f.acks[2] = inv.Ack.Latency
	u, ok := wait(ctx, update, 0)
	switch {
	case !ok || u.told != "":
		f.fail("no card update", u.told)
	case !strings.Contains(u.msg.Text(), "Accepted"):
		f.err = "card update does not say Accepted"
	default:
		f.update = u.at.Sub(inv.Ack.SentAt)
	}
}

// fail records why the flow stopped; told is what the person was told.
func (f *flow) fail(why, told string) {
	switch {
	case strings.Contains(told, "very busy"):
		f.err = busyPrefix
	case told != "":
		f.err = "told: " + told
	default:
		f.err = why
	}
}

func (f *flow) send() {
	f.sent++
	f.lastSent = time.Now()
}

func submissionErrors(s *fakeslack.Submission) string {
	if s == nil {
		return ""
	}
	var msgs []string
	for _, m := range s.Errors {
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "; ")
}

// wait receives from ch until ctx ends or, when limit > 0, limit passes.
func wait[T any](ctx context.Context, ch <-chan T, limit time.Duration) (T, bool) {
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	select {
	case v := <-ch:
		return v, true
	case <-ctx.Done():
		var zero T
		return zero, false
	}
}

// shown is what a flow waits for: the bot's modal or message and when it
// appeared, or what the person was told instead.
type shown struct {
	view *fakeslack.View
	msg  *fakeslack.Message
	at   time.Time
	told string
}

// What flows wait for, and the key each is found by.
const (
	kindModal  = "modal"  // by user
	kindCard   = "card"   // by lead name
	kindUpdate = "update" // by card ts
)

// watcher routes what the bot shows to the flow waiting for it. The fake
// reports each item once (Observe), and one goroutine hands it over, so
// thousands of waiting flows cost nothing while they wait.
type watcher struct {
	mu      sync.Mutex
	queue   []fakeslack.Seen
	wake    chan struct{}
	waiters map[string]chan shown // kind + " " + key
	clicks  map[string][]string   // clicker → ts of the cards they wait on
	// What was seen: cards per lead (a double shows as 2).
	cardsByLead map[string]int
}

func newWatcher(fs *fakeslack.Server) *watcher {
	w := &watcher{
		wake: make(chan struct{}, 1), waiters: map[string]chan shown{},
		clicks: map[string][]string{}, cardsByLead: map[string]int{},
	}
	fs.Observe(func(s fakeslack.Seen) { // under the fake's lock: queue only
		w.mu.Lock()
		w.queue = append(w.queue, s)
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default:
		}
	})
	return w
}

// expect registers a wait for one thing; call it before the envelope that
// causes it is sent.
func (w *watcher) expect(kind, key string) <-chan shown {
	ch := make(chan shown, 1)
	w.mu.Lock()
	w.waiters[kind+" "+key] = ch
	w.mu.Unlock()
	return ch
}

func (w *watcher) cancel(kind, key string) {
	w.mu.Lock()
	delete(w.waiters, kind+" "+key)
	w.mu.Unlock()
}

// expectUpdate waits for a card's update after clicker's click, or for
// what clicker is told instead.
func (w *watcher) expectUpdate(ts, clicker string) <-chan shown {
	ch := w.expect(kindUpdate, ts)
	w.mu.Lock()
	w.clicks[clicker] = append(w.clicks[clicker], ts)
	w.mu.Unlock()
	return ch
}

// dispatch hands items over until ctx ends.
func (w *watcher) dispatch(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		w.mu.Lock()
		batch := w.queue
		w.queue = nil
		w.mu.Unlock()
		for _, s := range batch {
			w.route(s)
		}
	}
}

// route delivers one item. Reading a message's text takes the fake's lock,
// so it happens here, never in the observer.
func (w *watcher) route(s fakeslack.Seen) {
	var text string
	if s.Message != nil && (s.Kind == "message" || s.Kind == "ephemeral") {
		text = s.Message.Text()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case s.Kind == "modal":
		w.deliver(kindModal+" "+s.User, shown{view: s.View, at: s.At})
	case s.Kind == "message" && s.Message.Channel == handoffChannel:
		if lead := leadRe.FindString(text); lead != "" {
			w.cardsByLead[lead]++
			w.deliver(kindCard+" "+lead, shown{msg: s.Message, at: s.At})
		}
	case s.Kind == "update" && s.Message.Channel == handoffChannel:
		w.deliver(kindUpdate+" "+s.Message.TS, shown{msg: s.Message, at: s.At})
	case s.Kind == "ephemeral" && failRe.MatchString(text):
		w.tell(s.User, text)
	}
}

// tell hands what a person was told to the flow waiting on them: their
// modal, else the card they clicked last (the bot sheds the newest
// arrival, at once, so that is the click the answer is about).
func (w *watcher) tell(user, text string) {
	if w.deliver(kindModal+" "+user, shown{told: text}) {
		return
	}
	for n := len(w.clicks[user]); n > 0; n-- {
		ts := w.clicks[user][n-1]
		w.clicks[user] = w.clicks[user][:n-1]
		if w.deliver(kindUpdate+" "+ts, shown{told: text}) {
			return
		}
	}
}

// deliver hands s to the flow waiting under key, if any. Call with w.mu.
func (w *watcher) deliver(key string, s shown) bool {
	ch, ok := w.waiters[key]
	if ok {
		delete(w.waiters, key)
		ch <- s
	}
	return ok
}

// doubled counts leads whose card was posted more than once.
func (w *watcher) doubled() (cards, doubled int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.cardsByLead {
		cards++
		if n > 1 {
			doubled++
		}
	}
	return cards, doubled
}
