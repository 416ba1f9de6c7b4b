package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
)

// seedHandoff saves a handoff created ago before now, then applies moves
// at the given delays after its creation, through the real storage paths.
func (w *world) seedHandoff(now time.Time, ago time.Duration, source string, moves ...step) {
	w.T.Helper()
	ctx := context.Background()
	created := now.Add(-ago).Truncate(time.Microsecond)
	h, err := w.DB.CreateHandoff(ctx, domain.NewHandoff{Handoff: domain.Handoff{
		Lead: domain.Lead{Name: "Seeded " + source}, Direction: domain.ToSales, State: domain.StatePending,
		Priority: domain.Warm, Source: source, CreatedBy: monica, Assignee: fox, CreatedAt: created,
		AcceptDueAt: created.Add(4 * time.Hour), FirstTouchDueAt: created.Add(24 * time.Hour),
	}})
	if err != nil {
		w.T.Fatal(err)
	}
	state := domain.StatePending
	for _, m := range moves {
		c := domain.Change{HandoffID: h.Handoff.ID, Expected: state, Move: m.move, Actor: fox, Reason: m.reason, At: created.Add(m.after)}
		if m.move == domain.MoveAccept || m.move == domain.MoveReject {
			c.DecisionSecs = m.after.Seconds()
		}
		if _, err := w.DB.ApplyChange(ctx, c); err != nil {
			w.T.Fatal(err)
		}
		state, _ = state.Next(m.move)
	}
}

type step struct {
	move   domain.Move
	after  time.Duration
	reason string
}

// seedStats: four handoffs in the last 30 days, one in the 30 before.
// Worked out by hand: 4 handoffs; decided 3 (2 accepted, 1 rejected), so
// acceptance 67% (2 of 3) with 1 pending; within the 4 h accept SLA 2 of
// the 3 decided (the pending one is not due yet): 67% (2 of 3); by source
// web 3, event 1. The previous period: 1 handoff, accepted: 100% (1 of 1).
func (w *world) seedStats(now time.Time) {
	w.seedHandoff(now, 48*time.Hour, "web", step{domain.MoveAccept, time.Hour, ""})
	w.seedHandoff(now, 72*time.Hour, "event", step{domain.MoveReject, 6 * time.Hour, "no_budget"})
	w.seedHandoff(now, 24*time.Hour, "web", step{domain.MoveAccept, 2 * time.Hour, ""}, step{domain.MoveTouch, 3 * time.Hour, ""})
	w.seedHandoff(now, time.Hour, "web")
	w.seedHandoff(now, 40*24*time.Hour, "web", step{domain.MoveAccept, time.Hour, ""})
}

// A manager asks for the stats: the scoreboard is posted in the channel
// with the counts behind every rate, and the chart follows through the
// three-step upload.
func TestStatsPostedInChannelWithChart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seedStats(w.Clock.Now().UTC())
	w.User(skinner).Slash(t, handoffChannel, "/handoff stats 30d by source")
	msg := w.Channel().ExpectMessage(t, "Alignment stats")
	mustContain(t, "stats message", msg.Text(), "last 30 days", "4 · 4 to sales, 0 to marketing",
		"Acceptance rate*\n67% (2 of 3)", "1 pending", "Accept-SLA compliance*\n67% (2 of 3)",
		"100% (1 of 1)", "No budget 1", "By source", "web", "event", "MQL→SQL", "Win rate", "<@"+skinner+">")

	chart := w.Channel().ExpectMessage(t, "[file: Handoffs, acceptance and accept-SLA compliance")
	files := chart.Files()
	if len(files) != 1 {
		t.Fatalf("chart message files: %+v", files)
	}
	img, err := png.Decode(bytes.NewReader(files[0].Content))
	if err != nil {
		t.Fatalf("uploaded chart is not a PNG: %v", err)
	}
	if size := img.Bounds().Size(); size.X != handlers.ChartWidth || size.Y != handlers.ChartHeight {
		t.Errorf("chart is %v", size)
	}
	for _, m := range []string{"files.getUploadURLExternal", "files.upload", "files.completeUploadExternal"} {
		if n := len(w.Slack.Calls(m)); n != 1 {
			t.Errorf("%s called %d times", m, n)
		}
	}
	if c := w.Slack.Calls("files.completeUploadExternal"); len(c) == 1 && c[0].Params["channel_id"] != handoffChannel {
		t.Errorf("chart shared to %q", c[0].Params["channel_id"])
	}
	w.Finish()
}

// The same through an @mention; anything else mentioned gets a hint.
func TestStatsByMention(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seedStats(w.Clock.Now().UTC())
	w.User(skinner).Mention(t, handoffChannel, "stats 7d")
	msg := w.Channel().ExpectMessage(t, "Alignment stats")
	// In the last 7 days: all four recent handoffs; the 40-day-old one is
	// in neither this period nor the previous 7 days.
	mustContain(t, "stats by mention", msg.Text(), "last 7 days", "67% (2 of 3)", "— (0 of 0)")
	w.Channel().ExpectMessage(t, "[file: ")
	w.User(skinner).Mention(t, handoffChannel, "hello there")
	w.User(skinner).ExpectEphemeral(t, "Mention me with `stats")
	w.User(fox).Mention(t, handoffChannel, "stats")
	w.User(fox).ExpectEphemeral(t, "only managers")
	w.Finish()
}

// A non-manager is refused, a bad period is explained with the accepted
// forms, and a channel without the bot gets an invitation hint; nothing is
// posted in any of these cases.
func TestStatsRefusalsAndBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.Slack.AddChannel(fakeslack.Channel{ID: "CNOBOT", Name: "random", Members: []string{skinner}})
	w.User(fox).Slash(t, handoffChannel, "/handoff stats")
	w.User(fox).ExpectEphemeral(t, "only managers")
	w.User(skinner).Slash(t, handoffChannel, "/handoff stats 45d")
	w.User(skinner).ExpectEphemeral(t, fmt.Sprintf("I don't know the period %q. Use %s.", "45d", domain.PeriodForms))
	w.User(skinner).Slash(t, handoffChannel, "/handoff stats 30d by colour")
	w.User(skinner).ExpectEphemeral(t, "`by source`, `by campaign` or `by rep`")
	w.User(skinner).Slash(t, "CNOBOT", "/handoff stats")
	w.User(skinner).ExpectEphemeral(t, "/invite @Lead Handoff")
	if n := len(w.Slack.Calls("files.getUploadURLExternal")); n != 0 {
		t.Errorf("%d chart uploads", n)
	}
	w.Finish()
}

// With MANAGERS empty everyone may ask.
func TestStatsWithoutManagersIsForEveryone(t *testing.T) {
	t.Parallel()
	w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.Managers = nil }))
	w.User(krycek).Slash(t, handoffChannel, "/handoff stats 90d by rep")
	mustContain(t, "empty stats", w.Channel().ExpectMessage(t, "Alignment stats").Text(), "last 90 days", "0 · 0 to sales", "— (0 of 0)")
	w.Channel().ExpectMessage(t, "[file: ")
	w.Finish()
}
