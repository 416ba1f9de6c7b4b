package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/domain"
)

// CreateHandoff creates a handoff in one transaction of a few round
// trips: the rotation rows of the pools the routing reads are locked
// (when a Route decides the owner); one query then takes the new id,
// finds an earlier request under the same external_id, finds an open
// handoff of the same lead, and reads the people's load and
// availability; the owner is decided; one statement writes the lead, the
// handoff, its created event, the pools' rotation, the messages it owes
// and its outbound events; one more schedules the jobs (deliveries, SLA
// timers, event sinks).
//
// A repeat of a request (the same external_id and request hash) answers
// what the first created and creates nothing; the same external_id with
// another request is an *domain.ExternalIDError; a lead with an open
// handoff is a *domain.DuplicateError unless AllowDuplicate. Nothing is
// written in those cases, and a routing rotation only moves when a
// handoff is created.
func (s *DB) CreateHandoff(ctx context.Context, n domain.NewHandoff) (domain.Created, error) {
	var created domain.Created
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		created, err = s.createHandoff(ctx, tx, n)
		return err
	})
	external, lead := isUniqueViolation(err, "handoffs_external_id_key"), isUniqueViolation(err, "handoffs_one_open_per_lead")
	if (external || lead) && n.Handoff.ExternalID != "" {
		// Another transaction created under this external_id between our
		// check and our insert (which unique index complains first is
		// Postgres's choice): the same request gets what it created.
		replayed, rerr := s.replay(ctx, n)
		if domain.ErrorCode(rerr) != domain.ENOTFOUND {
			return replayed, rerr
		}
	}
	if lead {
		// Created by someone else between our check and our insert.
		open, oerr := s.OpenDuplicate(ctx, n.Handoff.Lead.Email)
		if oerr != nil {
			return created, errors.Join(oerr, err)
		}
		return created, &domain.DuplicateError{Open: open}
	}
	return created, err
}

func (s *DB) createHandoff(ctx context.Context, tx *sqlx.Tx, n domain.NewHandoff) (domain.Created, error) {
	h := n.Handoff
	pre, err := precheck(ctx, tx, n)
	if err != nil {
		return domain.Created{}, err
	}
	switch {
	case n.FormID != "" && !pre.Claimed:
		first, err := formHandoff(ctx, tx, n.FormID)
		if err != nil {
			return domain.Created{}, err
		}
		return domain.Created{}, &domain.FormUsedError{First: first}
	case pre.ExistingID != nil && *pre.ExistingHash == n.RequestHash && n.RequestHash != "":
		existing, err := getHandoff(ctx, tx, *pre.ExistingID)
		return domain.Created{Handoff: existing, Replayed: true}, err
	case pre.ExistingID != nil:
		return domain.Created{}, &domain.ExternalIDError{ExternalID: h.ExternalID, Existing: *pre.ExistingID}
	case pre.DuplicateID != nil:
		open, err := getHandoff(ctx, tx, *pre.DuplicateID)
		if err != nil {
			return domain.Created{}, err
		}
		return domain.Created{}, &domain.DuplicateError{Open: open}
	}
	h.ID = pre.ID
	if h.ExternalID == "" {
		h.ExternalID = fmt.Sprintf("hb-%d", h.ID)
	}
	var routed domain.Routed
	if n.Route != nil && h.Assignee == "" {
		if routed, err = n.Route.Decide(pre.facts()); err != nil {
			return domain.Created{}, err
		}
		h.Assignee = routed.Assignee
	}
	h.AssignedAt, h.UpdatedAt = h.CreatedAt, h.CreatedAt
	owed := domain.Owed{}
	if n.Owed != nil {
		owed = n.Owed(h)
	}
	if err := s.insertCreated(ctx, tx, n, h, routed, owed); err != nil {
		return domain.Created{}, err
	}
	if err := s.scheduleOwed(ctx, tx, h, owed); err != nil {
		return domain.Created{}, err
	}
	return domain.Created{Handoff: h}, nil
}

// preCheck is what one query learns before a handoff is written.
type preCheck struct {
	ID           int64           `db:"id"`
	Claimed      bool            `db:"claimed"`
	ExistingID   *int64          `db:"existing_id"`
	ExistingHash *string         `db:"existing_hash"`
	DuplicateID  *int64          `db:"duplicate_id"`
	People       json.RawMessage `db:"people_facts"`
	States       json.RawMessage `db:"pool_states"`
}

// precheck locks the rotation of the pools the routing reads, then takes
// the new handoff's id, claims the form it comes from, and reads an
// earlier handoff under the same external_id, an open one of the same
// lead, and the load and availability of the people routing may pick: in
// one round trip (create_handoff_check, migration 0017). A form claimed
// by a transaction still running waits for it to end: two clicks at once
// cannot both pass.
func precheck(ctx context.Context, tx *sqlx.Tx, n domain.NewHandoff) (preCheck, error) {
	var pools, people []string
	var dayStart time.Time
	if n.Route != nil {
		pools, people, dayStart = n.Route.Pools, n.Route.People, n.Route.DayStart
	}
	key := ""
	if !n.AllowDuplicate {
		key = domain.EmailKey(n.Handoff.Lead.Email)
	}
	var p preCheck
	err := tx.GetContext(ctx, &p, `SELECT * FROM create_handoff_check($1, $2, $3, $4, $5, $6, $7)`,
		pq.Array(pools), n.Handoff.ExternalID, key, pq.Array(people), dayStart, n.Handoff.CreatedAt, n.FormID)
	if err != nil {
		return p, fmt.Errorf("create handoff: check: %w", err)
	}
	return p, nil
}

