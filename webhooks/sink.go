package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/intake"
	"github.com/handoffbot/handoffbot/queue"
)

// Sink is one URL of WEBHOOK_URLS as the events job sees it: a
// queue.Sink. It lives here, importing queue, because the queue owns the
// interface it calls and knows nothing of HTTP or of the event's body;
// queue imports neither this package nor net/http's client.
//
// What an answer means: 2xx is delivered; 410 Gone disables the URL;
// every other answer (3xx, any other 4xx, 5xx, 429) and no answer within
// 10 s is tried again with backoff — contract.md retries anything but a
// 2xx for at least a day, so a receiver's 400 or 401 from a bad deploy is
// not the end of its events. A 429's Retry-After is honoured.
type Sink struct {
	sender *Sender
	url    string
}

// NewSink sends events to url through sender (which signs them).
func NewSink(sender *Sender, url string) *Sink {
	return &Sink{sender: sender, url: url}
}

// Send POSTs e, with the event id it was recorded with (the same at every
// retry and replay), signed afresh by the Sender.
func (s *Sink) Send(ctx context.Context, e domain.OutboundEvent) queue.Sent {
	body, err := json.Marshal(EventOf(e))
	if err != nil {
		return queue.Sent{Outcome: queue.Refused, Err: fmt.Errorf("webhooks: encode event: %w", err)}
	}
	out := s.sender.Send(ctx, s.url, e.EventID, body)
	switch out.Result {
	case Delivered:
		return queue.Sent{Outcome: queue.Delivered}
	case Gone:
		return queue.Sent{Outcome: queue.Gone, Err: out.Err}
	}
	return queue.Sent{Outcome: queue.Retry, RetryAfter: out.RetryAfter, Err: out.Err}
}

// EventOf is the body receivers get for e (contract.md): the handoff as
// GET /v1/handoffs/{id} shows it, and the feedback item of feedback.*
// events.
func EventOf(e domain.OutboundEvent) Event {
	ev := Event{ID: e.EventID, Type: Type(e.Type), OccurredAt: e.OccurredAt.UTC(), Actor: e.Actor, Reason: e.Reason, Note: e.Note}
	if e.Handoff != nil {
		h := intake.ViewOf(*e.Handoff)
		ev.Handoff = &h
	}
	if e.Feedback != nil {
		ev.Feedback = feedbackOf(*e.Feedback)
	}
	return ev
}

// feedbackOf is a feedback item as events show it.
func feedbackOf(f domain.Feedback) *Feedback {
	out := &Feedback{
		ID: f.ID, Category: string(f.Category), Text: f.Text, Campaign: f.Campaign, CreatedBy: f.CreatedBy,
		State: string(f.State), CreatedAt: f.CreatedAt.UTC(), AcknowledgedAt: utc(f.AcknowledgedAt),
		ResolvedAt: utc(f.ResolvedAt), Resolution: f.Resolution, ThreadURL: f.RootPermalink,
	}
	if f.HandoffID != 0 {
		id := f.HandoffID
		out.HandoffID = &id
	}
	return out
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
