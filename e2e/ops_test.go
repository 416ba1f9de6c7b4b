package e2e

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// listening is the line serve logs when its HTTP endpoint is up; with
// HTTP_ADDR=127.0.0.1:0 it is how a test learns the port.
var listening = regexp.MustCompile(`msg="health and metrics endpoint listening" addr=(\S+)`)

// httpBase waits for the endpoint's address in the bot's logs.
func (w *world) httpBase() string {
	w.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := listening.FindStringSubmatch(w.Logs.String()); m != nil {
			return "http://" + m[1]
		}
		if time.Now().After(deadline) {
			w.T.Fatalf("the bot never logged its HTTP address:\n%s", w.Logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// awaitStatus polls url until it answers want, and returns the body.
func awaitStatus(t *testing.T, url string, want int, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		code, body := httpGet(t, url)
		if code == want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: still %d %q after %v, want %d", url, code, body, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scrape reads /metrics in Prometheus' text format.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := httpGet(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d\n%s", code, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v\n%s", err, body)
	}
	return mfs
}

// series is the value of name{labels} (a histogram's count), and whether
// the series exists.
func series(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	mf, ok := mfs[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// The operator's view of a running bot: alive, ready only while Slack is
// reachable, and after a day's traffic (a handoff, a 429 from Slack, a
// breached SLA, an acceptance) every metric the issue lists is there and
// counts what happened.
func TestHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	w := newWorld(t, e2etest.Configure(func(c *config.Config) {
		c.HTTPAddr, c.SLAAccept, c.ManagerChannel = "127.0.0.1:0", 6*time.Second, "COPSMGR"
	}))
	w.Slack.AddChannel(fakeslack.Channel{ID: "COPSMGR", Name: "managers", BotIsMember: true, Members: []string{skinner}})
	base := w.httpBase()

	if code, body := httpGet(t, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	mustContain(t, "/readyz while connected", awaitStatus(t, base+"/readyz", 200, 10*time.Second), "slack: ok", "database: ok")
	w.Slack.SetOffline(true)
	mustContain(t, "/readyz while Slack is down", awaitStatus(t, base+"/readyz", 503, 10*time.Second), "slack: not connected to Slack (Socket Mode); see the logs for why", "database: ok")
	if code, _ := httpGet(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d while Slack is down; the process is alive", code)
	}
	w.Slack.SetOffline(false)
	awaitStatus(t, base+"/readyz", 200, 30*time.Second)

	w.Slack.Fault("chat.postMessage", fakeslack.Fault{Times: 1, RetryAfter: time.Second})
	card := w.HandOffTo(monica, walter, "Dana Scully (FBI)")
	w.User(walter).ExpectDM(t, "Reminder")
	w.User(walter).ExpectDM(t, "SLA breached")
	w.Slack.Channel("COPSMGR").ExpectMessage(t, "SLA breached")
	w.User(walter).Click(t, card.Latest(), "Accept")
	card.ExpectThreadReply(t, "accepted it")
	w.User(monica).ExpectDM(t, "accepted your handoff")

	want := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"handoffbot_envelopes_total", map[string]string{"type": "slash_commands", "outcome": "ok"}, 1},
		{"handoffbot_envelopes_total", map[string]string{"type": "view_submission", "outcome": "ok"}, 1},
		{"handoffbot_envelopes_total", map[string]string{"type": "block_actions", "outcome": "ok"}, 1},
		{"handoffbot_ack_latency_seconds", map[string]string{"type": "view_submission"}, 1},
		{"handoffbot_ack_latency_seconds", map[string]string{"type": "block_actions"}, 1},
		{"handoffbot_handler_latency_seconds", map[string]string{"type": "slash_commands"}, 1},
		{"handoffbot_slack_api_calls_total", map[string]string{"method": "views.open", "result": "ok"}, 1},
		{"handoffbot_slack_api_calls_total", map[string]string{"method": "chat.postMessage", "result": "ok"}, 5},
		{"handoffbot_slack_api_calls_total", map[string]string{"method": "chat.postMessage", "result": "ratelimited"}, 1},
		{"handoffbot_slack_ratelimit_wait_seconds_total", nil, 1},
		{"handoffbot_handoffs", map[string]string{"state": "accepted"}, 1},
		{"handoffbot_jobs", map[string]string{"kind": "sla", "state": "scheduled"}, 1}, // the first-touch timer
		{"handoffbot_sla_breaches_total", nil, 1},
		{"go_goroutines", nil, 1},
		{"go_sql_max_open_connections", map[string]string{"db_name": "handoffbot"}, 1},
	}
	var mfs map[string]*dto.MetricFamily
	deadline := time.Now().Add(10 * time.Second) // completed jobs are recorded a moment after their message
	for {
		mfs = scrape(t, base)
		var missing []string
		for _, s := range want {
			if v, ok := series(mfs, s.name, s.labels); !ok || v < s.min {
				missing = append(missing, fmt.Sprintf("%s%v = %v (present: %v), want ≥ %v", s.name, s.labels, v, ok, s.min))
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the story, /metrics lacks:\n%s", strings.Join(missing, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v, _ := series(mfs, "handoffbot_handoffs", map[string]string{"state": "pending"}); v != 0 {
		t.Errorf("pending handoffs = %v after the only one was accepted", v)
	}
	if v, ok := series(mfs, "handoffbot_jobs", map[string]string{"state": "completed"}); ok {
		t.Errorf("completed jobs are counted (%v): a scrape would read all of River's table", v)
	}
	if _, ok := series(mfs, "handoffbot_digests_sent_total", nil); !ok {
		t.Error("handoffbot_digests_sent_total is missing")
	}
	if code, _ := httpGet(t, base+"/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("/debug/pprof/ = %d without PPROF=true, want 404", code)
	}
	w.Finish()
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the endpoint still answers after the bot stopped")
	}
}

// When the database stops answering, /readyz says so in words and shows
// none of the driver's error (which names the database, the user, the
// host): that goes to the log, where the operator looks next.
func TestReadinessShowsNoDatabaseErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.HTTPAddr = "127.0.0.1:0" }))
	base := w.httpBase()
	awaitStatus(t, base+"/readyz", 200, 10*time.Second)
	u, err := url.Parse(w.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, q := range []string{
		`ALTER DATABASE ` + pq.QuoteIdentifier(name) + ` ALLOW_CONNECTIONS false`,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, name)
		}
		if _, err := admin.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	body := awaitStatus(t, base+"/readyz", 503, 10*time.Second)
	if want := "slack: ok\ndatabase: not answering; see the logs for why\n"; body != want {
		t.Errorf("/readyz = %q, want %q", body, want)
	}
	mustContain(t, "logs", w.Logs.String(), "readiness probe failed", "probe=database", "ping database")
	w.Finish()
}

// PPROF=true serves Go's profiler on the same endpoint.
func TestPprofWhenAskedFor(t *testing.T) {
	t.Parallel()
	w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.HTTPAddr, c.Pprof = "127.0.0.1:0", true }))
	code, body := httpGet(t, w.httpBase()+"/debug/pprof/")
	if code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("/debug/pprof/ = %d", code)
	}
	w.Finish()
}
