package domain

import (
	"net/url"
	"regexp"
	"time"
)

// EventDelivery is one outbound event a sink is owed, as the events job
// sends it: the event, and how its tries have gone so far.
type EventDelivery struct {
	Event    OutboundEvent
	Attempts int
	// FirstTriedAt is when the sink was first sent it; zero before that.
	// A day of failures after it, the event is given up.
	FirstTriedAt time.Time
}

// DisabledSink is a sink that said it wants nothing more (a webhook URL
// that answered 410 Gone): nothing is sent to it until its events are
// replayed, and managers are shown it.
type DisabledSink struct {
	Sink string    `db:"sink"`
	At   time.Time `db:"disabled_at"`
	Why  string    `db:"disabled_why"`
}

// FailedEvent is an event a sink never took: refused, or still failing a
// day after its first try. Managers are shown the recent ones.
type FailedEvent struct {
	Sink       string    `db:"sink"`
	EventID    string    `db:"event_id"`
	Type       string    `db:"type"`
	HandoffID  int64     `db:"handoff_id"` // 0 for a feedback item's event
	FeedbackID int64     `db:"feedback_id"`
	Attempts   int       `db:"attempts"`
	Error      string    `db:"last_error"`
	FailedAt   time.Time `db:"finished_at"`
}

// Replayed is what `handoffbot events replay` queued again for one sink.
type Replayed struct {
	Sink      string
	Events    int // deliveries set back to pending
	Sequences int // handoffs and feedback items they belong to
	// Reenabled is set when the sink had been disabled (a 410).
	Reenabled bool
}

// sinkName is a sink named by a word ("hubspot") rather than a URL.
var sinkName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// SinkLabel is how logs, metrics, App Home and commands name a sink
// without showing a secret: a webhook URL as its scheme and host only
// (its path, query or user information often hold the hook's token),
// another sink by its name.
func SinkLabel(sink string) string {
	if sinkName.MatchString(sink) {
		return sink
	}
	u, err := url.Parse(sink)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
