package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// killPhase is how long TestSIGKILLAtRandomMoments keeps killing the bot.
const killPhase = 40 * time.Second

// The built binary is killed with SIGKILL at random moments (seeded: set
// FAULT_SEED to replay a run) and started again, while leads are handed
// off, accepted and touched, SLA timers fire and the weekly digest runs
// every 3 s; Slack is slow to take each post, so kills land mid-post too.
// When it is over, everything is consistent: each handoff has one card,
// one event and one thread reply per move, each reminder and breach at
// most once and told once (and a handoff left pending has both); each
// digest destination got the week's digest once; and no message the bot
// owed was posted twice or not at all.
func TestSIGKILLAtRandomMoments(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "about 2 min")
	seed := faultSeed(t)
	fs := e2etest.NewFake(t, fakeslack.WithWaitTimeout(10*time.Second))
	fs.AddChannel(fakeslack.Channel{ID: managerChannel, Name: "managers", BotIsMember: true, Members: []string{skinner}})
	e2etest.AddDigestChannel(fs)
	fs.Fault("chat.postMessage", fakeslack.Fault{Latency: 150 * time.Millisecond})
	dbURL := storagetest.URL(t)
	db, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A digest sent weeks ago: every start then catches up on last week's
	// (bot.CatchUpDigest), so digest runs begin right after each start.
	week := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -(int(time.Now().UTC().Weekday())+6)%7-7)
	if _, err := db.SQL().Exec(`INSERT INTO digest_deliveries (week_start, destination, kind) VALUES ($1, $2, 'team')`,
		week.AddDate(0, 0, -21), e2etest.DigestChannel); err != nil {
		t.Fatal(err)
	}
	env := e2etest.SLAEnv(fs, dbURL, "8s") // reminders at 4 s, breaches at 8 s
	env["DIGEST_CHANNEL"], env["DIGEST_SCHEDULE"] = e2etest.DigestChannel, "@every 3s"

	k := &killer{t: t, fs: fs, env: env, rng: rand.New(rand.NewPCG(seed, seed))}
	k.start()
	story := &killStory{patient: &patient{t: t, fs: fs, db: db.SQL()}}
	var wg sync.WaitGroup
	until := time.Now().Add(killPhase)
	wg.Go(func() { story.run(until) })
	kills := k.killUntil(until)
	wg.Wait()
	t.Logf("%d kills; %d leads; %d actions repeated after Slack reported them failed", kills, len(story.leads), story.retries.Load())

	finishing := time.Now()
	story.finish()
	t.Logf("leads brought to their targets in %v", time.Since(finishing).Round(time.Second))
	settle(t, db, week)
	k.p.Stop(t)
	found := k.count("had reached Slack on an earlier try")
	t.Logf("%d posts were found in Slack after a kill instead of being posted again", found)
	if found == 0 {
		t.Error("no kill landed while a post was on its way, so the look in Slack's history went untested")
	}
	story.mustBeConsistent(t)
	mustHaveSentDigestOnce(t, fs, db, week)
	mustPostEachOutboxMessageOnce(t, fs, db)
}

// faultSeed is FAULT_SEED, or a new seed; it is logged so a failing run
// can be replayed.
func faultSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FAULT_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("FAULT_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("FAULT_SEED=%d", seed)
	return seed
}

// killer keeps one bot process running and kills it at random moments.
type killer struct {
	t   *testing.T
	fs  *fakeslack.Server
	env map[string]string
	rng *rand.Rand
	p   *e2etest.Process   // the running one
	all []*e2etest.Process // every one started, for their logs
}

func (k *killer) start() {
	k.p = e2etest.StartProcess(k.t, k.env)
	k.all = append(k.all, k.p)
}

// count counts the lines containing s in every process's output.
func (k *killer) count(s string) int {
	n := 0
	for _, p := range k.all {
		n += strings.Count(p.Output.String(), s)
	}
	return n
}

// killUntil kills the running process with SIGKILL and starts a new one
// until until; it returns how many kills there were. Every other kill
// comes within 1.5 s of the start (while the process catches up on the
// digest and connects), the others 0–2.5 s after it connected (while it
// handles people's actions and its timers).
func (k *killer) killUntil(until time.Time) int {
	kills := 0
	for connects := 0; time.Now().Before(until); kills++ {
		if kills%2 == 0 {
			time.Sleep(k.random(1500 * time.Millisecond))
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := k.fs.WaitConnects(ctx, connects+1)
			cancel()
			if err != nil {
				k.t.Fatalf("bot did not connect after kill %d: %v", kills, err)
			}
			time.Sleep(k.random(2500 * time.Millisecond))
		}
		if err := k.p.Cmd.Process.Kill(); err != nil {
			k.t.Fatal(err)
		}
		k.p.Wait(k.t, 5*time.Second)
		connects = k.fs.Connects()
		k.start()
	}
	return kills
}

