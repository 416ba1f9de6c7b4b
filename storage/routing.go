package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/domain"
)

// SetAway records that user is away until until (zero: until they say they
// are back), replacing what was recorded before.
func (s *DB) SetAway(ctx context.Context, user string, until time.Time, by string, at time.Time) error {
	var u *time.Time
	if !until.IsZero() {
		u = &until
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO availability (user_id, away_until, changed_by, changed_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE
		SET away_until = EXCLUDED.away_until, changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at`,
		user, u, by, at)
	return mapError(wrap("set away", err))
}

// ClearAway records that user is back; it reports whether they were away.
func (s *DB) ClearAway(ctx context.Context, user string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM availability WHERE user_id = $1`, user)
	if err != nil {
		return false, mapError(fmt.Errorf("clear away: %w", err))
	}
	n, err := res.RowsAffected()
	return n > 0, mapError(wrap("clear away", err))
}

// AwayAt lists who is away at t (those whose date has passed are back).
func (s *DB) AwayAt(ctx context.Context, t time.Time) ([]domain.Away, error) {
	var rows []struct {
		User  string     `db:"user_id"`
		Until *time.Time `db:"away_until"`
		Since time.Time  `db:"changed_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT user_id, away_until, changed_at FROM availability
		WHERE away_until IS NULL OR away_until > $1 ORDER BY user_id`, t); err != nil {
		return nil, mapError(fmt.Errorf("who is away: %w", err))
	}
	out := make([]domain.Away, len(rows))
	for i, r := range rows {
		out[i] = domain.Away{User: r.User, Since: r.Since.UTC()}
		if r.Until != nil {
			out[i].Until = r.Until.UTC()
		}
	}
	return out, nil
}

// EnsurePools makes sure each pool has a rotation row to lock: a handoff's
// transaction only locks rows, and a missing one would let two replicas
// decide from the same empty rotation.
func (s *DB) EnsurePools(ctx context.Context, pools []string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO routing_states (pool, updated_at)
		SELECT unnest($1::text[]), $2 ON CONFLICT (pool) DO NOTHING`, pq.Array(pools), at)
	return mapError(wrap("ensure routing pools", err))
}

// RoutedCounts counts, per pool and owner, the handoffs created since
// since that a pool's rotation (or catch-up) gave them: the shares
// `/handoff routing` compares with the weights.
func (s *DB) RoutedCounts(ctx context.Context, since time.Time) (map[string]map[string]int, error) {
	var rows []struct {
		Pool     string `db:"pool"`
		Assignee string `db:"assignee"`
		N        int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT e.detail->>'pool' AS pool, h.assignee, count(*) AS n
		FROM handoff_events e JOIN handoffs h ON h.id = e.handoff_id
		WHERE e.kind = 'created' AND e.at >= $1 AND e.detail ? 'pool'
		GROUP BY 1, 2`, since); err != nil {
		return nil, mapError(fmt.Errorf("routed counts: %w", err))
	}
	out := map[string]map[string]int{}
	for _, r := range rows {
		if out[r.Pool] == nil {
			out[r.Pool] = map[string]int{}
		}
		out[r.Pool][r.Assignee] = r.N
	}
	return out, nil
}
