package storage

import (
	"context"
	"fmt"

	"github.com/handoffbot/handoffbot/domain"
)

// The counts the metrics endpoint reads at each scrape (metrics.Store).
// Neither reads a table whose size grows with the history: a scrape costs
// the same with a million handoffs as with ten. Every replica reads the
// same rows, so all report the same numbers.

// foldStateCounts replaces the rows of handoff_state_counts with one per
// state. Writers only append to that table (migration 0007's trigger), so
// it holds the changes since the last fold. Two replicas folding at once
// stay right: a row the other one deleted first is skipped, and what each
// inserts is the sum of what it deleted.
const foldStateCounts = `WITH folded AS (DELETE FROM handoff_state_counts RETURNING state, n)
	INSERT INTO handoff_state_counts (state, n)
	SELECT state, sum(n) FROM folded GROUP BY state HAVING sum(n) <> 0`

// HandoffsByState counts handoffs in each state, every state present (zero
// when none), so a dashboard can graph a state before its first handoff
// reaches it. It reads the running totals that every change of state
// appends to in its own transaction, never the handoffs themselves.
func (s *DB) HandoffsByState(ctx context.Context) (map[domain.State]int64, error) {
	if _, err := s.db.ExecContext(ctx, foldStateCounts); err != nil {
		return nil, mapError(fmt.Errorf("count handoffs by state: fold: %w", err))
	}
	var rows []struct {
		State domain.State `db:"state"`
		N     int64        `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT state, sum(n) AS n FROM handoff_state_counts GROUP BY state`); err != nil {
		return nil, mapError(fmt.Errorf("count handoffs by state: %w", err))
	}
	counts := make(map[domain.State]int64, len(domain.States))
	for _, st := range domain.States {
		counts[st] = 0
	}
	for _, r := range rows {
		counts[r.State] = r.N
	}
	return counts, nil
}

const jobCountsQuery = `SELECT kind, state::text AS state, count(*) AS n FROM river_job
	WHERE state IN ('available', 'cancelled', 'discarded', 'pending', 'retryable', 'running', 'scheduled')
	GROUP BY kind, state ORDER BY kind, state`

// JobsByKindAndState counts River's jobs that are waiting, running or were
// given up on, by kind and state, so an operator sees deliveries piling up
// (available, retryable) or abandoned (discarded) without opening psql.
// Completed jobs are left out: River keeps them for a day, so they are
// most of its table, and counting them at each scrape would read it all.
// The states asked for are the leading column of River's own indexes, so
// the query reads only the jobs it counts.
func (s *DB) JobsByKindAndState(ctx context.Context) ([]domain.JobCount, error) {
	var rows []domain.JobCount
	if err := s.db.SelectContext(ctx, &rows, jobCountsQuery); err != nil {
		return nil, mapError(fmt.Errorf("count jobs by kind and state: %w", err))
	}
	return rows, nil
}
