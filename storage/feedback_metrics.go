package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/domain"
)

// FeedbackMetrics computes the feedback figures over items created in
// [from, to), as they stand now. One pass over the created_at index: the
// categories are grouping sets, the whole period their roll-up.
func (s *DB) FeedbackMetrics(ctx context.Context, from, to time.Time) (domain.FeedbackMetrics, error) {
	var rows []struct {
		Category     *string `db:"category"` // nil on the roll-up row
		Created      int     `db:"created"`
		Acknowledged int     `db:"acknowledged"`
		Resolved     int     `db:"resolved"`
		Median       float64 `db:"median"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT category, count(*) AS created,
			count(acknowledged_at) AS acknowledged, count(resolved_at) AS resolved,
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY response_secs), 0) AS median
		FROM feedback WHERE created_at >= $1 AND created_at < $2
		GROUP BY ROLLUP (category)`, from, to)
	if err != nil {
		return domain.FeedbackMetrics{}, mapError(fmt.Errorf("feedback metrics: %w", err))
	}
	m := domain.FeedbackMetrics{ByCategory: map[string]int{}}
	for _, r := range rows {
		if r.Category != nil {
			m.ByCategory[*r.Category] = r.Created
			continue
		}
		m.Created, m.Acknowledged, m.Resolved, m.MedianResponseSecs = r.Created, r.Acknowledged, r.Resolved, r.Median
	}
	m.LoopClosure = domain.Ratio{Num: m.Resolved, Den: m.Created}
	return m, nil
}

// OldestOpenFeedback lists the items whose loop is not closed (open or
// acknowledged), oldest first: what the digest shows as needing attention.
func (s *DB) OldestOpenFeedback(ctx context.Context, limit int) ([]domain.Feedback, error) {
	return s.unresolvedFeedback(ctx, "", limit)
}

// OpenFeedbackBy lists the unresolved items author created ("" for
// everyone's), oldest first, at most limit of them, and how many there
// are in all.
func (s *DB) OpenFeedbackBy(ctx context.Context, author string, limit int) ([]domain.Feedback, int, error) {
	fs, err := s.unresolvedFeedback(ctx, author, limit)
	if err != nil {
		return nil, 0, err
	}
	total := len(fs)
	if total == limit {
		err = s.db.GetContext(ctx, &total, `SELECT count(*) FROM feedback
			WHERE state <> 'resolved' AND ($1 = '' OR created_by = $1)`, author)
	}
	return fs, total, mapError(wrap("count open feedback", err))
}

func (s *DB) unresolvedFeedback(ctx context.Context, author string, limit int) ([]domain.Feedback, error) {
	var rows []feedbackRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+feedbackColumns+feedbackFrom+`
		WHERE f.state <> 'resolved' AND ($1 = '' OR f.created_by = $1)
		ORDER BY f.created_at, f.id LIMIT $2`, author, limit)
	if err != nil {
		return nil, mapError(fmt.Errorf("open feedback: %w", err))
	}
	fs := make([]domain.Feedback, len(rows))
	for i, r := range rows {
		fs[i] = r.feedback()
	}
	return fs, nil
}

// FeedbackCounts says how many feedback items each of the handoffs has,
// in one query for a whole list; handoffs without any are absent.
func (s *DB) FeedbackCounts(ctx context.Context, handoffIDs []int64) (map[int64]int, error) {
	counts := map[int64]int{}
	if len(handoffIDs) == 0 {
		return counts, nil
	}
	var rows []struct {
		HandoffID int64 `db:"handoff_id"`
		N         int   `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT handoff_id, count(*) AS n FROM feedback
		WHERE handoff_id = ANY($1) GROUP BY handoff_id`, pq.Array(handoffIDs)); err != nil {
		return nil, mapError(fmt.Errorf("feedback counts: %w", err))
	}
	for _, r := range rows {
		counts[r.HandoffID] = r.N
	}
	return counts, nil
}

// HandoffChoices lists the most recent handoffs matching what a person
// typed into the Feedback modal's Related handoff: part of the lead's name
// or company, or the handoff's number ("12" or "#12"). Empty matches all.
// Only handoffs the person may see are listed (domain.Visibility: theirs,
// and those carded in the handoff channel when they are a member of it).
func (s *DB) HandoffChoices(ctx context.Context, query string, vis domain.Visibility, limit int) ([]domain.Handoff, error) {
	query = strings.TrimSpace(query)
	var id int64
	if n, err := strconv.ParseInt(strings.TrimPrefix(query, "#"), 10, 64); err == nil {
		id = n
	}
	pattern := "%" + likeEscaper.Replace(query) + "%"
	var rows []handoffRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+handoffColumns+handoffFrom+`
		WHERE ($1 = '' OR h.id = $2 OR l.name ILIKE $3 OR l.company ILIKE $3)
		AND (($5 <> '' AND (h.created_by = $5 OR h.assignee = $5))
			OR ($6 <> '' AND h.card_channel = $6 AND h.card_ts <> ''))
		ORDER BY h.created_at DESC, h.id DESC LIMIT $4`, query, id, pattern, limit, vis.UserID, vis.Channel)
	if err != nil {
		return nil, mapError(fmt.Errorf("handoff choices: %w", err))
	}
	hs := make([]domain.Handoff, len(rows))
	for i, r := range rows {
		hs[i] = r.handoff()
	}
	return hs, nil
}

// likeEscaper makes typed text match literally in ILIKE: % and _ are
// wildcards there, and backslash is the escape.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
