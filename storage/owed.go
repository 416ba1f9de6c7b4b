package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/queue"
)

// SetSinks names where outbound events go: the URLs of WEBHOOK_URLS and,
// when connected, the CRM ("hubspot"). Every event recorded from now on
// gets a delivery to each.
func (s *DB) SetSinks(sinks []string) { s.sinks = slices.Clone(sinks) }

// outbox is messages as the columns of the outbox, and the fence keys of
// their channels, sorted so that writers lock them in one order.
type outbox struct {
	channels, purposes []string
	handoffs           []int64
	bodies             []string
	fences             []int32
	channelSet         []string
}

func outboxArrays(msgs []domain.Message) (outbox, error) {
	var o outbox
	seen := map[string]bool{}
	for _, m := range msgs {
		body, err := json.Marshal(m)
		if err != nil {
			return o, fmt.Errorf("message %s: %w", m.Purpose, err)
		}
		o.channels, o.purposes, o.bodies = append(o.channels, m.Channel), append(o.purposes, m.Purpose), append(o.bodies, string(body))
		o.handoffs = append(o.handoffs, m.HandoffID)
		seen[m.Channel] = true
	}
	o.channelSet = slices.Sorted(maps.Keys(seen))
	for _, ch := range o.channelSet {
		o.fences = append(o.fences, channelLockKey(ch))
	}
	return o, nil
}

// enqueue writes msgs inside tx, so they exist exactly when the change that
// owes them is committed, holding each channel's shared fence: a delivery
// job that is finishing either sees them or is completed before a job is
// looked for to join (FinishDelivery). Then one delivery job per channel.
func (s *DB) enqueue(ctx context.Context, tx *sqlx.Tx, msgs []domain.Message) error {
	channels, err := writeOutbox(ctx, tx, msgs)
	if err != nil {
		return err
	}
	return s.insertJobs(ctx, tx, deliveryJobs(channels))
}

