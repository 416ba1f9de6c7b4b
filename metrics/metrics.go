// Package metrics is what handoffbot tells Prometheus about itself: the
// Slack runtime's envelopes and acks, every Web API call, SLA breaches and
// digests, and counts read from the database. Each process has its own
// registry, so tests can run several bots side by side.
package metrics

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/handoffbot/handoffbot/domain"
)

// Outcomes of one envelope, the values of handoffbot_envelopes_total's
// outcome label. An operator alerts on error and panic; refused (the person
// was told why: not allowed, invalid input) and duplicate (a redelivery we
// had already handled) are normal.
const (
	OutcomeOK        = "ok"
	OutcomeRefused   = "refused"
	OutcomeError     = "error"
	OutcomePanic     = "panic"
	OutcomeDuplicate = "duplicate"
	OutcomeIgnored   = "ignored" // nothing handles it (an event type we do not use)
	OutcomeBusy      = "busy"    // shed: the person was told the bot is too busy
	OutcomeForeign   = "foreign" // for another Slack app: dropped unread
)

// scrapeTimeout bounds the database queries made while Prometheus scrapes.
const scrapeTimeout = 5 * time.Second

// Store is what the metrics read from the database at scrape time
// (storage.DB).
type Store interface {
	HandoffsByState(ctx context.Context) (map[domain.State]int64, error)
	JobsByKindAndState(ctx context.Context) ([]domain.JobCount, error)
	SQL() *sql.DB
	EventStore
}

// Metrics is what the bot tells Prometheus about itself. Each process has
// its own registry (not the global default one), so tests can run several
// bots side by side. A nil *Metrics is valid and records nothing, so the
// runtime works without it.
type Metrics struct {
	registry       *prometheus.Registry
	envelopes      *prometheus.CounterVec
	ackLatency     *prometheus.HistogramVec
	handlerLatency *prometheus.HistogramVec
	apiCalls       *prometheus.CounterVec
	rateLimitWait  prometheus.Counter
	slaBreaches    prometheus.Counter
	digestsSent    prometheus.Counter
	// eventDeliveries counts outbound events' tries (events.go).
	eventDeliveries *prometheus.CounterVec

	mu      sync.Mutex
	arrived map[string]arrival // envelopes waiting for their ack
}

// arrival is when an envelope was read from the socket, and what it was.
type arrival struct {
	at   time.Time
	kind string
}

// New registers the bot's metrics, Go runtime and process metrics,
// and, when store is not nil, the database pool's statistics and the
// handoff and job counts that are read from the database at each scrape.
func New(store Store) *Metrics {
	m := newRuntimeMetrics()
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.envelopes, m.ackLatency, m.handlerLatency, m.apiCalls,
		m.rateLimitWait, m.slaBreaches, m.digestsSent, m.eventDeliveries,
	)
	if store != nil {
		m.registry.MustRegister(
			collectors.NewDBStatsCollector(store.SQL(), "handoffbot"),
			newCountsCollector(store),
			newEventsCollector(store),
		)
	}
	return m
}

func newRuntimeMetrics() *Metrics {
	return &Metrics{
		registry: prometheus.NewRegistry(),
		arrived:  map[string]arrival{},
		envelopes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handoffbot_envelopes_total",
			Help: "Socket Mode envelopes handled, by type (slash_commands, events_api, or the interaction type such as block_actions or view_submission) and outcome (ok, refused, error, panic, duplicate, ignored).",
		}, []string{"type", "outcome"}),
		ackLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "handoffbot_ack_latency_seconds",
			Help:    "Time from reading an envelope off the socket to queueing its ack, by type; Slack allows 3 s. slack-go only queues acks and never says when one is written, so the time on the wire is not included. Modal submissions are acked with their handler's answer, so theirs includes the handler.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5},
		}, []string{"type"}),
		handlerLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "handoffbot_handler_latency_seconds",
			Help:    "Time one envelope's work took on a worker, by type, whatever the outcome.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"type"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handoffbot_slack_api_calls_total",
			Help: "Slack Web API calls (each retry counts), by method and result: ok, Slack's error code (e.g. channel_not_found), ratelimited, http_NNN, or network_error. Method other covers response_url posts and file uploads.",
		}, []string{"method", "result"}),
		rateLimitWait: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "handoffbot_slack_ratelimit_wait_seconds_total",
			Help: "Seconds Slack asked the bot to wait (Retry-After of 429 replies), spent in a retry or a postponed delivery.",
		}),
		slaBreaches: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "handoffbot_sla_breaches_total",
			Help: "Handoffs whose accept SLA ran out (each breach is counted once, by the process that announced it).",
		}),
		digestsSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "handoffbot_digests_sent_total",
			Help: "Weekly digests sent (each DM and each channel post counts).",
		}),
		eventDeliveries: newEventDeliveries(),
	}
}

// Registry is what the HTTP endpoint serves.
func (m *Metrics) Registry() *prometheus.Registry {
	return m.registry
}

// SLABreached counts one SLA breach; whoever announces a breach calls it.
func (m *Metrics) SLABreached() {
	if m != nil {
		m.slaBreaches.Inc()
	}
}

// DigestSent counts one digest sent; the digest job calls it per message.
func (m *Metrics) DigestSent() {
	if m != nil {
		m.digestsSent.Inc()
	}
}

// Received notes that an envelope was read off the socket; its ack latency
// is measured from now.
func (m *Metrics) Received(envelopeID, kind string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.arrived[envelopeID] = arrival{at: time.Now(), kind: kind}
}

