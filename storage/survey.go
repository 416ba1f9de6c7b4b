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

// SurveyRound is one run of the alignment survey; the newest is the one
// people answer.
type SurveyRound struct {
	ID       int64     `db:"id"`
	OpenedBy string    `db:"opened_by"`
	OpenedAt time.Time `db:"opened_at"`
}

// Teams a survey answer counts for.
const (
	TeamSales     = "sales"
	TeamMarketing = "marketing"
)

// SurveyAnswer is one person's ratings in one round.
type SurveyAnswer struct {
	RoundID    int64
	UserID     string
	Team       string // TeamSales or TeamMarketing
	Scores     domain.Scores
	AnsweredAt time.Time
}

// OpenSurveyRound starts a new round and, in the same transaction, queues
// msgs (the invitations), so a round never exists without its invitations
// or the other way round.
func (s *DB) OpenSurveyRound(ctx context.Context, openedBy string, at time.Time, msgs []domain.Message) (SurveyRound, error) {
	var r SurveyRound
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
func (s *DB) CurrentSurveyRound(ctx context.Context) (SurveyRound, error) {
	var r SurveyRound
	err := s.db.GetContext(ctx, &r, `SELECT id, opened_by, opened_at FROM survey_rounds ORDER BY id DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.Errorf(domain.ENOTFOUND, "No survey round has been opened yet.")
	}
	r.OpenedAt = r.OpenedAt.UTC()
	return r, mapError(wrap("current survey round", err))
}

// SaveSurveyAnswer stores a person's answer for a round; a second answer
// in the same round replaces the first.
func (s *DB) SaveSurveyAnswer(ctx context.Context, a SurveyAnswer) error {
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

func (r answerRow) answer() (SurveyAnswer, error) {
	a := SurveyAnswer{RoundID: r.RoundID, UserID: r.UserID, Team: r.Team, AnsweredAt: r.AnsweredAt.UTC()}
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
func (s *DB) SurveyAnswer(ctx context.Context, round int64, userID string) (SurveyAnswer, error) {
	var r answerRow
	err := s.db.GetContext(ctx, &r, answerColumns+` WHERE round_id = $1 AND user_id = $2`, round, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return SurveyAnswer{}, domain.Errorf(domain.ENOTFOUND, "No answer yet.")
	} else if err != nil {
		return SurveyAnswer{}, mapError(fmt.Errorf("survey answer: %w", err))
	}
	return r.answer()
}

// SurveyAnswers lists every answer of a round, by team then person.
func (s *DB) SurveyAnswers(ctx context.Context, round int64) ([]SurveyAnswer, error) {
	var rows []answerRow
	if err := s.db.SelectContext(ctx, &rows, answerColumns+` WHERE round_id = $1 ORDER BY team, user_id`, round); err != nil {
		return nil, mapError(fmt.Errorf("survey answers: %w", err))
	}
	out := make([]SurveyAnswer, len(rows))
	for i, r := range rows {
		a, err := r.answer()
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}
