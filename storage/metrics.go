package storage

import (
	"context"
	"fmt"

	"github.com/handoffbot/handoffbot/domain"
)

// The counts the metrics endpoint reads at each scrape (bot/metrics.go):
// cheap GROUP BY queries over the whole database, so every replica reports
// the same numbers.

// HandoffsByState counts handoffs in each state, every state present (zero
// when none), so a dashboard can graph a state before its first handoff
// reaches it.
func (s *DB) HandoffsByState(ctx context.Context) (map[domain.State]int64, error) {
	var rows []struct {
		State domain.State `db:"state"`
		N     int64        `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT state, count(*) AS n FROM handoffs GROUP BY state`); err != nil {
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

// JobsByKindAndState counts River's jobs by kind and state, so an operator
// sees deliveries piling up (available, retryable) or given up on
// (discarded) without opening psql. Completed jobs are counted until River
// prunes them (after a day by default).
func (s *DB) JobsByKindAndState(ctx context.Context) ([]domain.JobCount, error) {
	var rows []domain.JobCount
	err := s.db.SelectContext(ctx, &rows,
		`SELECT kind, state::text AS state, count(*) AS n FROM river_job GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, mapError(fmt.Errorf("count jobs by kind and state: %w", err))
	}
	return rows, nil
}