// Acked observes the ack latency of an envelope, once.
func (m *Metrics) Acked(envelopeID string) {
	if a, ok := m.take(envelopeID); ok {
		m.ackLatency.WithLabelValues(a.kind).Observe(time.Since(a.at).Seconds())
	}
}

// Unacked is how many envelopes were read but not acked yet: none once a
// runtime has drained.
func (m *Metrics) Unacked() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.arrived)
}

// take removes and returns an envelope's arrival.
func (m *Metrics) take(envelopeID string) (arrival, bool) {
	if m == nil {
		return arrival{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.arrived[envelopeID]
	delete(m.arrived, envelopeID)
	return a, ok
}

// Ignored counts an envelope that no handler wanted.
func (m *Metrics) Ignored(envelopeID, kind string) {
	if m != nil {
		m.take(envelopeID)
		m.envelopes.WithLabelValues(kind, OutcomeIgnored).Inc()
	}
}

// Handled counts a finished envelope and observes how long its work took;
// an envelope somehow never acked is forgotten here.
func (m *Metrics) Handled(envelopeID, kind string, started time.Time, outcome string) {
	if m == nil {
		return
	}
	m.take(envelopeID)
	m.envelopes.WithLabelValues(kind, outcome).Inc()
	m.handlerLatency.WithLabelValues(kind).Observe(time.Since(started).Seconds())
}

// OutcomeOf names a handler's failure: refused when the person was told
// why in the domain's words, error when it was our (or a dependency's) fault.
func OutcomeOf(err error) string {
	switch domain.ErrorCode(err) {
	case domain.EINTERNAL, domain.EUNAVAIL:
		return OutcomeError
	}
	return OutcomeRefused
}

// countsCollector reads handoff and job counts from the database at each
// scrape, so the numbers are right whichever replica is scraped. Neither
// read grows with the history (storage/metrics.go).
type countsCollector struct {
	store    Store
	handoffs *prometheus.Desc
	jobs     *prometheus.Desc
}

func newCountsCollector(store Store) *countsCollector {
	return &countsCollector{
		store: store,
		handoffs: prometheus.NewDesc("handoffbot_handoffs",
			"Handoffs in the database by state (all of them, not only this process's).", []string{"state"}, nil),
		jobs: prometheus.NewDesc("handoffbot_jobs",
			"Background jobs waiting, running or given up on, by kind and state (available, scheduled, pending, retryable, running, discarded, cancelled); completed jobs are not counted.", []string{"kind", "state"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *countsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.handoffs
	ch <- c.jobs
}

// Collect implements prometheus.Collector. A failed query is reported as
// an invalid metric; the endpoint still serves everything else.
func (c *countsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if counts, err := c.store.HandoffsByState(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.handoffs, err)
	} else {
		for state, n := range counts {
			ch <- prometheus.MustNewConstMetric(c.handoffs, prometheus.GaugeValue, float64(n), string(state))
		}
	}
	if jobs, err := c.store.JobsByKindAndState(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.jobs, err)
	} else {
		for _, j := range jobs {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(j.N), j.Kind, j.State)
		}
	}
}

// Transport wraps next (nil: http.DefaultTransport) so that every Web API
// call is counted by method and result, and the Retry-After of every 429
// is added to the rate-limit wait. Pass it as bot.ClientOptions.Transport.
func (m *Metrics) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return &countingTransport{next: next, m: m}
}

type countingTransport struct {
	next http.RoundTripper
	m    *Metrics
}

// RoundTrip implements http.RoundTripper. It reads a 200 reply's body to
// learn Slack's ok/error (every reply is 200, even a failure) and hands an
// identical body on.
func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := apiMethod(req.URL.Path)
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.m.apiCalls.WithLabelValues(method, "network_error").Inc()
		return resp, err
	}
	result, err := t.result(resp)
	if err != nil {
		t.m.apiCalls.WithLabelValues(method, "network_error").Inc()
		return nil, err
	}
	t.m.apiCalls.WithLabelValues(method, result).Inc()
	return resp, nil
}

func (t *countingTransport) result(resp *http.Response) (string, error) {
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			t.m.rateLimitWait.Add(float64(secs))
		}
		return "ratelimited", nil
	case resp.StatusCode != http.StatusOK:
		return "http_" + strconv.Itoa(resp.StatusCode), nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", fmt.Errorf("read Slack reply: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var reply struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &reply) != nil || reply.OK == nil || *reply.OK {
		return "ok", nil // a response_url answers a plain "ok"
	}
	return errorLabel(reply.Error), nil
}

// slackMethod matches Web API method names such as chat.postMessage.
var slackMethod = regexp.MustCompile(`^[a-z]+(\.[A-Za-z]+)+$`)

// apiMethod is the method label of a request: the Web API method, or
// "other" for response_url posts and file uploads, whose paths are unique
// per request and would make a label per call.
func apiMethod(path string) string {
	if m := path[strings.LastIndex(path, "/")+1:]; slackMethod.MatchString(m) {
		return m
	}
	return "other"
}

// slackErrorCode matches Slack's error codes (channel_not_found, …).
var slackErrorCode = regexp.MustCompile(`^[a-z_]{1,64}$`)

// errorLabel keeps the result label to Slack's vocabulary of error codes.
func errorLabel(code string) string {
	if slackErrorCode.MatchString(code) {
		return code
	}
	return "unknown_error"
}
