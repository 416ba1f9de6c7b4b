package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/handoffbot/handoffbot/domain"
)

// EventStore is what the outbound events' gauges read at scrape time
// (storage.DB). Neither read grows with the history: pending deliveries
// are a backlog, disabled sinks a handful.
type EventStore interface {
	PendingEventsBySink(ctx context.Context) (map[string]int64, error)
	DisabledSinks(ctx context.Context) ([]domain.DisabledSink, error)
}

func newEventDeliveries() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "handoffbot_event_deliveries_total",
		Help: "Tries of outbound events at a sink (a webhook URL shown as scheme and host, or hubspot), by result: delivered, retry (failed, tried again later), failed (refused, or given up after a day), gone (the sink answered 410 and was disabled).",
	}, []string{"sink", "result"})
}

// EventTried counts one try of an outbound event at sink; the events job
// calls it with the result (queue.ResultDelivered, …). The sink is
// labelled without its secrets (domain.SinkLabel).
func (m *Metrics) EventTried(sink, result string) {
	if m != nil {
		m.eventDeliveries.WithLabelValues(domain.SinkLabel(sink), result).Inc()
	}
}

// eventsCollector reads the outbound events' backlog and the disabled
// sinks at each scrape, so every replica reports the same.
type eventsCollector struct {
	store    EventStore
	pending  *prometheus.Desc
	disabled *prometheus.Desc
}

func newEventsCollector(store EventStore) *eventsCollector {
	return &eventsCollector{
		store: store,
		pending: prometheus.NewDesc("handoffbot_events_pending",
			"Outbound events not yet delivered, by sink: waiting for their turn, for a retry, or for a replay of a disabled sink.", []string{"sink"}, nil),
		disabled: prometheus.NewDesc("handoffbot_event_sink_disabled",
			"1 for each sink that answered 410 Gone and gets nothing until `handoffbot events replay`.", []string{"sink"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *eventsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.disabled
}

// Collect implements prometheus.Collector. Sinks whose labels are the same
// (two URLs on one host) are summed into one series.
func (c *eventsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if pending, err := c.store.PendingEventsBySink(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.pending, err)
	} else {
		bySink := map[string]int64{}
		for sink, n := range pending {
			bySink[domain.SinkLabel(sink)] += n
		}
		for label, n := range bySink {
			ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(n), label)
		}
	}
	if disabled, err := c.store.DisabledSinks(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.disabled, err)
	} else {
		labels := map[string]bool{}
		for _, d := range disabled {
			labels[domain.SinkLabel(d.Sink)] = true
		}
		for label := range labels {
			ch <- prometheus.MustNewConstMetric(c.disabled, prometheus.GaugeValue, 1, label)
		}
	}
}