func (k *killer) random(upTo time.Duration) time.Duration {
	return time.Duration(k.rng.Int64N(int64(upTo)))
}

// killStory is monica handing a lead to fox every round and fox moving
// the leads whose cards offer the next button; a third of the leads stay
// pending (their reminder and breach must come), a third are accepted,
// a third accepted and touched.
type killStory struct {
	*patient
	mu    sync.Mutex
	leads []killLead
}

type killLead struct{ name, target string }

var killMoves = []struct{ from, button, to string }{
	{"pending", "Accept", "accepted"},
	{"accepted", "Log first touch", "contacted"},
}

func (s *killStory) run(until time.Time) {
	targets := []string{"pending", "accepted", "contacted"}
	for i := 1; time.Now().Before(until); i++ {
		name := fmt.Sprintf("Lead %03d", i)
		if !s.handOff(monica, fox, name) {
			return
		}
		s.mu.Lock()
		s.leads = append(s.leads, killLead{name, targets[i%3]})
		leads := append([]killLead(nil), s.leads...)
		s.mu.Unlock()
		for _, l := range leads {
			s.nudge(l)
		}
		time.Sleep(300 * time.Millisecond) // people, not a load test
	}
}

// nudge clicks the next button towards the lead's target if its card
// shows it now; whether the click is saved is seen later.
func (s *killStory) nudge(l killLead) {
	state := s.state(l.name)
	for _, m := range killMoves {
		if state == m.from && l.target != state {
			if card := s.cardShowing(l.name, m.button); card != nil {
				s.fs.User(fox).Click(&attempt{}, card, m.button)
			}
		}
	}
}

// finish brings every lead to its target, now that nothing is killed
// (a card may wait for a delivery job stuck in a killed process to be
// rescued, which River does after 45 s).
func (s *killStory) finish() {
	for _, l := range s.leads {
		for _, m := range killMoves {
			if s.state(l.name) == m.from && l.target != m.from && !s.move(fox, l.name, m.button, m.to, 2*time.Minute) {
				s.t.Errorf("%s: %s never saved", l.name, m.button)
			}
		}
	}
}

