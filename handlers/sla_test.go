package handlers

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// clockApp is an App whose clock the test moves, on a real database.
type clockApp struct {
	*App
	db  *storage.DB
	now time.Time
}

func newClockApp(t *testing.T) *clockApp {
	t.Helper()
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	c := &clockApp{db: storagetest.New(t), now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	c.App = New(Deps{
		Slack: slackClient(fs), Store: c.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return c.now },
		Settings: Settings{
			HandoffChannel: "CHANDOFF", ManagerChannel: "CMGR", SLAAccept: 4 * time.Hour, SLAFirstTouch: 24 * time.Hour,
			Calendar: businesstime.New(businesstime.Hours{}, nil, time.UTC),
		},
	})
	return c
}

func (c *clockApp) create(t *testing.T) domain.Handoff {
	t.Helper()
	now := c.now
	h := domain.Handoff{Lead: domain.Lead{Name: "Dana Scully"}, Direction: domain.ToSales, State: domain.StatePending,
		Priority: domain.Hot, CreatedBy: "UMKT", Assignee: "UREP", CreatedAt: now,
		AcceptDueAt: c.set.Calendar.Add(now, c.set.SLAAccept), FirstTouchDueAt: c.set.Calendar.Add(now, c.set.SLAFirstTouch)}
	created, err := c.db.CreateHandoff(context.Background(), domain.NewHandoff{Handoff: h,
		Owed: func(h domain.Handoff) domain.Owed { return domain.Owed{Timers: c.timers(h)} }})
	if err != nil {
		t.Fatal(err)
	}
	return created.Handoff
}

// fire runs a timer at the app's current time and returns what it owed.
func (c *clockApp) fire(t *testing.T, id int64, clock, stage string) []string {
	t.Helper()
	var before int
	c.db.SQL().QueryRow(`SELECT count(*) FROM outbox`).Scan(&before)
	if err := c.FireSLA(context.Background(), id, clock, stage, 0); err != nil {
		t.Fatal(err)
	}
	rows, err := c.db.SQL().Query(`SELECT purpose || '→' || channel FROM outbox WHERE id > $1 AND purpose <> 'card' ORDER BY id`, before)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func TestTimersAreAtHalfAndFullSLA(t *testing.T) {
	c := newClockApp(t)
	h := c.create(t)
	ts := c.timers(h)
	want := map[string]time.Duration{"accept/remind": 2 * time.Hour, "accept/breach": 4 * time.Hour,
		"first_touch/remind": 12 * time.Hour, "first_touch/breach": 24 * time.Hour}
	for _, tm := range ts {
		if got := tm.At.Sub(h.CreatedAt); got != want[tm.Clock+"/"+tm.Stage] {
			t.Errorf("%s/%s at +%v, want +%v", tm.Clock, tm.Stage, got, want[tm.Clock+"/"+tm.Stage])
		}
	}
}

func TestReminderAndBreachEachOnce(t *testing.T) {
	c := newClockApp(t)
	h := c.create(t)
	c.now = h.CreatedAt.Add(2 * time.Hour)
	if got := c.fire(t, h.ID, domain.ClockAccept, domain.StageRemind); len(got) != 1 || got[0] != "sla_reminder→UREP" {
		t.Fatalf("reminder at 50%% owed %v", got)
	}
	if got := c.fire(t, h.ID, domain.ClockAccept, domain.StageRemind); len(got) != 0 {
		t.Fatalf("the reminder fired again: %v", got)
	}
	c.now = h.CreatedAt.Add(4 * time.Hour)
	if got := c.fire(t, h.ID, domain.ClockAccept, domain.StageBreach); len(got) != 2 || got[0] != "sla_breach_owner→UREP" || got[1] != "sla_breach_managers→CMGR" {
		t.Fatalf("breach at 100%% owed %v", got)
	}
	if got := c.fire(t, h.ID, domain.ClockAccept, domain.StageBreach); len(got) != 0 {
		t.Fatalf("the breach fired again: %v", got)
	}
}

func TestAcceptedAt60PercentIsNeverBreached(t *testing.T) {
	c := newClockApp(t)
	h := c.create(t)
	c.now = h.CreatedAt.Add(2 * time.Hour)
	c.fire(t, h.ID, domain.ClockAccept, domain.StageRemind)
	c.now = h.CreatedAt.Add(144 * time.Minute) // 60 %
	if _, err := c.db.ApplyChange(context.Background(), domain.Change{HandoffID: h.ID, Expected: domain.StatePending,
		Move: domain.MoveAccept, Actor: "UREP", At: c.now}); err != nil {
		t.Fatal(err)
	}
	c.now = h.CreatedAt.Add(4 * time.Hour)
	if got := c.fire(t, h.ID, domain.ClockAccept, domain.StageBreach); len(got) != 0 {
		t.Fatalf("an accepted handoff was breached: %v", got)
	}
	// The first-touch clock still runs: its reminder comes.
	c.now = h.CreatedAt.Add(12 * time.Hour)
	if got := c.fire(t, h.ID, domain.ClockFirstTouch, domain.StageRemind); len(got) != 1 {
		t.Fatalf("first-touch reminder owed %v", got)
	}
}

func TestSnoozeTwiceThenRefused(t *testing.T) {
	c := newClockApp(t)
	h := c.create(t)
	ctx := context.Background()
	for i := 1; i <= 2; i++ {
		n, err := c.db.Snooze(ctx, h.ID, domain.ClockAccept, "UREP", c.now, c.now.Add(30*time.Minute), maxSnoozes)
		if err != nil || n != i {
			t.Fatalf("snooze %d = %d, %v", i, n, err)
		}
	}
	_, err := c.db.Snooze(ctx, h.ID, domain.ClockAccept, "UREP", c.now, c.now.Add(30*time.Minute), maxSnoozes)
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("third snooze = %v, want refused", err)
	}
	// A snoozed reminder is a new reminder, fired once; the breach is untouched.
	if got := c.fire(t, h.ID, domain.ClockAccept, domain.StageRemind); len(got) != 1 {
		t.Fatalf("reminder owed %v", got)
	}
	if err := c.FireSLA(ctx, h.ID, domain.ClockAccept, domain.StageRemind, 1); err != nil {
		t.Fatal(err)
	}
	var reminders int
	c.db.SQL().QueryRow(`SELECT count(*) FROM handoff_events WHERE kind = 'reminded'`).Scan(&reminders)
	if reminders != 2 {
		t.Errorf("%d reminders recorded, want the first and the snoozed one", reminders)
	}
}

// A reminder that runs after its deadline (the bot was down, or its
// breach timer ran first) says the handoff is overdue, not "due soon".
func TestLateReminderSaysOverdue(t *testing.T) {
	c := newClockApp(t)
	h := c.create(t)
	c.now = h.CreatedAt.Add(5 * time.Hour)
	c.fire(t, h.ID, domain.ClockAccept, domain.StageBreach)
	if got := c.fire(t, h.ID, domain.ClockAccept, domain.StageRemind); len(got) != 1 {
		t.Fatalf("late reminder owed %v", got)
	}
	var text string
	if err := c.db.SQL().QueryRow(`SELECT message->>'text' FROM outbox WHERE purpose = 'sla_reminder'`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "overdue by 1 h") || strings.Contains(text, "(in ") {
		t.Errorf("late reminder: %s", text)
	}
}
