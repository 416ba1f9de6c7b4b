package storage

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/domain"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int
	Updated   int
	Unchanged int
}

// importBatch bounds one statement's arrays; a 10,000-row file takes a few.
const importBatch = 2000

// ImportHandoffs saves handoffs from a CSV import in one transaction: all
// or nothing. It is idempotent by external_id: a row already imported is
// left alone when unchanged and updated (with an event) when changed. New
// handoffs get the events their timestamps imply, so metrics see them as
// if they had happened in Slack. Their due times and DecisionSecs must be
// set (the CSV carries neither: they depend on the working hours).
func (s *DB) ImportHandoffs(ctx context.Context, hs []domain.Handoff, actor string, at time.Time) (ImportResult, error) {
	var res ImportResult
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res = ImportResult{}
		for start := 0; start < len(hs); start += importBatch {
			batch := hs[start:min(start+importBatch, len(hs))]
			existing, err := byExternalID(ctx, tx, batch)
			if err != nil {
				return err
			}
			var fresh []domain.Handoff
			for _, h := range batch {
				old, ok := existing[h.ExternalID]
				switch {
				case !ok:
					fresh = append(fresh, h)
				case sameImportedFields(old, h):
					res.Unchanged++
				default:
					if err := updateImported(ctx, tx, old.ID, h, actor, at); err != nil {
						return err
					}
					res.Updated++
				}
			}
			if err := insertImported(ctx, tx, fresh); err != nil {
				return err
			}
			res.Created += len(fresh)
		}
		return nil
	})
	return res, err
}

func byExternalID(ctx context.Context, tx *sqlx.Tx, hs []domain.Handoff) (map[string]domain.Handoff, error) {
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.ExternalID
	}
	var rows []handoffRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+handoffColumns+handoffFrom+` WHERE h.external_id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("import: find existing: %w", err)
	}
	m := make(map[string]domain.Handoff, len(rows))
	for _, r := range rows {
		m[r.ExternalID] = r.handoff()
	}
	return m, nil
}

// sameImportedFields compares what the CSV carries.
func sameImportedFields(a, b domain.Handoff) bool {
	norm := func(h domain.Handoff) domain.Handoff {
		return domain.Handoff{
			ExternalID: h.ExternalID, Lead: domain.Lead{Name: h.Lead.Name, Company: h.Lead.Company, Email: h.Lead.Email, Phone: h.Lead.Phone},
			Direction: h.Direction, State: h.State, Priority: h.Priority, Source: h.Source, Campaign: h.Campaign, Notes: h.Notes,
			CreatedBy: h.CreatedBy, Assignee: h.Assignee, CreatedAt: h.CreatedAt.UTC(),
			AcceptedAt: utcp(h.AcceptedAt), RejectedAt: utcp(h.RejectedAt), RejectReason: h.RejectReason,
			FirstTouchAt: utcp(h.FirstTouchAt), QualifiedAt: utcp(h.QualifiedAt), ClosedAt: utcp(h.ClosedAt),
			CloseReason: h.CloseReason, ReasonNote: h.ReasonNote,
		}
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// insertImported adds new handoffs with a few array statements instead of
// several per row: ids are drawn first so leads, handoffs and events line up.
func insertImported(ctx context.Context, tx *sqlx.Tx, hs []domain.Handoff) error {
	if len(hs) == 0 {
		return nil
	}
	var leadIDs, ids []int64
	if err := tx.SelectContext(ctx, &leadIDs, `SELECT nextval('leads_id_seq') FROM generate_series(1, $1)`, len(hs)); err != nil {
		return fmt.Errorf("import: lead ids: %w", err)
	}
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval('handoffs_id_seq') FROM generate_series(1, $1)`, len(hs)); err != nil {
		return fmt.Errorf("import: handoff ids: %w", err)
	}
	c := columnsOf(hs, leadIDs, ids)
	if _, err := tx.ExecContext(ctx, `INSERT INTO leads (id, name, company, email, email_key, phone)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
		pq.Array(leadIDs), pq.Array(c.name), pq.Array(c.company), pq.Array(c.email), pq.Array(c.emailKey), pq.Array(c.phone)); err != nil {
		return fmt.Errorf("import: insert leads: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO handoffs (id, external_id, lead_id, direction, state, priority, source, campaign,
			notes, created_by, assignee, created_at, accept_due_at, first_touch_due_at, accepted_at, rejected_at, reject_reason,
			first_touch_at, qualified_at, closed_at, close_reason, reason_note, decision_secs, updated_at)
		SELECT id, ext, lead, dir, st, prio, src, camp, notes, cby, asg, cat, adue, fdue, acc, rej, nullif(rr, ''),
			ft, q, cl, nullif(cr, ''), rn, CASE WHEN acc IS NULL AND rej IS NULL THEN NULL ELSE ds END, cat
		FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[],
			$15::timestamptz[], $16::timestamptz[], $17::text[], $18::timestamptz[], $19::timestamptz[],
			$20::timestamptz[], $21::text[], $22::text[], $23::float8[])
		AS t(id, ext, lead, dir, st, prio, src, camp, notes, cby, asg, cat, adue, fdue, acc, rej, rr, ft, q, cl, cr, rn, ds)`,
		pq.Array(ids), pq.Array(c.ext), pq.Array(leadIDs), pq.Array(c.dir), pq.Array(c.state), pq.Array(c.prio),
		pq.Array(c.source), pq.Array(c.campaign), pq.Array(c.notes), pq.Array(c.createdBy), pq.Array(c.assignee),
		pq.Array(c.created), pq.Array(c.acceptDue), pq.Array(c.touchDue), pq.Array(c.accepted), pq.Array(c.rejected),
		pq.Array(c.rejectReason), pq.Array(c.touched), pq.Array(c.qualified), pq.Array(c.closed),
		pq.Array(c.closeReason), pq.Array(c.reasonNote), pq.Array(c.decisionSecs)); err != nil {
		return fmt.Errorf("import: insert handoffs: %w", err)
	}
	return insertImportedEvents(ctx, tx, hs, ids)
}

