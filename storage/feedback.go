package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/handoffbot/handoffbot/domain"
)

// feedbackColumns reads a feedback item with its thread root (alias f and
// o). The root's ts is the outbox row's: set when Slack took the post.
const feedbackColumns = `f.id, f.category, f.body, f.campaign, coalesce(f.handoff_id, 0) AS handoff_id,
	f.created_by, f.source_permalink, f.source_author, f.state, f.created_at,
	f.acknowledged_at, coalesce(f.acknowledged_by, '') AS acknowledged_by,
	coalesce(f.response_secs, 0) AS response_secs, f.resolved_at, coalesce(f.resolved_by, '') AS resolved_by,
	f.resolution, coalesce(o.channel, '') AS root_channel, coalesce(o.ts, '') AS root_ts,
	f.root_permalink, coalesce(f.root_outbox_id, 0) AS root_outbox_id, f.updated_at`

const feedbackFrom = ` FROM feedback f LEFT JOIN outbox o ON o.id = f.root_outbox_id`

type feedbackRow struct {
	ID              int64      `db:"id"`
	Category        string     `db:"category"`
	Body            string     `db:"body"`
	Campaign        string     `db:"campaign"`
	HandoffID       int64      `db:"handoff_id"`
	CreatedBy       string     `db:"created_by"`
	SourcePermalink string     `db:"source_permalink"`
	SourceAuthor    string     `db:"source_author"`
	State           string     `db:"state"`
	CreatedAt       time.Time  `db:"created_at"`
	AcknowledgedAt  *time.Time `db:"acknowledged_at"`
	AcknowledgedBy  string     `db:"acknowledged_by"`
	ResponseSecs    float64    `db:"response_secs"`
	ResolvedAt      *time.Time `db:"resolved_at"`
	ResolvedBy      string     `db:"resolved_by"`
	Resolution      string     `db:"resolution"`
	RootChannel     string     `db:"root_channel"`
	RootTS          string     `db:"root_ts"`
	RootPermalink   string     `db:"root_permalink"`
	RootOutboxID    int64      `db:"root_outbox_id"`
	UpdatedAt       time.Time  `db:"updated_at"`
}

func (r feedbackRow) feedback() domain.Feedback {
	return domain.Feedback{
		ID: r.ID, Category: domain.Category(r.Category), Text: r.Body, Campaign: r.Campaign, HandoffID: r.HandoffID,
		CreatedBy: r.CreatedBy, SourcePermalink: r.SourcePermalink, SourceAuthor: r.SourceAuthor,
		State: domain.FeedbackState(r.State), CreatedAt: utc(r.CreatedAt),
		AcknowledgedAt: utcp(r.AcknowledgedAt), AcknowledgedBy: r.AcknowledgedBy, ResponseSecs: r.ResponseSecs,
		ResolvedAt: utcp(r.ResolvedAt), ResolvedBy: r.ResolvedBy, Resolution: r.Resolution,
		RootChannel: r.RootChannel, RootTS: r.RootTS, RootPermalink: r.RootPermalink, RootOutboxID: r.RootOutboxID,
		UpdatedAt: utc(r.UpdatedAt),
	}
}

// CreateFeedback saves a feedback item, its `created` event, its thread
// root and the messages it owes in one transaction: the item never exists
// without the post that makes it visible.
func (s *DB) CreateFeedback(ctx context.Context, n domain.NewFeedback) (domain.Feedback, error) {
	var created domain.Feedback
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		f := n.Feedback
		var id int64
		if err := tx.GetContext(ctx, &id, `INSERT INTO feedback (category, body, campaign, handoff_id, created_by,
				source_permalink, source_author, state, created_at, updated_at)
			VALUES ($1, $2, $3, nullif($4, 0), $5, $6, $7, 'open', $8, $8) RETURNING id`,
			f.Category, f.Text, f.Campaign, f.HandoffID, f.CreatedBy, f.SourcePermalink, f.SourceAuthor, f.CreatedAt); err != nil {
			return fmt.Errorf("insert feedback: %w", err)
		}
		ev := domain.FeedbackEvent{FeedbackID: id, Kind: "created", Actor: f.CreatedBy, To: domain.FeedbackOpen, At: f.CreatedAt}
		if err := insertFeedbackEvent(ctx, tx, ev); err != nil {
			return err
		}
		saved, err := getFeedback(ctx, tx, `f.id = $1`, id)
		if err != nil {
			return err
		}
		if err := s.enqueueRoot(ctx, tx, id, n.Root(saved)); err != nil {
			return err
		}
		if created, err = getFeedback(ctx, tx, `f.id = $1`, id); err != nil {
			return err
		}
		return s.owe(ctx, tx, n.Messages, feedbackOutbound(ev), nil, &created)
	})
	return created, err
}

