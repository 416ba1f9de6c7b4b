package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// RecordStatsRequest remembers that someone looked at the shared numbers.
func (s *DB) RecordStatsRequest(ctx context.Context, r domain.StatsRequest) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO stats_requests (user_id, channel, period, breakdown, requested_at)
		VALUES ($1, $2, $3, $4, $5)`, r.UserID, r.Channel, r.Period, r.Breakdown, r.At)
	return mapError(wrap("record stats request", err))
}

// CountStatsRequests counts the stats requests made in [from, to).
func (s *DB) CountStatsRequests(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM stats_requests WHERE requested_at >= $1 AND requested_at < $2`, from, to)
	if err != nil {
		return 0, mapError(fmt.Errorf("count stats requests: %w", err))
	}
	return n, nil
}
