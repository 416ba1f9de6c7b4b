package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/metrics"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// startMeasured runs a Runtime with metrics, its Web API calls going
// through the metrics' transport, against a fake Slack and a real database.
func startMeasured(t *testing.T, router *Router) (*harness, *metrics.Metrics) {
	t.Helper()
	db := storagetest.New(t)
	m := metrics.New(db)
	return startOn(t, db, router, Options{Workers: 4, DrainTimeout: 5 * time.Second, Metrics: m}), m
}

// metricValue reads one series from the registry: a counter's or gauge's
// value, or a histogram's sample count. It fails if the series is absent.
func metricValue(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if hasLabels(m, labels) {
				switch {
				case m.Counter != nil:
					return m.Counter.GetValue()
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount())
				}
			}
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, l := range m.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// Each outcome of an envelope is counted under its type, with its ack and
// handler latency; every Web API call is counted by method and result, and
// a 429's Retry-After is added to the rate-limit wait.
func TestMetricsCountEnvelopesAndSlackCalls(t *testing.T) {
	var h *harness
	router := &Router{
		Commands: map[string]CommandHandler{
			"ok": func(ctx context.Context, c handlers.Command) error {
				_, err := h.rt.client.PostEphemeralContext(ctx, c.ChannelID, c.UserID, slack.MsgOptionText("fine", false))
				return err
			},
			"denied": func(context.Context, handlers.Command) error {
				return domain.Errorf(domain.EFORBIDDEN, "Only managers can do that.")
			},
			"broken": func(context.Context, handlers.Command) error { return errors.New("bug") },
			"panic":  func(context.Context, handlers.Command) error { panic("boom") },
			"lost": func(ctx context.Context, c handlers.Command) error {
				_, _, err := h.rt.client.PostMessageContext(ctx, "CNOSUCH", slack.MsgOptionText("x", false))
				return err
			},
		},
	}
	h, m := startMeasured(t, router)
	h.slack.Fault("chat.postEphemeral", fakeslack.Fault{Times: 1, RetryAfter: time.Second})
	u := h.slack.User(alice)
	u.Slash(t, channel, "/handoff ok")
	u.ExpectEphemeral(t, "fine") // after one 429 and slack-go's retry
	u.Slash(t, channel, "/handoff denied")
	u.ExpectEphemeral(t, "Only managers")
	for _, cmd := range []string{"broken", "panic", "lost"} {
		u.Slash(t, channel, "/handoff "+cmd)
		u.ExpectEphemeral(t, "Something went wrong")
	}
	h.stop()

	reg := m.Registry()
	for outcome, want := range map[string]float64{"ok": 1, "refused": 1, "error": 2, "panic": 1} {
		if got := metricValue(t, reg, "handoffbot_envelopes_total", map[string]string{"type": "slash_commands", "outcome": outcome}); got != want {
			t.Errorf("envelopes with outcome %s = %v, want %v", outcome, got, want)
		}
	}
	for _, name := range []string{"handoffbot_ack_latency_seconds", "handoffbot_handler_latency_seconds"} {
		if got := metricValue(t, reg, name, map[string]string{"type": "slash_commands"}); got != 5 {
			t.Errorf("%s observed %v envelopes, want 5", name, got)
		}
	}
	for _, c := range []struct {
		method, result string
		want           float64
	}{
		{"chat.postEphemeral", "ratelimited", 1},
		{"chat.postEphemeral", "ok", 1},
		{"chat.postMessage", "channel_not_found", 1},
		{"apps.connections.open", "ok", 1},
		{"other", "ok", 4}, // the answers to denied, broken, panic and lost, through response_url
	} {
		if got := metricValue(t, reg, "handoffbot_slack_api_calls_total", map[string]string{"method": c.method, "result": c.result}); got != c.want {
			t.Errorf("%s → %s counted %v times, want %v", c.method, c.result, got, c.want)
		}
	}
	if got := metricValue(t, reg, "handoffbot_slack_ratelimit_wait_seconds_total", nil); got != 1 {
		t.Errorf("rate-limit wait = %v s, want 1", got)
	}
	if n := m.Unacked(); n != 0 {
		t.Errorf("%d envelopes still waiting for an ack after the drain", n)
	}
}

// A redelivered envelope is counted as a duplicate, and an event nothing
// handles as ignored.
func TestMetricsCountDuplicatesAndIgnoredEvents(t *testing.T) {
	h, m := startMeasured(t, &Router{DefaultCommand: func(context.Context, handlers.Command) error { return nil }})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.sendTwice(ctx, t, "env-twice")
	d, err := h.slack.SendEvent(ctx, "EvIGNORED", map[string]any{"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitAck(ctx); err != nil {
		t.Fatal(err)
	}
	h.stop()
	reg := m.Registry()
	for _, c := range []struct {
		typ, outcome string
		want         float64
	}{{"slash_commands", "ok", 1}, {"slash_commands", "duplicate", 1}, {"events_api", "ignored", 1}} {
		if got := metricValue(t, reg, "handoffbot_envelopes_total", map[string]string{"type": c.typ, "outcome": c.outcome}); got != c.want {
			t.Errorf("%s %s = %v, want %v", c.typ, c.outcome, got, c.want)
		}
	}
	if got := metricValue(t, reg, "handoffbot_ack_latency_seconds", map[string]string{"type": "events_api"}); got != 1 {
		t.Errorf("ignored event's ack observed %v times, want 1", got)
	}
}
