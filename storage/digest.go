package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/domain"
)

// RecordDigest writes the week's digest for one destination together with
// the outbox message that carries it, unless that destination already has
// this week's digest: then it returns false and nothing is written. The
// outbox then delivers it exactly once (see bot.Deliverer).
func (s *DB) RecordDigest(ctx context.Context, week time.Time, destination, kind string, msg domain.Message) (bool, error) {
	var recorded bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO digest_deliveries (week_start, destination, kind)
			VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, week.Format(time.DateOnly), destination, kind)
		if err != nil {
			return fmt.Errorf("record digest: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if err := s.enqueue(ctx, tx, []domain.Message{msg}); err != nil {
			return err
		}
		recorded = true
		// The outbox row is this session's last of its sequence.
		_, err = tx.ExecContext(ctx, `UPDATE digest_deliveries SET outbox_id = currval('outbox_id_seq')
			WHERE week_start = $1 AND destination = $2`, week.Format(time.DateOnly), destination)
		return wrap("record digest", err)
	})
	return recorded, err
}

// AnyDigest reports whether a digest was ever recorded.
func (s *DB) AnyDigest(ctx context.Context) (bool, error) {
	var any bool
	err := s.db.GetContext(ctx, &any, `SELECT EXISTS (SELECT 1 FROM digest_deliveries)`)
	return any, mapError(wrap("any digest", err))
}

// DigestDestinations lists the destinations that have the week's digest.
func (s *DB) DigestDestinations(ctx context.Context, week time.Time) ([]string, error) {
	var out []string
	err := s.db.SelectContext(ctx, &out, `SELECT destination FROM digest_deliveries WHERE week_start = $1 ORDER BY 1`,
		week.Format(time.DateOnly))
	return out, mapError(wrap("digest destinations", err))
}

// Unsubscribed is the subset of users who turned the digest DM off.
func (s *DB) Unsubscribed(ctx context.Context, users []string) (map[string]bool, error) {
	var off []string
	err := s.db.SelectContext(ctx, &off, `SELECT user_id FROM digest_subscriptions
		WHERE NOT subscribed AND user_id = ANY($1)`, pq.Array(users))
	if err != nil {
		return nil, mapError(fmt.Errorf("digest subscriptions: %w", err))
	}
	m := make(map[string]bool, len(off))
	for _, u := range off {
		m[u] = true
	}
	return m, nil
}

// SetDigestSubscription turns a user's digest DM on or off.
func (s *DB) SetDigestSubscription(ctx context.Context, user string, on bool, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO digest_subscriptions (user_id, subscribed, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET subscribed = $2, updated_at = $3`, user, on, at)
	return mapError(wrap("set digest subscription", err))
}

// HandoffMetricsBy is HandoffMetrics over the handoffs one person created,
// for the personal digest: the same definitions, narrowed.
func (s *DB) HandoffMetricsBy(ctx context.Context, from, to, now time.Time, creator string) (domain.HandoffMetrics, error) {
	var r metricRow
	if err := s.db.GetContext(ctx, &r, handoffMetricsQuery+` AND created_by = $4`, from, to, now, creator); err != nil {
		return domain.HandoffMetrics{}, mapError(fmt.Errorf("handoff metrics of %s: %w", creator, err))
	}
	return r.metrics(from, to), nil
}

// OverdueHandoffs lists open handoffs past an SLA as of now, the longest
// overdue first: still pending after the accept due time, or accepted and
// untouched after the first-touch due time.
func (s *DB) OverdueHandoffs(ctx context.Context, now time.Time, limit int) ([]domain.Handoff, error) {
	return s.overdue(ctx, now, "", limit)
}

// OverdueHandoffsOf is OverdueHandoffs narrowed to one person's: those
// they handed off or own, for a digest preview limited to their part.
func (s *DB) OverdueHandoffsOf(ctx context.Context, now time.Time, user string, limit int) ([]domain.Handoff, error) {
	if user == "" {
		return nil, nil
	}
	return s.overdue(ctx, now, user, limit)
}

// overdue lists overdue handoffs, everyone's when user is "".
func (s *DB) overdue(ctx context.Context, now time.Time, user string, limit int) ([]domain.Handoff, error) {
	var rows []struct {
		handoffRow
		Due time.Time `db:"due"`
	}
	const whose = ` AND ($3 = '' OR h.created_by = $3 OR h.assignee = $3)`
	err := s.db.SelectContext(ctx, &rows, `SELECT * FROM (
			(SELECT `+handoffColumns+`, h.accept_due_at AS due`+handoffFrom+`
			WHERE h.state = 'pending' AND h.accept_due_at < $1`+whose+` ORDER BY h.accept_due_at LIMIT $2)
			UNION ALL
			(SELECT `+handoffColumns+`, h.first_touch_due_at AS due`+handoffFrom+`
			WHERE h.state = 'accepted' AND h.first_touch_at IS NULL AND h.first_touch_due_at < $1`+whose+`
			ORDER BY h.first_touch_due_at LIMIT $2)) o
		ORDER BY due LIMIT $2`, now, limit, user)
	if err != nil {
		return nil, mapError(fmt.Errorf("overdue handoffs: %w", err))
	}
	hs := make([]domain.Handoff, len(rows))
	for i, r := range rows {
		hs[i] = r.handoff()
	}
	return hs, nil
}

// CampaignsBy is the campaign breakdown of one person's handoffs, for the
// personal digest: the same metrics per campaign, most handoffs first.
func (s *DB) CampaignsBy(ctx context.Context, from, to, now time.Time, creator string) ([]domain.BreakdownRow, error) {
	var rows []struct {
		Key string `db:"key"`
		metricRow
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT campaign AS key, `+metricColumns+inPeriod+` AND created_by = $4
		GROUP BY campaign ORDER BY count(*) DESC, campaign LIMIT $5`, from, to, now, creator, domain.BreakdownLimit)
	if err != nil {
		return nil, mapError(fmt.Errorf("campaigns of %s: %w", creator, err))
	}
	out := make([]domain.BreakdownRow, len(rows))
	for i, r := range rows {
		out[i] = domain.BreakdownRow{Key: r.Key, HandoffMetrics: r.metrics(from, to)}
	}
	return out, nil
}
