package fakeslack

import (
	"context"
	"slices"
	"time"
)

// slackRedelivery is Slack's schedule for an events_api delivery that was
// not acknowledged: a retry nearly at once, another a minute later and a
// last one five minutes after that, then Slack gives up.
//
// Slack documents this schedule for the HTTP Events API ("nearly
// immediately, after 1 minute, after 5 minutes"); for Socket Mode it says
// only that unacknowledged events are retried. The fake takes the HTTP
// schedule, which matches what apps report seeing over Socket Mode:
// retry_attempt 1, 2, 3 with retry_reason "timeout" (HTTP uses
// "http_timeout"), the first retry a few seconds after the original.
// Each delay counts from when the previous attempt was sent, and no retry
// goes out before the previous attempt's ack deadline has passed.
var slackRedelivery = []time.Duration{0, time.Minute, 5 * time.Minute}

// WithRedeliverySchedule replaces Slack's redelivery schedule (0, 1 min,
// 5 min): delay n is how long after attempt n was sent retry n+1 goes out
// (and never before attempt n missed its ack deadline); there are as many
// retries as delays, and none without delays. The delays run on the
// fake's clock (WithClock), so a test makes "five minutes later" happen by
// moving its clock and calling ClockAdvanced. With the default clock they
// are real time; WithRedeliverySchedule(0, 0, 0) then retries at every
// ack deadline, as the fake did before it followed Slack's schedule.
func WithRedeliverySchedule(delays ...time.Duration) Option {
	return func(c *config) { c.redelivery = slices.Clone(delays) }
}

// ClockAdvanced tells the fake that the clock injected with WithClock has
// moved forward, so that redeliveries now due go out. Rules checked when
// something is used (trigger_id and response_url expiry, the posting
// limit) need no call.
func (s *Server) ClockAdvanced() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.clockMoved)
	s.clockMoved = make(chan struct{})
}

// WaitAttempts waits until the event of this delivery has been delivered
// at least n times, the original included, and returns every attempt so
// far, oldest first.
func (d *Delivery) WaitAttempts(ctx context.Context, n int) ([]*Delivery, error) {
	if d.group == nil {
		return []*Delivery{d}, nil
	}
	if err := d.s.waitCond(ctx, func() bool { return len(d.group.attempts) >= n }); err != nil {
		return d.Attempts(), err
	}
	return d.Attempts(), nil
}

// retryUnacked redelivers an events_api envelope that was not acked
// within the ack timeout, on the redelivery schedule.
func (s *Server) retryUnacked(d *Delivery) {
	t := time.NewTimer(s.cfg.ackTimeout)
	defer t.Stop()
	select {
	case <-d.acked:
		return
	case <-s.done:
		return
	case <-t.C:
	}
	due, ok := s.nextRetry(d)
	if !ok || !s.waitClock(due) {
		return
	}
	s.mu.Lock()
	g := d.group
	stillLast := g.attempts[len(g.attempts)-1] == d // a test may have resent it meanwhile
	s.mu.Unlock()
	if !stillLast {
		return
	}
	s.log.Debug("fakeslack: redelivering unacked event", "event_id", g.eventID, "retry_attempt", d.RetryAttempt+1)
	env := Envelope{Type: "events_api", Payload: g.payload, RetryAttempt: d.RetryAttempt + 1, RetryReason: "timeout"}
	if _, err := s.send(s.ctx, env, g); err != nil {
		s.log.Debug("fakeslack: redelivery abandoned", "event_id", g.eventID, "error", err)
	}
}

// nextRetry decides, when d missed its ack deadline, when the next
// attempt is due; false when d is not the latest attempt or Slack gives
// up (the event is then marked exhausted).
func (s *Server) nextRetry(d *Delivery) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := d.group
	if g.attempts[len(g.attempts)-1] != d {
		return time.Time{}, false
	}
	retries := len(g.attempts) - 1
	if retries >= len(s.cfg.redelivery) {
		g.exhausted = true
		s.notify()
		s.log.Warn("fakeslack: event never acked; giving up", "event_id", g.eventID, "retries", retries)
		return time.Time{}, false
	}
	return d.Clock.Add(s.cfg.redelivery[retries]), true
}

// waitClock blocks until the fake's clock reaches due; false if the
// server closes first. It reads the clock again after ClockAdvanced and
// when a real timer set to the remaining time fires, so the default clock
// needs no ClockAdvanced.
func (s *Server) waitClock(due time.Time) bool {
	for {
		s.mu.Lock()
		now, moved := s.now(), s.clockMoved
		s.mu.Unlock()
		if !now.Before(due) {
			return true
		}
		t := time.NewTimer(due.Sub(now))
		select {
		case <-moved:
		case <-t.C:
		case <-s.done:
			t.Stop()
			return false
		}
		t.Stop()
	}
}
