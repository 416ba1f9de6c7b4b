package webhooks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/intake/intaketest"
	"github.com/handoffbot/handoffbot/queue"
	"github.com/handoffbot/handoffbot/webhooks"
)

// A receiver's answer becomes what the events job does: 2xx delivered,
// 410 gone, anything else tried again (with a 429's Retry-After).
func TestSinkOutcomes(t *testing.T) {
	for _, tc := range []struct {
		status     int
		retryAfter string
		want       queue.Outcome
		wait       time.Duration
	}{
		{200, "", queue.Delivered, 0},
		{202, "", queue.Delivered, 0},
		{410, "", queue.Gone, 0},
		{400, "", queue.Retry, 0},
		{401, "", queue.Retry, 0},
		{429, "120", queue.Retry, 2 * time.Minute},
		{429, sentAt.Add(30 * time.Second).UTC().Format(http.TimeFormat), queue.Retry, 30 * time.Second},
		{429, "soon", queue.Retry, 0},
		{500, "", queue.Retry, 0},
		{503, "5", queue.Retry, 5 * time.Second},
		{301, "", queue.Retry, 0},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.retryAfter != "" {
				w.Header().Set("Retry-After", tc.retryAfter)
			}
			w.WriteHeader(tc.status)
		}))
		sink := webhooks.NewSink(webhooks.NewSender(secret, webhooks.WithClock(func() time.Time { return sentAt })), srv.URL+"/hook/SECRET")
		got := sink.Send(context.Background(), handoffEvent())
		srv.Close()
		if got.Outcome != tc.want || got.RetryAfter != tc.wait || (tc.want == queue.Delivered) != (got.Err == nil) {
			t.Errorf("%d (Retry-After %q): %+v, want outcome %v waiting %v", tc.status, tc.retryAfter, got, tc.want, tc.wait)
		}
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	sink := webhooks.NewSink(webhooks.NewSender(secret), closed.URL)
	if got := sink.Send(context.Background(), handoffEvent()); got.Outcome != queue.Retry || got.Err == nil {
		t.Errorf("no answer: %+v, want a retry", got)
	}
}

// The body is contract.md's event, with the id it was recorded with (in
// the body and the header), signed, for a handoff and a feedback item.
func TestSinkSendsTheRecordedEvent(t *testing.T) {
	srv, got := mustReceiver(t, 204)
	sink := webhooks.NewSink(webhooks.NewSender(secret, webhooks.WithClock(func() time.Time { return sentAt })), srv.URL)
	for _, e := range []domain.OutboundEvent{handoffEvent(), feedbackEvent()} {
		if out := sink.Send(context.Background(), e); out.Outcome != queue.Delivered {
			t.Fatalf("%s: %+v", e.Type, out)
		}
		d := <-got
		if err := webhooks.Verify(secret, d.header.Get(webhooks.SignatureHeader), d.body, 0, sentAt); err != nil {
			t.Errorf("%s: %v", e.Type, err)
		}
		intaketest.CheckSchema(t, "Event", d.body)
		var body webhooks.Event
		if err := json.Unmarshal(d.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.ID != e.EventID || d.header.Get(webhooks.EventIDHeader) != e.EventID || string(body.Type) != e.Type || body.Actor != e.Actor {
			t.Errorf("%s: sent %s with id header %q", e.Type, d.body, d.header.Get(webhooks.EventIDHeader))
		}
		if e.Handoff != nil && (body.Handoff == nil || body.Handoff.ID != e.Handoff.ID || body.Handoff.CardURL != e.Handoff.CardPermalink) {
			t.Errorf("%s: handoff %+v", e.Type, body.Handoff)
		}
		if e.Feedback != nil && (body.Feedback == nil || body.Feedback.ID != 7 || *body.Feedback.HandoffID != 42 ||
			body.Feedback.Resolution != "New pricing page" || body.Feedback.ThreadURL != e.Feedback.RootPermalink) {
			t.Errorf("%s: feedback %+v", e.Type, body.Feedback)
		}
	}
}

func handoffEvent() domain.OutboundEvent {
	at := sentAt.Add(-time.Minute)
	return domain.OutboundEvent{ID: 1, EventID: "evt_00000000000000000000000000000001", Type: domain.EventHandoffAccepted,
		OccurredAt: at, Actor: "U0123ABCD", HandoffID: 42,
		Handoff: &domain.Handoff{ID: 42, ExternalID: "hb-42", State: domain.StateAccepted, Direction: domain.ToSales, Priority: domain.Hot,
			Lead: domain.Lead{Name: "Dana Scully", Email: "dana@fbi.example"}, Assignee: "U0123ABCD", CreatedAt: at.Add(-time.Hour),
			AcceptedAt: &at, CardPermalink: "https://slack.example/archives/C1/p1"}}
}

func feedbackEvent() domain.OutboundEvent {
	at := sentAt.Add(-time.Minute)
	return domain.OutboundEvent{ID: 2, EventID: "evt_00000000000000000000000000000002", Type: domain.EventFeedbackResolved,
		OccurredAt: at, Actor: "U0MKT0001", Note: "New pricing page", FeedbackID: 7,
		Feedback: &domain.Feedback{ID: 7, Category: "pricing", Text: "Too expensive for SMB", HandoffID: 42, CreatedBy: "U0123ABCD",
			State: domain.FeedbackResolved, CreatedAt: at.Add(-48 * time.Hour), ResolvedAt: &at, Resolution: "New pricing page",
			RootPermalink: "https://slack.example/archives/C2/p2"}}
}
