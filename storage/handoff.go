package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/handoffbot/handoffbot/domain"
)

// handoffColumns reads a handoff joined with its lead (alias h and l).
const handoffColumns = `h.id, h.external_id, h.direction, h.state, h.priority, h.source, h.campaign, h.notes,
	h.created_by, h.assignee, h.source_permalink, h.created_at, h.accept_due_at, h.first_touch_due_at,
	h.accepted_at, h.rejected_at, coalesce(h.reject_reason, '') AS reject_reason,
	coalesce(h.decision_secs, 0) AS decision_secs, h.first_touch_at,
	h.qualified_at, h.closed_at, coalesce(h.close_reason, '') AS close_reason, h.reason_note,
	h.card_channel, h.card_ts, h.card_permalink, h.updated_at,
	h.intake, h.occurred_at, coalesce(h.assigned_at, h.created_at) AS assigned_at,
	l.name AS lead_name, l.company, l.email, l.phone, l.crm_url, l.country, l.region, l.employees, l.industry`

const handoffFrom = ` FROM handoffs h JOIN leads l ON l.id = h.lead_id`

type handoffRow struct {
	ID              int64      `db:"id"`
	ExternalID      string     `db:"external_id"`
	Direction       string     `db:"direction"`
	State           string     `db:"state"`
	Priority        string     `db:"priority"`
	Source          string     `db:"source"`
	Campaign        string     `db:"campaign"`
	Notes           string     `db:"notes"`
	CreatedBy       string     `db:"created_by"`
	Assignee        string     `db:"assignee"`
	SourcePermalink string     `db:"source_permalink"`
	CreatedAt       time.Time  `db:"created_at"`
	AcceptDueAt     time.Time  `db:"accept_due_at"`
	FirstTouchDueAt time.Time  `db:"first_touch_due_at"`
	AcceptedAt      *time.Time `db:"accepted_at"`
	RejectedAt      *time.Time `db:"rejected_at"`
	RejectReason    string     `db:"reject_reason"`
	DecisionSecs    float64    `db:"decision_secs"`
	FirstTouchAt    *time.Time `db:"first_touch_at"`
	QualifiedAt     *time.Time `db:"qualified_at"`
	ClosedAt        *time.Time `db:"closed_at"`
	CloseReason     string     `db:"close_reason"`
	ReasonNote      string     `db:"reason_note"`
	CardChannel     string     `db:"card_channel"`
	CardTS          string     `db:"card_ts"`
	CardPermalink   string     `db:"card_permalink"`
	UpdatedAt       time.Time  `db:"updated_at"`
	Intake          string     `db:"intake"`
	OccurredAt      *time.Time `db:"occurred_at"`
	AssignedAt      time.Time  `db:"assigned_at"`
	LeadName        string     `db:"lead_name"`
	Company         string     `db:"company"`
	Email           string     `db:"email"`
	Phone           string     `db:"phone"`
	CRMURL          string     `db:"crm_url"`
	Country         string     `db:"country"`
	Region          string     `db:"region"`
	Employees       *int       `db:"employees"`
	Industry        string     `db:"industry"`
}

func (r handoffRow) handoff() domain.Handoff {
	return domain.Handoff{
		ID: r.ID, ExternalID: r.ExternalID,
		Lead: domain.Lead{Name: r.LeadName, Company: r.Company, Email: r.Email, Phone: r.Phone, CRMURL: r.CRMURL,
			Country: r.Country, Region: r.Region, Employees: r.Employees, Industry: r.Industry},
		Direction: domain.Direction(r.Direction), State: domain.State(r.State), Priority: domain.Priority(r.Priority),
		Source: r.Source, Campaign: r.Campaign, Notes: r.Notes,
		CreatedBy: r.CreatedBy, Assignee: r.Assignee, SourcePermalink: r.SourcePermalink,
		CreatedAt: utc(r.CreatedAt), AcceptDueAt: utc(r.AcceptDueAt), FirstTouchDueAt: utc(r.FirstTouchDueAt),
		AcceptedAt: utcp(r.AcceptedAt), RejectedAt: utcp(r.RejectedAt), RejectReason: r.RejectReason, DecisionSecs: r.DecisionSecs,
		FirstTouchAt: utcp(r.FirstTouchAt), QualifiedAt: utcp(r.QualifiedAt), ClosedAt: utcp(r.ClosedAt),
		CloseReason: r.CloseReason, ReasonNote: r.ReasonNote,
		CardChannel: r.CardChannel, CardTS: r.CardTS, CardPermalink: r.CardPermalink, UpdatedAt: utc(r.UpdatedAt),
		Intake: r.Intake, OccurredAt: utcp(r.OccurredAt), AssignedAt: utc(r.AssignedAt),
	}
}

func utc(t time.Time) time.Time { return t.UTC() }

