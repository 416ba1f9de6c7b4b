package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/handoffbot/handoffbot/domain"
)

// NextInRotation picks who gets the next unassigned handoff for team: the
// first candidate after the last one picked, in ID order, wrapping around.
// The cursor row is locked, so replicas picking at once get different people.
func (s *DB) NextInRotation(ctx context.Context, team string, candidates []string, at time.Time) (string, error) {
	if len(candidates) == 0 {
		return "", domain.Errorf(domain.EINVALID, "Nobody is in the receiving team to assign this to.")
	}
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	var picked string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rotation_cursors (team, last_user, updated_at)
			VALUES ($1, '', $2) ON CONFLICT DO NOTHING`, team, at); err != nil {
			return fmt.Errorf("rotation: %w", err)
		}
		var last string
		if err := tx.GetContext(ctx, &last, `SELECT last_user FROM rotation_cursors WHERE team = $1 FOR UPDATE`, team); err != nil {
			return fmt.Errorf("rotation: %w", err)
		}
		picked = sorted[0]
		for _, c := range sorted {
			if c > last {
				picked = c
				break
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE rotation_cursors SET last_user = $2, updated_at = $3 WHERE team = $1`, team, picked, at)
		return wrap("rotation", err)
	})
	return picked, err
}

// OpenHandoffsFor lists the open handoffs a person owns or created, those
// needing a decision first, then by due time.
func (s *DB) OpenHandoffsFor(ctx context.Context, userID string) ([]domain.Handoff, error) {
	var rows []handoffRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+handoffColumns+handoffFrom+`
		WHERE (h.assignee = $1 OR h.created_by = $1) AND h.state IN ('pending', 'accepted', 'contacted', 'qualified')
		ORDER BY array_position(ARRAY['pending', 'accepted', 'contacted', 'qualified'], h.state), h.accept_due_at, h.id
		LIMIT 200`, userID)
	if err != nil {
		return nil, mapError(fmt.Errorf("open handoffs: %w", err))
	}
	hs := make([]domain.Handoff, len(rows))
	for i, r := range rows {
		hs[i] = r.handoff()
	}
	return hs, nil
}

// HandoffByCard finds the handoff whose card is the message at channel/ts.
func (s *DB) HandoffByCard(ctx context.Context, channel, ts string) (domain.Handoff, error) {
	var r handoffRow
	err := s.db.GetContext(ctx, &r, `SELECT `+handoffColumns+handoffFrom+` WHERE h.card_channel = $1 AND h.card_ts = $2`, channel, ts)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Handoff{}, domain.Errorf(domain.ENOTFOUND, "That message is not a handoff card.")
	}
	return r.handoff(), mapError(wrap("handoff by card", err))
}
