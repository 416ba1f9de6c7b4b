package fakeslack

import (
	"testing"
	"time"

	"github.com/slack-go/slack/socketmode"
)

// An event the bot never acks is delivered four times: at once, again as
// soon as the ack deadline passes, a minute later and five minutes after
// that, on the fake's clock; then Slack gives up. Each attempt is a new
// envelope with retry_attempt and retry_reason "timeout".
func TestRedeliveryFollowsSlacksScheduleOnTheClock(t *testing.T) {
	t0 := time.Unix(1764190000, 0)
	clock := &fakeClock{now: t0}
	s := newServer(t, WithAckTimeout(20*time.Millisecond), WithClock(clock.Now))
	seen := make(chan socketmode.Request, 8)
	startBot(t, s, func(_ *testBot, e socketmode.Event) bool {
		if e.Type != socketmode.EventTypeEventsAPI {
			return false
		}
		seen <- *e.Request
		return true // never acked
	})
	ctx := testCtx(t)
	d, err := s.SendEvent(ctx, "EvSchedule", map[string]any{
		"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home", "event_ts": "1.1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitAttempts(ctx, 2); err != nil {
		t.Fatalf("no immediate retry: %v", err)
	}
	step := func(d time.Duration) {
		clock.Advance(d)
		s.ClockAdvanced()
	}
	step(59 * time.Second)
	step(time.Second)
	if _, err := d.WaitAttempts(ctx, 3); err != nil {
		t.Fatalf("no retry a minute later: %v", err)
	}
	step(5*time.Minute - time.Second)
	step(time.Second)
	at, err := d.WaitAttempts(ctx, 4)
	if err != nil {
		t.Fatalf("no retry five minutes later: %v", err)
	}
	wantAt := []time.Time{t0, t0, t0.Add(time.Minute), t0.Add(6 * time.Minute)}
	for i, a := range at {
		reason := ""
		if i > 0 {
			reason = "timeout"
		}
		if a.RetryAttempt != i || a.RetryReason != reason || a.Clock.Before(wantAt[i]) || a.EventID != "EvSchedule" {
			t.Errorf("attempt %d: retry %d %q at %v, want not before %v", i, a.RetryAttempt, a.RetryReason, a.Clock, wantAt[i])
		}
		if r := recv(t, seen); r.EnvelopeID != a.EnvelopeID || r.RetryAttempt != i || r.RetryReason != reason {
			t.Errorf("the bot saw attempt %d as %+v", i, r)
		}
	}
	if err := s.waitCond(ctx, func() bool { return d.group.exhausted }); err != nil {
		t.Fatalf("Slack should give up after three retries: %v", err)
	}
	step(time.Hour)
	if n := len(d.Attempts()); n != 4 {
		t.Errorf("%d attempts after giving up", n)
	}
}