func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func formHandoff(ctx context.Context, q sqlx.QueryerContext, viewID string) (domain.Handoff, error) {
	var r handoffRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+handoffColumns+handoffFrom+`
		JOIN handoff_forms f ON f.handoff_id = h.id WHERE f.view_id = $1`, viewID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Handoff{}, domain.Errorf(domain.ENOTFOUND, "This form has not made a handoff.")
	} else if err != nil {
		return domain.Handoff{}, mapError(fmt.Errorf("handoff of form: %w", err))
	}
	return r.handoff(), nil
}

// FormHandoff is the handoff a New handoff form (by its view ID) made, or
// an ENOTFOUND error when it made none.
func (s *DB) FormHandoff(ctx context.Context, viewID string) (domain.Handoff, error) {
	return formHandoff(ctx, s.db, viewID)
}

func openByEmailKey(ctx context.Context, q sqlx.QueryerContext, key string) (domain.Handoff, error) {
	var r handoffRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+handoffColumns+handoffFrom+`
		WHERE h.email_key = $1 AND h.state IN ('pending', 'accepted', 'contacted', 'qualified')
		ORDER BY h.created_at DESC LIMIT 1`, key)
	if err != nil {
		return domain.Handoff{}, err
	}
	return r.handoff(), nil
}

// OpenDuplicate returns the open handoff of the lead with this email, or an
// ENOTFOUND error.
func (s *DB) OpenDuplicate(ctx context.Context, email string) (domain.Handoff, error) {
	key := domain.EmailKey(email)
	if key == "" {
		return domain.Handoff{}, domain.Errorf(domain.ENOTFOUND, "No email to compare.")
	}
	h, err := openByEmailKey(ctx, s.db, key)
	return h, mapError(wrap("open duplicate", err))
}

func insertEvent(ctx context.Context, tx *sqlx.Tx, e domain.Event) error {
	var detail []byte
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO handoff_events (handoff_id, kind, actor, from_state, to_state, reason, note, detail, at)
		VALUES ($1, $2, $3, nullif($4, ''), nullif($5, ''), nullif($6, ''), $7, $8, $9)`,
		e.HandoffID, e.Kind, e.Actor, e.From, e.To, e.Reason, e.Note, detail, e.At)
	return wrap("insert event", err)
}

func getHandoff(ctx context.Context, q sqlx.QueryerContext, id int64) (domain.Handoff, error) {
	var r handoffRow
	if err := sqlx.GetContext(ctx, q, &r, `SELECT `+handoffColumns+handoffFrom+` WHERE h.id = $1`, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Handoff{}, domain.Errorf(domain.ENOTFOUND, "Handoff #%d does not exist.", id)
		}
		return domain.Handoff{}, fmt.Errorf("get handoff %d: %w", id, err)
	}
	return r.handoff(), nil
}

// Handoff returns handoff id, or an ENOTFOUND error.
func (s *DB) Handoff(ctx context.Context, id int64) (domain.Handoff, error) {
	h, err := getHandoff(ctx, s.db, id)
	return h, mapError(err)
}

// HandoffEvents lists a handoff's events, oldest first.
func (s *DB) HandoffEvents(ctx context.Context, id int64) ([]domain.Event, error) {
	var rows []struct {
		ID        int64     `db:"id"`
		HandoffID int64     `db:"handoff_id"`
		Kind      string    `db:"kind"`
		Actor     string    `db:"actor"`
		From      string    `db:"from_state"`
		To        string    `db:"to_state"`
		Reason    string    `db:"reason"`
		Note      string    `db:"note"`
		Detail    []byte    `db:"detail"`
		At        time.Time `db:"at"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT id, handoff_id, kind, actor, coalesce(from_state, '') AS from_state,
		coalesce(to_state, '') AS to_state, coalesce(reason, '') AS reason, note, detail, at
		FROM handoff_events WHERE handoff_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, mapError(fmt.Errorf("handoff events: %w", err))
	}
	evs := make([]domain.Event, len(rows))
	for i, r := range rows {
		evs[i] = domain.Event{ID: r.ID, HandoffID: r.HandoffID, Kind: r.Kind, Actor: r.Actor,
			From: domain.State(r.From), To: domain.State(r.To), Reason: r.Reason, Note: r.Note, At: r.At.UTC()}
		if len(r.Detail) > 0 {
			if err := json.Unmarshal(r.Detail, &evs[i].Detail); err != nil {
				return nil, fmt.Errorf("event %d detail: %w", r.ID, err)
			}
		}
	}
	return evs, nil
}

// SetCard records where a handoff's card was posted.
func (s *DB) SetCard(ctx context.Context, id int64, channel, ts, permalink string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE handoffs SET card_channel = $2, card_ts = $3, card_permalink = $4 WHERE id = $1`,
		id, channel, ts, permalink)
	return mapError(wrap("set card", err))
}
