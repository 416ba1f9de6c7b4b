package webhooks_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/intake"
	"github.com/handoffbot/handoffbot/intake/intaketest"
	"github.com/handoffbot/handoffbot/webhooks"
)

// TestEventsMatchTheDocument: event bodies are described by the Event
// schema of the OpenAPI document, types and all.
func TestEventsMatchTheDocument(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 40, 0, 0, time.UTC)
	handoffID := int64(42)
	events := []webhooks.Event{
		{ID: webhooks.NewEventID(), Type: webhooks.HandoffRejected, OccurredAt: at, Actor: "U0123ABCD", Reason: "other", Note: "Student project",
			Handoff: &intake.Handoff{ID: 42, ExternalID: "hb-42", State: domain.StateRejected, Direction: domain.ToSales, Priority: domain.Warm,
				Lead: intake.Lead{Name: "Dana"}, Assignee: "U0123ABCD", CreatedAt: at.Add(-time.Hour), RejectedAt: &at, Reason: "other"}},
		{ID: webhooks.NewEventID(), Type: webhooks.FeedbackResolved, OccurredAt: at, Actor: "U0MKT0001", Note: "New pricing page",
			Feedback: &webhooks.Feedback{ID: 7, Category: "pricing", Text: "Too expensive for SMB", HandoffID: &handoffID,
				CreatedBy: "U0123ABCD", State: "resolved", CreatedAt: at.Add(-48 * time.Hour), ResolvedAt: &at, Resolution: "New pricing page"}},
		{ID: webhooks.NewEventID(), Type: webhooks.Ping, OccurredAt: at},
	}
	for _, e := range events {
		body, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		intaketest.CheckSchema(t, "Event", body)
	}
	// And bodies that stray are caught, down to the nested handoff.
	for _, body := range []string{
		`{"id":"evt_1","type":"handoff.deleted","occurred_at":"2026-12-04T09:40:00Z"}`,
		`{"id":"evt_1","type":"handoff.created","occurred_at":"2026-12-04T09:40:00Z","handoff":{"id":1}}`,
	} {
		stray := &recorder{TB: t}
		intaketest.CheckSchema(stray, "Event", []byte(body))
		if len(stray.failures) == 0 {
			t.Errorf("%s matched the schema", body)
		}
	}
}

// TestTypesMatchTheDocument: the constants are the document's event types.
func TestTypesMatchTheDocument(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Event struct {
					Properties struct {
						Type struct {
							Enum []webhooks.Type `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Event"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(intake.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Components.Schemas.Event.Properties.Type.Enum; !slices.Equal(got, webhooks.Types) {
		t.Errorf("the document's event types %v, want %v", got, webhooks.Types)
	}
	if id := webhooks.NewEventID(); !strings.HasPrefix(id, "evt_") || len(id) != 36 || id == webhooks.NewEventID() {
		t.Errorf("event id %q", id)
	}
}

// recorder is a test that keeps the failures reported to it.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Errorf(format string, args ...any) { r.failures = append(r.failures, format) }
