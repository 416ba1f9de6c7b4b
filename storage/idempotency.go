package storage

import (
	"context"
	"fmt"
	"time"
)

// ClaimKey records that the envelope or event named by key is being handled.
// It reports false when another delivery claimed it first, so redeliveries
// from Slack (same event_id, a retried envelope) are acted on once.
func (s *DB) ClaimKey(ctx context.Context, key string) (bool, error) {
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO processed_keys (key) VALUES ($1) ON CONFLICT DO NOTHING`, key)
	if err != nil {
		return false, mapError(fmt.Errorf("claim key: %w", err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapError(fmt.Errorf("claim key: %w", err))
	}
	return n == 1, nil
}

// ReleaseKey forgets a claim whose handling failed, so that Slack's next
// redelivery gets another chance instead of being dropped as a duplicate.
func (s *DB) ReleaseKey(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM processed_keys WHERE key = $1`, key); err != nil {
		return mapError(fmt.Errorf("release key: %w", err))
	}
	return nil
}

// PruneKeys deletes claims older than before; Slack stops redelivering
// within minutes, so a day's worth is plenty.
func (s *DB) PruneKeys(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM processed_keys WHERE received_at < $1`, before)
	if err != nil {
		return 0, mapError(fmt.Errorf("prune keys: %w", err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapError(fmt.Errorf("prune keys: %w", err))
	}
	return n, nil
}