// importColumns holds the handoffs column by column, as unnest wants them.
type importColumns struct {
	name, company, email, emailKey, phone                     []string
	ext, dir, state, prio, source, campaign, notes, createdBy []string
	assignee, rejectReason, closeReason, reasonNote           []string
	created, acceptDue, touchDue                              []time.Time
	accepted, rejected, touched, qualified, closed            []*time.Time
	decisionSecs                                              []float64
}

func columnsOf(hs []domain.Handoff, leadIDs, ids []int64) importColumns {
	var c importColumns
	for _, h := range hs {
		c.name = append(c.name, h.Lead.Name)
		c.company = append(c.company, h.Lead.Company)
		c.email = append(c.email, h.Lead.Email)
		c.emailKey = append(c.emailKey, domain.EmailKey(h.Lead.Email))
		c.phone = append(c.phone, h.Lead.Phone)
		c.ext = append(c.ext, h.ExternalID)
		c.dir = append(c.dir, string(h.Direction))
		c.state = append(c.state, string(h.State))
		c.prio = append(c.prio, string(h.Priority))
		c.source = append(c.source, h.Source)
		c.campaign = append(c.campaign, h.Campaign)
		c.notes = append(c.notes, h.Notes)
		c.createdBy = append(c.createdBy, h.CreatedBy)
		c.assignee = append(c.assignee, h.Assignee)
		c.rejectReason = append(c.rejectReason, h.RejectReason)
		c.closeReason = append(c.closeReason, h.CloseReason)
		c.reasonNote = append(c.reasonNote, h.ReasonNote)
		c.created = append(c.created, h.CreatedAt)
		c.acceptDue = append(c.acceptDue, h.AcceptDueAt)
		c.touchDue = append(c.touchDue, h.FirstTouchDueAt)
		c.accepted = append(c.accepted, h.AcceptedAt)
		c.rejected = append(c.rejected, h.RejectedAt)
		c.touched = append(c.touched, h.FirstTouchAt)
		c.qualified = append(c.qualified, h.QualifiedAt)
		c.closed = append(c.closed, h.ClosedAt)
		c.decisionSecs = append(c.decisionSecs, h.DecisionSecs)
	}
	return c
}

