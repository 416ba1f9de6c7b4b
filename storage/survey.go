package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/domain"
)

// OpenSurveyRound starts a new round and, in the same transaction, queues
// msgs (the invitations), so a round never exists without its invitations
// or the other way round.
func (s *DB) OpenSurveyRound(ctx context.Context, openedBy string, at time.Time, msgs []domain.Message) (domain.SurveyRound, error) {
	var r domain.SurveyRound
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &r, `INSERT INTO survey_rounds (opened_by, opened_at) VALUES ($1, $2)
			RETURNING id, opened_by, opened_at`, openedBy, at); err != nil {
			return fmt.Errorf("open survey round: %w", err)
		}
		return s.enqueue(ctx, tx, msgs)
	})
	r.OpenedAt = r.OpenedAt.UTC()
	return r, err
}

// CurrentSurveyRound is the newest round, or an ENOTFOUND error when no
// round was ever opened.
func (s *DB) CurrentSurveyRound(ctx context.Context) (domain.SurveyRound, error) {
	var r domain.SurveyRound
	err := s.db.GetContext(ctx, &r, `SELECT id, opened_by, opened_at FROM survey_rounds ORDER BY id DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.Errorf(domain.ENOTFOUND, "No survey round has been opened yet.")
	}
	r.OpenedAt = r.OpenedAt.UTC()
	return r, mapError(wrap("current survey round", err))
}

// SaveSurveyAnswer stores a person's answer for a round; a second answer
// in the same round replaces the first.
func (s *DB) SaveSurveyAnswer(ctx context.Context, a domain.SurveyAnswer) error {
	if err := a.Scores.Validate(); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO survey_answers (round_id, user_id, team, scores, answered_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (round_id, user_id) DO UPDATE SET team = excluded.team, scores = excluded.scores, answered_at = excluded.answered_at`,
		a.RoundID, a.UserID, a.Team, pq.Array(a.Scores[:]), a.AnsweredAt)
	return mapError(wrap("save survey answer", err))
}

type answerRow struct {
	RoundID    int64         `db:"round_id"`
	UserID     string        `db:"user_id"`
	Team       string        `db:"team"`
	Scores     pq.Int64Array `db:"scores"`
	AnsweredAt time.Time     `db:"answered_at"`
}

func (r answerRow) answer() (domain.SurveyAnswer, error) {
	a := domain.SurveyAnswer{RoundID: r.RoundID, UserID: r.UserID, Team: r.Team, AnsweredAt: r.AnsweredAt.UTC()}
	if len(r.Scores) != domain.SurveyItems {
		return a, fmt.Errorf("survey answer of %s in round %d has %d scores", r.UserID, r.RoundID, len(r.Scores))
	}
	for i, v := range r.Scores {
		a.Scores[i] = int(v)
	}
	return a, nil
}

const answerColumns = `SELECT round_id, user_id, team, scores, answered_at FROM survey_answers`

// SurveyAnswer is userID's answer in round, or an ENOTFOUND error.
func (s *DB) SurveyAnswer(ctx context.Context, round int64, userID string) (domain.SurveyAnswer, error) {
	var r answerRow
	err := s.db.GetContext(ctx, &r, answerColumns+` WHERE round_id = $1 AND user_id = $2`, round, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.SurveyAnswer{}, domain.Errorf(domain.ENOTFOUND, "No answer yet.")
	} else if err != nil {
		return domain.SurveyAnswer{}, mapError(fmt.Errorf("survey answer: %w", err))
	}
	return r.answer()
}

// SurveyAnswers lists every answer of a round, by team then person.
func (s *DB) SurveyAnswers(ctx context.Context, round int64) ([]domain.SurveyAnswer, error) {
	var rows []answerRow
	if err := s.db.SelectContext(ctx, &rows, answerColumns+` WHERE round_id = $1 ORDER BY team, user_id`, round); err != nil {
		return nil, mapError(fmt.Errorf("survey answers: %w", err))
	}
	out := make([]domain.SurveyAnswer, len(rows))
	for i, r := range rows {
		a, err := r.answer()
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}