// settle waits until the bot has nothing left to do: every accept-clock
// timer has run (rescued from killed processes too), the week's digest is
// recorded for its three destinations, and every message is sent.
func settle(t *testing.T, db *storage.DB, week time.Time) {
	t.Helper()
	began := time.Now()
	deadline := began.Add(3 * time.Minute)
	for {
		var timers, digests, unsent int
		err := db.SQL().QueryRow(`SELECT
			(SELECT count(*) FROM river_job WHERE kind = 'sla' AND args->>'clock' = 'accept'
				AND state NOT IN ('completed', 'cancelled', 'discarded')),
			(SELECT count(*) FROM digest_deliveries WHERE week_start = $1),
			(SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL)`, week).Scan(&timers, &digests, &unsent)
		if err == nil && timers == 0 && digests == 3 && unsent == 0 {
			t.Logf("settled %v after the last kill", time.Since(began).Round(time.Second))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled after 3 min: %d timers to run, %d of 3 digests recorded, %d messages unsent (%v)",
				timers, digests, unsent, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mustBeConsistent checks each lead's handoff against what Slack shows.
func (s *killStory) mustBeConsistent(t *testing.T) {
	t.Helper()
	fs := s.fs
	cards := messagesContaining(fs.Channel(handoffChannel).Messages())
	foxDMs := messagesContaining(fs.Channel(fs.User(fox).DMChannel()).Messages())
	monicaDMs := messagesContaining(fs.Channel(fs.User(monica).DMChannel()).Messages())
	managers := messagesContaining(fs.Channel(managerChannel).Messages())
	for _, l := range s.leads {
		ev := s.events(t, l.name)
		if ev["created"] != 1 || ev["accepted"] > 1 || ev["contacted"] > 1 || ev["reminded"] > 1 || ev["breached"] > 1 {
			t.Errorf("%s: events %v", l.name, ev)
		}
		if state := s.state(l.name); state != l.target || (state == "pending" && (ev["reminded"] != 1 || ev["breached"] != 1)) {
			t.Errorf("%s: %s with events %v, want %s (and, if pending, reminded and breached)", l.name, state, ev, l.target)
		}
		card := cards(cardTitle(l.name))
		if len(card) != 1 {
			t.Errorf("%s: %d cards", l.name, len(card))
			continue
		}
		mustContain(t, l.name+"'s card", card[0].Text(), stateLabel(l.target))
		if got, want := len(fs.Channel(handoffChannel).Replies(card[0].TS)), ev["accepted"]+ev["contacted"]; got != want {
			t.Errorf("%s: %d thread replies for %d moves", l.name, got, want)
		}
		lead := "*" + l.name + "*"
		for what, n := range map[string][2]int{
			"handed-off DMs":      {len(foxDMs("handed you a lead: " + lead)), 1},
			"reminder DMs":        {len(foxDMs("Reminder: please accept or reject " + lead)), ev["reminded"]},
			"breach DMs":          {len(foxDMs("SLA breached: " + lead)), ev["breached"]},
			"breach notices":      {len(managers("SLA breached: " + lead)), ev["breached"]},
			"accepted DMs to her": {len(monicaDMs("accepted your handoff " + lead)), ev["accepted"]},
		} {
			if n[0] != n[1] {
				t.Errorf("%s: %d %s, want %d", l.name, n[0], what, n[1])
			}
		}
	}
}

// events counts a lead's handoff's events by kind.
func (s *killStory) events(t *testing.T, name string) map[string]int {
	t.Helper()
	rows, err := s.db.Query(`SELECT e.kind FROM handoff_events e JOIN handoffs h ON h.id = e.handoff_id
		JOIN leads l ON l.id = h.lead_id WHERE l.name = $1`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := map[string]int{}
	for rows.Next() {
		var kind string
		if err := rows.Scan(&kind); err != nil {
			t.Fatal(err)
		}
		n[kind]++
	}
	return n
}

func stateLabel(state string) string {
	return strings.ToUpper(state[:1]) + state[1:]
}

// mustHaveSentDigestOnce checks that the week's digest was recorded for
// the channel and both marketers, and that each got it once.
func mustHaveSentDigestOnce(t *testing.T, fs *fakeslack.Server, db *storage.DB, week time.Time) {
	t.Helper()
	var recorded int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM digest_deliveries WHERE week_start = $1`, week).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{
		e2etest.DigestChannel: len(messagesContaining(fs.Channel(e2etest.DigestChannel).Messages())("Weekly handoff digest")),
		monica:                len(messagesContaining(fs.Channel(fs.User(monica).DMChannel()).Messages())("Weekly handoff digest")),
		john:                  len(messagesContaining(fs.Channel(fs.User(john).DMChannel()).Messages())("Weekly handoff digest")),
	}
	if recorded != 3 || got[e2etest.DigestChannel] != 1 || got[monica] != 1 || got[john] != 1 {
		t.Errorf("digest recorded for %d destinations, received %v; want 3, once each", recorded, got)
	}
}

// mustPostEachOutboxMessageOnce checks Slack's side of the outbox: each
// message the bot posted carries its outbox id, and no id was posted
// twice; every message recorded as sent is in Slack.
func mustPostEachOutboxMessageOnce(t *testing.T, fs *fakeslack.Server, db *storage.DB) {
	t.Helper()
	posted := map[string]int{}
	for _, c := range fs.Calls("chat.postMessage") {
		if c.Status == 200 && c.Error == "" {
			if id := outboxTag(c.Params["metadata"]); id != "" {
				posted[id]++
			}
		}
	}
	for id, n := range posted {
		if n > 1 {
			t.Errorf("outbox message %s posted %d times", id, n)
		}
	}
	rows, err := db.SQL().Query(`SELECT id::text FROM outbox WHERE sent_at IS NOT NULL AND tried_at IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sent := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		sent++
		if posted[id] != 1 {
			t.Errorf("outbox message %s recorded as sent, posted %d times", id, posted[id])
		}
	}
	t.Logf("%d messages posted, each once", sent)
}

// outboxTag reads the outbox id from a post's metadata parameter.
func outboxTag(metadata string) string {
	const key = `"outbox_id":"`
	_, rest, ok := strings.Cut(metadata, key)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, `"`)
	return id
}
