package metrics

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

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

// Handoffs and jobs are counted from the database at each scrape: every
// state is present, and a queued delivery shows as a job.
func TestMetricsReadCountsFromTheDatabase(t *testing.T) {
	db := storagetest.New(t)
	m := New(db)
	reg := m.Registry()
	for _, st := range domain.States {
		if got := metricValue(t, reg, "handoffbot_handoffs", map[string]string{"state": string(st)}); got != 0 {
			t.Errorf("handoffs in %s = %v on an empty database", st, got)
		}
	}
	if err := db.Enqueue(context.Background(), domain.Message{Channel: "C1", Text: "hello", Purpose: "test"}); err != nil {
		t.Fatal(err)
	}
	if got := metricValue(t, reg, "handoffbot_jobs", map[string]string{"kind": "deliver", "state": "available"}); got != 1 {
		t.Errorf("available deliver jobs = %v, want 1", got)
	}
	m.SLABreached()
	m.DigestSent()
	m.DigestSent()
	if got := metricValue(t, reg, "handoffbot_sla_breaches_total", nil); got != 1 {
		t.Errorf("breaches = %v", got)
	}
	if got := metricValue(t, reg, "handoffbot_digests_sent_total", nil); got != 2 {
		t.Errorf("digests = %v", got)
	}
}

// The names, types and help texts follow Prometheus' conventions.
func TestMetricsPassPromlint(t *testing.T) {
	m := New(storagetest.New(t))
	m.apiCalls.WithLabelValues("chat.postMessage", "ok").Inc()
	m.envelopes.WithLabelValues("slash_commands", "ok").Inc()
	m.ackLatency.WithLabelValues("slash_commands").Observe(0.001)
	m.handlerLatency.WithLabelValues("slash_commands").Observe(0.01)
	m.EventTried("https://hooks.example/x", "delivered")
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "handoffbot_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
}

// A nil *Metrics, the runtime's default, records nothing and breaks nothing.
func TestNilMetricsAreInert(t *testing.T) {
	var m *Metrics
	m.SLABreached()
	m.DigestSent()
	m.EventTried("hubspot", "delivered")
	m.Received("e1", "slash_commands")
	m.Acked("e1")
	m.Ignored("e1", "events_api")
	m.Handled("e1", "slash_commands", time.Now(), OutcomeOK)
	if m.Unacked() != 0 {
		t.Error("nil metrics count envelopes")
	}
	if m.Transport(nil) == nil {
		t.Error("nil metrics must still give a working transport")
	}
}

func TestAPIMethodLabel(t *testing.T) {
	for path, want := range map[string]string{
		"/api/chat.postMessage":            "chat.postMessage",
		"/api/apps.connections.open":       "apps.connections.open",
		"/api/files.getUploadURLExternal":  "files.getUploadURLExternal",
		"/actions/T1/123/abcDEF":           "other", // a response_url
		"/upload/v1/CwABAAAAXw":            "other",
		"/response/42":                     "other",
		"/":                                "other",
		"/api/chat.postMessage/../../etc/": "other",
	} {
		if got := apiMethod(path); got != want {
			t.Errorf("apiMethod(%q) = %q, want %q", path, got, want)
		}
	}
	if got := errorLabel("<script>"); got != "unknown_error" {
		t.Errorf("errorLabel kept %q", got)
	}
}
