package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// staleClaim is how long a claim whose handling never finished (the
// process died, the database went away mid-way) keeps a redelivery out.
// Slack's retries of an unacknowledged event come after one and five
// minutes, so the first of them finds a stale claim and takes it over.
const staleClaim = 30 * time.Second

// ClaimKey claims the envelope or event named by key before it is
// handled, so that redeliveries from Slack (the same event_id, a retried
// envelope) are acted on once: domain.ClaimNew to handle it, ClaimDone
// when it was handled before, ClaimBusy while another delivery handles it
// (or did not finish less than staleClaim ago).
func (s *DB) ClaimKey(ctx context.Context, key string) (domain.Claim, error) {
	var claimed bool
	err := s.db.GetContext(ctx, &claimed, `INSERT INTO processed_keys (key, done) VALUES ($1, false)
		ON CONFLICT (key) DO UPDATE SET received_at = now()
			WHERE processed_keys.done = false AND processed_keys.received_at < now() - make_interval(secs => $2)
		RETURNING true`, key, staleClaim.Seconds())
	if err == nil && claimed {
		return domain.ClaimNew, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return domain.ClaimNew, mapError(fmt.Errorf("claim key: %w", err))
	}
	var done bool
	if err := s.db.GetContext(ctx, &done, `SELECT done FROM processed_keys WHERE key = $1`, key); err != nil {
		return domain.ClaimNew, mapError(fmt.Errorf("claim key: %w", err))
	}
	if done {
		return domain.ClaimDone, nil
	}
	return domain.ClaimBusy, nil
}

// FinishKey marks a claimed envelope or event as handled: its redeliveries
// are acknowledged and dropped from now on.
func (s *DB) FinishKey(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE processed_keys SET done = true WHERE key = $1`, key); err != nil {
		return mapError(fmt.Errorf("finish key: %w", err))
	}
	return nil
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