// insertImportedEvents records the moves an imported row's timestamps imply.
func insertImportedEvents(ctx context.Context, tx *sqlx.Tx, hs []domain.Handoff, ids []int64) error {
	var hid []int64
	var kind, actor, from, to, reason, note []string
	var at []time.Time
	add := func(id int64, k, who string, f, t domain.State, r, n string, when time.Time) {
		hid, kind, actor, from, to, reason, note, at = append(hid, id), append(kind, k), append(actor, who),
			append(from, string(f)), append(to, string(t)), append(reason, r), append(note, n), append(at, when)
	}
	for i, h := range hs {
		add(ids[i], "created", h.CreatedBy, "", domain.StatePending, "", "", h.CreatedAt)
		for _, step := range importedSteps(h) {
			add(ids[i], string(step.to), h.Assignee, step.from, step.to, step.reason, step.note, *step.at)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO handoff_events (handoff_id, kind, actor, from_state, to_state, reason, note, detail, at)
		SELECT hid, k, a, nullif(f, ''), nullif(t, ''), nullif(r, ''), n, '{"source":"import"}', w
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
		AS u(hid, k, a, f, t, r, n, w)`,
		pq.Array(hid), pq.Array(kind), pq.Array(actor), pq.Array(from), pq.Array(to), pq.Array(reason), pq.Array(note), pq.Array(at))
	return wrap("import: insert events", err)
}

type importedStep struct {
	from, to     domain.State
	at           *time.Time
	reason, note string
}

// importedSteps walks the waterfall a row's timestamps describe.
func importedSteps(h domain.Handoff) []importedStep {
	var steps []importedStep
	state := domain.StatePending
	step := func(to domain.State, at *time.Time, reason, note string) {
		if at != nil {
			steps = append(steps, importedStep{state, to, at, reason, note})
			state = to
		}
	}
	if h.State == domain.StateRejected {
		step(domain.StateRejected, h.RejectedAt, h.RejectReason, h.ReasonNote)
		return steps
	}
	step(domain.StateAccepted, h.AcceptedAt, "", "")
	step(domain.StateContacted, h.FirstTouchAt, "", "")
	step(domain.StateQualified, h.QualifiedAt, "", "")
	if h.State == domain.StateWon || h.State == domain.StateLost || h.State == domain.StateReturned {
		step(h.State, h.ClosedAt, h.CloseReason, h.ReasonNote)
	}
	return steps
}

// updateImported rewrites a re-imported row that changed, with an event.
func updateImported(ctx context.Context, tx *sqlx.Tx, id int64, h domain.Handoff, actor string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `WITH h AS (
			UPDATE handoffs SET direction = $2, state = $3, priority = $4, source = $5, campaign = $6, notes = $7,
				created_by = $8, assignee = $9, created_at = $10, accepted_at = $11, rejected_at = $12,
				reject_reason = nullif($13, ''), first_touch_at = $14, qualified_at = $15, closed_at = $16,
				close_reason = nullif($17, ''), reason_note = $18, accept_due_at = $19, first_touch_due_at = $20,
				updated_at = $21, decision_secs = CASE WHEN $11::timestamptz IS NULL AND $12::timestamptz IS NULL THEN NULL ELSE $27::float8 END
			WHERE id = $1 RETURNING lead_id)
		UPDATE leads SET name = $22, company = $23, email = $24, email_key = $25, phone = $26 FROM h WHERE leads.id = h.lead_id`,
		id, h.Direction, h.State, h.Priority, h.Source, h.Campaign, h.Notes, h.CreatedBy, h.Assignee, h.CreatedAt,
		h.AcceptedAt, h.RejectedAt, h.RejectReason, h.FirstTouchAt, h.QualifiedAt, h.ClosedAt, h.CloseReason, h.ReasonNote,
		h.AcceptDueAt, h.FirstTouchDueAt, at, h.Lead.Name, h.Lead.Company, h.Lead.Email, domain.EmailKey(h.Lead.Email), h.Lead.Phone,
		h.DecisionSecs)
	if err != nil {
		return fmt.Errorf("import: update %s: %w", h.ExternalID, err)
	}
	return insertEvent(ctx, tx, domain.Event{HandoffID: id, Kind: "imported", Actor: actor, To: h.State, At: at,
		Detail: map[string]string{"external_id": h.ExternalID}})
}

// ExportHandoffs streams the handoffs created in [from, to) to fn, oldest
// first, without holding them all in memory.
func (s *DB) ExportHandoffs(ctx context.Context, from, to time.Time, fn func(domain.Handoff) error) error {
	rows, err := s.db.QueryxContext(ctx, `SELECT `+handoffColumns+handoffFrom+`
		WHERE h.created_at >= $1 AND h.created_at < $2 ORDER BY h.created_at, h.id`, from, to)
	if err != nil {
		return mapError(fmt.Errorf("export: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var r handoffRow
		if err := rows.StructScan(&r); err != nil {
			return mapError(fmt.Errorf("export: %w", err))
		}
		if err := fn(r.handoff()); err != nil {
			return err
		}
	}
	return mapError(wrap("export", rows.Err()))
}
