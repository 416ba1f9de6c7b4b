package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/handoffbot/handoffbot/domain"
)

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