// facts are what routing reads: the pools' rotation and the people's load,
// both built by create_handoff_check as JSON objects (always valid).
func (p preCheck) facts() domain.RouteFacts {
	f := domain.RouteFacts{States: map[string]json.RawMessage{}, People: map[string]domain.PersonFacts{}}
	_ = json.Unmarshal(p.States, &f.States)
	_ = json.Unmarshal(p.People, &f.People)
	return f
}

// insertCreated writes, in one statement, the lead, the handoff, its
// created event, the form's claim, the pools' new rotation, the messages it owes (holding
// their channels' fences, see enqueue) and its outbound events with one
// delivery per sink.
func (s *DB) insertCreated(ctx context.Context, tx *sqlx.Tx, n domain.NewHandoff, h domain.Handoff, routed domain.Routed, owed domain.Owed) error {
	detail, err := jsonOrNil(mergeDetail(owed.Detail, routed.Detail))
	if err != nil {
		return fmt.Errorf("create handoff: %w", err)
	}
	out, err := outboxArrays(owed.Messages)
	if err != nil {
		return fmt.Errorf("create handoff: %w", err)
	}
	created := domain.Event{HandoffID: h.ID, Kind: "created", Actor: h.CreatedBy, To: h.State, At: h.CreatedAt}
	evs, err := s.eventArrays(handoffOutbound(created), &h, nil)
	if err != nil {
		return fmt.Errorf("create handoff: %w", err)
	}
	pools, poolStates := stateArrays(routed.States)
	l := h.Lead
	_, err = tx.ExecContext(ctx, createSQL,
		h.ID, h.ExternalID, l.Name, l.Company, l.Email, domain.EmailKey(l.Email), l.Phone, l.CRMURL,
		l.Country, l.Region, l.Employees, l.Industry,
		h.Direction, h.State, h.Priority, h.Source, h.Campaign, h.Notes, h.CreatedBy, h.Assignee, h.SourcePermalink,
		h.CreatedAt, h.AcceptDueAt, h.FirstTouchDueAt, h.Intake, h.OccurredAt, n.RequestHash, n.AllowDuplicate,
		detail, pq.Array(pools), pq.Array(poolStates),
		pq.Array(out.channels), pq.Array(out.purposes), pq.Array(out.bodies), pq.Array(out.fences),
		pq.Array(evs.ids), pq.Array(evs.types), pq.Array(evs.at), pq.Array(evs.bodies), pq.Array(s.sinks), fenceLockSpace,
		n.FormID)
	if err != nil {
		return fmt.Errorf("create handoff: %w", err)
	}
	return nil
}

// createSQL is insertCreated's statement. Its data-modifying parts run as
// one; the fences are taken as the outbox rows are written.
const createSQL = `WITH lead AS (
		INSERT INTO leads (name, company, email, email_key, phone, crm_url, country, region, employees, industry)
		VALUES ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id),
	handoff AS (
		INSERT INTO handoffs (id, external_id, lead_id, direction, state, priority, source, campaign, notes,
			created_by, assignee, source_permalink, created_at, accept_due_at, first_touch_due_at, updated_at,
			intake, occurred_at, request_hash, assigned_at, email_key, duplicate_allowed)
		SELECT $1, $2, lead.id, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $22,
			$25, $26, $27, $22, $6, $28 FROM lead RETURNING id),
	event AS (
		INSERT INTO handoff_events (handoff_id, kind, actor, to_state, detail, at)
		SELECT id, 'created', $19, $14, $29, $22 FROM handoff),
	form AS (
		UPDATE handoff_forms SET handoff_id = handoff.id FROM handoff WHERE view_id = $42),
	pools AS (
		UPDATE routing_states r SET state = x.state, updated_at = $22
		FROM unnest($30::text[], $31::jsonb[]) AS x(pool, state) WHERE r.pool = x.pool),
	fence AS (
		SELECT pg_advisory_xact_lock_shared($41, k) FROM unnest($35::int[]) AS k),
	outbox AS (
		INSERT INTO outbox (channel, handoff_id, purpose, message)
		SELECT m.channel, handoff.id, m.purpose, m.body
		FROM handoff, unnest($32::text[], $33::text[], $34::jsonb[]) AS m(channel, purpose, body)),
	events AS (
		INSERT INTO outbound_events (event_id, type, handoff_id, occurred_at, body)
		SELECT e.id, e.type, handoff.id, e.at, e.body
		FROM handoff, unnest($36::text[], $37::text[], $38::timestamptz[], $39::jsonb[]) AS e(id, type, at, body)
		RETURNING id, handoff_id),
	deliveries AS (
		INSERT INTO event_deliveries (event, sink, sequence, state, created_at)
		SELECT events.id, sink, 'handoff:' || events.handoff_id, 'pending', $22
		FROM events, unnest($40::text[]) AS sink)
	SELECT count(*) FROM fence`

// replay answers a request whose external_id another transaction used
// between our check and our insert: the same request gets what it created,
// another an *domain.ExternalIDError.
func (s *DB) replay(ctx context.Context, n domain.NewHandoff) (domain.Created, error) {
	var r struct {
		ID   int64  `db:"id"`
		Hash string `db:"request_hash"`
	}
	if err := s.db.GetContext(ctx, &r, `SELECT id, request_hash FROM handoffs WHERE external_id = $1`, n.Handoff.ExternalID); err != nil {
		return domain.Created{}, mapError(fmt.Errorf("replay: %w", err))
	}
	if n.RequestHash == "" || r.Hash != n.RequestHash {
		return domain.Created{}, &domain.ExternalIDError{ExternalID: n.Handoff.ExternalID, Existing: r.ID}
	}
	h, err := s.Handoff(ctx, r.ID)
	return domain.Created{Handoff: h, Replayed: true}, err
}