// enqueueRoot queues the thread root alone and ties it to the item. The
// outbox row's id is the session's last value of its sequence, which no
// other transaction can change.
func (s *DB) enqueueRoot(ctx context.Context, tx *sqlx.Tx, id int64, root domain.Message) error {
	if err := s.enqueue(ctx, tx, []domain.Message{root}); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE feedback SET root_outbox_id = currval('outbox_id_seq') WHERE id = $1`, id)
	return wrap("link feedback root", err)
}

func insertFeedbackEvent(ctx context.Context, tx *sqlx.Tx, e domain.FeedbackEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO feedback_events (feedback_id, kind, actor, from_state, to_state, note, message_ts, at)
		VALUES ($1, $2, $3, nullif($4, ''), nullif($5, ''), $6, nullif($7, ''), $8)`,
		e.FeedbackID, e.Kind, e.Actor, e.From, e.To, e.Note, e.MessageTS, e.At)
	return wrap("insert feedback event", err)
}

// getFeedback reads the one item matching where ($1 and on are its
// arguments); where is always a constant of this file.
func getFeedback(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (domain.Feedback, error) {
	var r feedbackRow
	if err := sqlx.GetContext(ctx, q, &r, `SELECT `+feedbackColumns+feedbackFrom+` WHERE `+where, args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Feedback{}, errors.Join(domain.Errorf(domain.ENOTFOUND, "That feedback does not exist."), err)
		}
		return domain.Feedback{}, fmt.Errorf("get feedback: %w", err)
	}
	return r.feedback(), nil
}

// Feedback returns feedback item id, or an ENOTFOUND error.
func (s *DB) Feedback(ctx context.Context, id int64) (domain.Feedback, error) {
	f, err := getFeedback(ctx, s.db, `f.id = $1`, id)
	return f, mapError(err)
}

// FeedbackByThread returns the item whose thread root is the message ts in
// channel, or an ENOTFOUND error (most threads are not feedback threads).
func (s *DB) FeedbackByThread(ctx context.Context, channel, ts string) (domain.Feedback, error) {
	f, err := getFeedback(ctx, s.db, `o.channel = $1 AND o.ts = $2`, channel, ts)
	return f, mapError(err)
}

// SetFeedbackPermalink keeps the link to an item's thread, read from Slack
// once.
func (s *DB) SetFeedbackPermalink(ctx context.Context, id int64, link string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE feedback SET root_permalink = $2 WHERE id = $1`, id, link)
	return mapError(wrap("set feedback permalink", err))
}

// FeedbackEvents lists an item's events, oldest first.
func (s *DB) FeedbackEvents(ctx context.Context, id int64) ([]domain.FeedbackEvent, error) {
	var rows []struct {
		ID        int64     `db:"id"`
		Kind      string    `db:"kind"`
		Actor     string    `db:"actor"`
		From      string    `db:"from_state"`
		To        string    `db:"to_state"`
		Note      string    `db:"note"`
		MessageTS string    `db:"message_ts"`
		At        time.Time `db:"at"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT id, kind, actor, coalesce(from_state, '') AS from_state,
		coalesce(to_state, '') AS to_state, note, coalesce(message_ts, '') AS message_ts, at
		FROM feedback_events WHERE feedback_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, mapError(fmt.Errorf("feedback events: %w", err))
	}
	evs := make([]domain.FeedbackEvent, len(rows))
	for i, r := range rows {
		evs[i] = domain.FeedbackEvent{ID: r.ID, FeedbackID: id, Kind: r.Kind, Actor: r.Actor,
			From: domain.FeedbackState(r.From), To: domain.FeedbackState(r.To), Note: r.Note, MessageTS: r.MessageTS, At: r.At.UTC()}
	}
	return evs, nil
}

// ChangeFeedback writes an acknowledgement or resolution, its events and
// the messages it owes in one transaction. The item's row is locked, so
// of two people responding at once exactly one moves it from what they saw.
func (s *DB) ChangeFeedback(ctx context.Context, c domain.FeedbackChange) (domain.Feedback, error) {
	var after domain.Feedback
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		evs, err := s.applyFeedbackChange(ctx, tx, c)
		if err != nil {
			return err
		}
		if after, err = getFeedback(ctx, tx, `f.id = $1`, c.FeedbackID); err != nil {
			return err
		}
		return s.owe(ctx, tx, c.Messages, feedbackOutbound(evs...), nil, &after)
	})
	return after, err
}

