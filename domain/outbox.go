package domain

import "time"

// Outgoing is a message waiting in the outbox.
type Outgoing struct {
	ID       int64
	Attempts int
	// TriedAt, when set, is when an earlier try began: it may have reached
	// Slack without being recorded, so the sender looks in the channel's
	// history from then on before posting again.
	TriedAt time.Time
	Message
}

// FailedDelivery is a message Slack would not take, for managers to see.
type FailedDelivery struct {
	ID        int64     `db:"id"`
	Channel   string    `db:"channel"`
	HandoffID *int64    `db:"handoff_id"`
	Purpose   string    `db:"purpose"`
	Error     string    `db:"error"`
	FailedAt  time.Time `db:"failed_at"`
}

// Delivery is what one delivery of a channel's outbox did: the messages it
// posted, and whether some are left for later. The handler that owed a
// card learns its link from here instead of asking the database again.
type Delivery struct {
	Posted []Posted
	// Later, when not zero, says messages were left in the outbox and
	// how soon to try again: Slack asked us to wait (429), a message waits
	// for its handoff's card, or another process is delivering the channel.
	Later time.Duration
}

// Posted is one message that reached Slack.
type Posted struct {
	OutboxID  int64
	HandoffID int64
	Card      bool // the handoff's card, posted or redrawn
	Channel   string
	TS        string
	Permalink string // cards only, when Slack gave one
}

// Card finds the handoff's card among what was posted.
func (d Delivery) Card(handoffID int64) (Posted, bool) {
	for _, p := range d.Posted {
		if p.Card && p.HandoffID == handoffID {
			return p, true
		}
	}
	return Posted{}, false
}

// Message finds an outbox message among what was posted.
func (d Delivery) Message(outboxID int64) (Posted, bool) {
	for _, p := range d.Posted {
		if p.OutboxID == outboxID {
			return p, true
		}
	}
	return Posted{}, false
}
