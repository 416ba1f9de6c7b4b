package metrics

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// Outbound events are counted by sink and result, and their backlog and
// disabled sinks read from the database, every sink named without the
// secret in its URL; two URLs on one host are one series.
func TestEventMetricsNameSinksWithoutSecrets(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	hookA, hookB := "https://hooks.example/catch/SECRET-A", "https://u:SECRET-P@hooks.example/catch/SECRET-B"
	db.SetSinks([]string{hookA, hookB, "hubspot"})
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	if _, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: domain.Handoff{Lead: domain.Lead{Name: "Dana"}, Direction: domain.ToSales,
		State: domain.StatePending, Priority: domain.Hot, CreatedBy: "U0MKT", Assignee: "U0REP", CreatedAt: at,
		AcceptDueAt: at.Add(time.Hour), FirstTouchDueAt: at.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if err := db.DisableSink(ctx, hookB, "the receiver answered 410 Gone", at); err != nil {
		t.Fatal(err)
	}
	m := New(db)
	m.EventTried(hookA, "delivered")
	m.EventTried(hookB, "gone")
	reg := m.Registry()
	const host = "https://hooks.example/…"
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"handoffbot_events_pending", map[string]string{"sink": host}, 2},
		{"handoffbot_events_pending", map[string]string{"sink": "hubspot"}, 1},
		{"handoffbot_event_sink_disabled", map[string]string{"sink": host}, 1},
		{"handoffbot_event_deliveries_total", map[string]string{"sink": host, "result": "delivered"}, 1},
		{"handoffbot_event_deliveries_total", map[string]string{"sink": host, "result": "gone"}, 1},
	} {
		if got := metricValue(t, reg, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "handoffbot_event_sink_disabled" && len(mf.GetMetric()) != 1 {
			t.Errorf("%d disabled series, want 1", len(mf.GetMetric()))
		}
		if strings.Contains(mf.String(), "SECRET") {
			t.Errorf("%s shows a secret: %s", mf.GetName(), mf)
		}
	}
}