// feedbackMoveSQL is the UPDATE of a move and its arguments; fixed
// strings only. A resolution of an open item is its first response too.
func feedbackMoveSQL(c domain.FeedbackChange) (string, []any) {
	switch c.To {
	case domain.FeedbackAcknowledged:
		return `UPDATE feedback SET state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3,
			response_secs = $4, updated_at = $2 WHERE id = $1`, []any{c.FeedbackID, c.At, c.Actor, c.ResponseSecs}
	case domain.FeedbackResolved:
		return `UPDATE feedback SET state = 'resolved', acknowledged_at = coalesce(acknowledged_at, $2),
			acknowledged_by = coalesce(acknowledged_by, $3), response_secs = coalesce(response_secs, $4),
			resolved_at = $2, resolved_by = $3, resolution = $5, updated_at = $2 WHERE id = $1`,
			[]any{c.FeedbackID, c.At, c.Actor, c.ResponseSecs, c.Resolution}
	}
	return "", nil
}

// applyFeedbackChange moves the item and records the events of the move,
// which it returns; the caller writes what the change owes.
func (s *DB) applyFeedbackChange(ctx context.Context, tx *sqlx.Tx, c domain.FeedbackChange) ([]domain.FeedbackEvent, error) {
	var current domain.FeedbackState
	if err := tx.GetContext(ctx, &current, `SELECT state FROM feedback WHERE id = $1 FOR UPDATE`, c.FeedbackID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.Errorf(domain.ENOTFOUND, "That feedback does not exist.")
		}
		return nil, fmt.Errorf("lock feedback: %w", err)
	}
	query, args := feedbackMoveSQL(c)
	if query == "" || !c.Expected.CanMoveTo(c.To) {
		return nil, domain.Errorf(domain.EINVALID, "Feedback that is %s cannot become %s.", c.Expected, c.To)
	}
	if current != c.Expected {
		now, err := getFeedback(ctx, tx, `f.id = $1`, c.FeedbackID)
		if err != nil {
			return nil, err
		}
		return nil, &domain.FeedbackStaleError{Current: now}
	}
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return nil, fmt.Errorf("%s feedback: %w", c.To, err)
	}
	evs := feedbackChangeEvents(c)
	for _, ev := range evs {
		if err := insertFeedbackEvent(ctx, tx, ev); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// feedbackChangeEvents records a resolution of an open item as the
// acknowledgement it implies followed by the resolution.
func feedbackChangeEvents(c domain.FeedbackChange) []domain.FeedbackEvent {
	ev := domain.FeedbackEvent{FeedbackID: c.FeedbackID, Kind: string(c.To), Actor: c.Actor, From: c.Expected, To: c.To, At: c.At}
	if c.To != domain.FeedbackResolved {
		return []domain.FeedbackEvent{ev}
	}
	ev.Note = c.Resolution
	if c.Expected != domain.FeedbackOpen {
		return []domain.FeedbackEvent{ev}
	}
	ack := domain.FeedbackEvent{FeedbackID: c.FeedbackID, Kind: string(domain.FeedbackAcknowledged), Actor: c.Actor,
		From: domain.FeedbackOpen, To: domain.FeedbackAcknowledged, At: c.At}
	ev.From = domain.FeedbackAcknowledged
	return []domain.FeedbackEvent{ack, ev}
}

// RecordFeedbackReply records a thread reply once, keyed by its ts, and
// applies the acknowledgement it carries if the item is still open; a
// reply to an item someone acknowledged meanwhile is only recorded.
func (s *DB) RecordFeedbackReply(ctx context.Context, r domain.FeedbackReply) (domain.ReplyOutcome, error) {
	var out domain.ReplyOutcome
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO feedback_events (feedback_id, kind, actor, message_ts, at)
			VALUES ($1, 'replied', $2, $3, $4)
			ON CONFLICT (feedback_id, message_ts) WHERE message_ts IS NOT NULL DO NOTHING`,
			r.FeedbackID, r.Actor, r.TS, r.At)
		if err != nil {
			return fmt.Errorf("record feedback reply: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record feedback reply: %w", err)
		} else if n == 0 {
			return nil
		}
		out.Recorded = true
		var evs []domain.FeedbackEvent
		if r.Acknowledge != nil {
			evs, err = s.applyFeedbackChange(ctx, tx, *r.Acknowledge)
			var stale *domain.FeedbackStaleError
			switch {
			case errors.As(err, &stale): // acknowledged meanwhile: the reply alone is kept
			case err != nil:
				return err
			default:
				out.Acknowledged = true
			}
		}
		if out.Feedback, err = getFeedback(ctx, tx, `f.id = $1`, r.FeedbackID); err != nil || !out.Acknowledged {
			return err
		}
		return s.owe(ctx, tx, r.Acknowledge.Messages, feedbackOutbound(evs...), nil, &out.Feedback)
	})
	return out, err
}