// writeOutbox is enqueue without the jobs, for a change that schedules all
// it owes in one call; it returns the channels the messages go to.
func writeOutbox(ctx context.Context, tx *sqlx.Tx, msgs []domain.Message) ([]string, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	o, err := outboxArrays(msgs)
	if err != nil {
		return nil, fmt.Errorf("enqueue: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `WITH fence AS (
			SELECT pg_advisory_xact_lock_shared($5, k) FROM unnest($4::int[]) AS k),
		ins AS (
			INSERT INTO outbox (channel, handoff_id, purpose, message)
			SELECT channel, nullif(handoff, 0), purpose, body
			FROM unnest($1::text[], $2::bigint[], $3::text[], $6::jsonb[]) AS m(channel, handoff, purpose, body))
		SELECT count(*) FROM fence`,
		pq.Array(o.channels), pq.Array(o.handoffs), pq.Array(o.purposes), pq.Array(o.fences), fenceLockSpace,
		pq.Array(o.bodies)); err != nil {
		return nil, fmt.Errorf("enqueue: %w", err)
	}
	return o.channelSet, nil
}

// owe writes what a change of an existing handoff or feedback item owes —
// its messages, and the outbound events of what it recorded (with h or f
// as they are now) — and schedules the jobs for both in one call.
func (s *DB) owe(ctx context.Context, tx *sqlx.Tx, msgs []domain.Message, evs []domain.OutboundEvent, h *domain.Handoff, f *domain.Feedback) error {
	channels, err := writeOutbox(ctx, tx, msgs)
	if err != nil {
		return err
	}
	if err := s.recordEvents(ctx, tx, evs, h, f); err != nil {
		return err
	}
	return s.insertJobs(ctx, tx, append(deliveryJobs(channels), s.sinkJobs(evs)...))
}

func deliveryJobs(channels []string) []river.InsertManyParams {
	var params []river.InsertManyParams
	for _, ch := range channels {
		params = append(params, river.InsertManyParams{Args: queue.Deliver{Channel: ch}})
	}
	return params
}

// insertJobs enqueues jobs in tx with one River call.
func (s *DB) insertJobs(ctx context.Context, tx *sqlx.Tx, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if _, err := s.jobs.InsertManyTx(ctx, tx.Tx, params); err != nil {
		return fmt.Errorf("schedule jobs: %w", err)
	}
	return nil
}

// scheduleOwed enqueues in one call every job a new handoff owes: a
// delivery per channel of its messages, its SLA timers, and a run of each
// sink for its created event.
func (s *DB) scheduleOwed(ctx context.Context, tx *sqlx.Tx, h domain.Handoff, owed domain.Owed) error {
	o, err := outboxArrays(owed.Messages)
	if err != nil {
		return err
	}
	params := deliveryJobs(o.channelSet)
	params = append(params, timerJobs(h.ID, owed.Timers)...)
	params = append(params, s.sinkJobs([]domain.OutboundEvent{{HandoffID: h.ID}})...)
	return s.insertJobs(ctx, tx, params)
}

// sinkJobs is one job per sink for each sequence of evs.
func (s *DB) sinkJobs(evs []domain.OutboundEvent) []river.InsertManyParams {
	if len(s.sinks) == 0 {
		return nil
	}
	seqs := map[string]bool{}
	for _, e := range evs {
		seqs[e.Sequence()] = true
	}
	var params []river.InsertManyParams
	for _, seq := range slices.Sorted(maps.Keys(seqs)) {
		for _, sink := range s.sinks {
			params = append(params, river.InsertManyParams{Args: queue.Events{Sink: sink, Sequence: seq}})
		}
	}
	return params
}

// events is outbound events as the columns of outbound_events.
type events struct {
	ids, types []string
	at         []string
	bodies     []string
}

// eventArrays gives each event an id and its body: the event with the
// handoff or feedback item as it is after the change.
func (s *DB) eventArrays(evs []domain.OutboundEvent, h *domain.Handoff, f *domain.Feedback) (events, error) {
	var out events
	for _, e := range evs {
		e.Handoff, e.Feedback = h, f
		body, err := json.Marshal(e)
		if err != nil {
			return out, fmt.Errorf("event %s: %w", e.Type, err)
		}
		out.ids, out.types = append(out.ids, newEventID()), append(out.types, e.Type)
		out.at, out.bodies = append(out.at, e.OccurredAt.UTC().Format("2006-01-02T15:04:05.999999Z07:00")), append(out.bodies, string(body))
	}
	return out, nil
}

// recordEvents writes evs, and a delivery to each sink, inside tx: the
// systems around the bot hear of a change exactly when it is committed.
// It holds the sequence's shared fence, so that an events job finishing
// either sees the events or is completed before their job is inserted
// (FinishEvents). A new handoff's created event (createSQL) needs no
// fence: no job of its sequence can exist yet.
func (s *DB) recordEvents(ctx context.Context, tx *sqlx.Tx, evs []domain.OutboundEvent, h *domain.Handoff, f *domain.Feedback) error {
	if len(evs) == 0 {
		return nil
	}
	e, err := s.eventArrays(evs, h, f)
	if err != nil {
		return err
	}
	var handoffID, feedbackID int64
	if h != nil {
		handoffID = h.ID
	}
	if f != nil {
		feedbackID = f.ID
	}
	seq := evs[0].Sequence()
	if _, err := tx.ExecContext(ctx, `WITH fence AS (SELECT pg_advisory_xact_lock_shared($9, $10)),
		ins AS (
			INSERT INTO outbound_events (event_id, type, handoff_id, feedback_id, occurred_at, body)
			SELECT id, type, nullif($5, 0), nullif($6, 0), at, body
			FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[]) AS e(id, type, at, body)
			RETURNING id, occurred_at)
		INSERT INTO event_deliveries (event, sink, sequence, state, created_at)
		SELECT ins.id, sink, $7, 'pending', ins.occurred_at FROM fence, ins, unnest($8::text[]) AS sink`,
		pq.Array(e.ids), pq.Array(e.types), pq.Array(e.at), pq.Array(e.bodies), handoffID, feedbackID, seq, pq.Array(s.sinks),
		eventsFenceSpace, sequenceLockKey(seq)); err != nil {
		return fmt.Errorf("record events: %w", err)
	}
	return nil
}

// newEventID is "evt_" and 128 random bits: what receivers deduplicate by.
func newEventID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "evt_" + hex.EncodeToString(b)
}

// stateArrays is routing's rotation states as two parallel columns.
func stateArrays(states map[string]json.RawMessage) ([]string, []string) {
	pools := slices.Sorted(maps.Keys(states))
	out := make([]string, len(pools))
	for i, p := range pools {
		out[i] = string(states[p])
	}
	return pools, out
}

// mergeDetail is the created event's detail: what the change owes says,
// and why the routing picked the owner.
func mergeDetail(a, b map[string]string) map[string]string {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := maps.Clone(a)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, b)
	return out
}

func jsonOrNil(v map[string]string) ([]byte, error) {
	if len(v) == 0 {
		return nil, nil
	}
	return json.Marshal(v)
}

// handoffOutbound is the outbound events of recorded handoff events.
func handoffOutbound(evs ...domain.Event) []domain.OutboundEvent {
	var out []domain.OutboundEvent
	for _, e := range evs {
		if o, ok := e.Outbound(); ok {
			out = append(out, o)
		}
	}
	return out
}

// feedbackOutbound is the outbound events of recorded feedback events.
func feedbackOutbound(evs ...domain.FeedbackEvent) []domain.OutboundEvent {
	var out []domain.OutboundEvent
	for _, e := range evs {
		if o, ok := e.Outbound(); ok {
			out = append(out, o)
		}
	}
	return out
}
