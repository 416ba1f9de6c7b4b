package storage

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/domain"
)

// acceptanceColumns are the counts behind acceptance and accept-SLA
// compliance; $3 is now. The chart's weeks need only these.
const acceptanceColumns = `count(*) AS handoffs,
	count(*) FILTER (WHERE accepted_at IS NOT NULL) AS accepted,
	count(*) FILTER (WHERE rejected_at IS NOT NULL) AS rejected,
	count(*) FILTER (WHERE state = 'pending') AS pending,
	count(*) FILTER (WHERE coalesce(accepted_at, rejected_at) <= accept_due_at) AS decided_in_sla,
	count(*) FILTER (WHERE state = 'pending' AND accept_due_at < $3) AS pending_overdue`

// metricColumns aggregates the handoff metrics of docs/metrics.md in one pass over the
// rows of a period; $3 is now. HandoffMetrics, HandoffBreakdown and
// WeeklySeries all select these (or acceptanceColumns, a part of them), so
// every view uses the same definitions. The two percentiles share one sort.
const metricColumns = acceptanceColumns + `,
	count(*) FILTER (WHERE direction = 'to_sales') AS to_sales,
	count(decision_secs) AS timed,
	percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY decision_secs) AS accept_pcts,
	count(*) FILTER (WHERE first_touch_at - created_at <= interval '5 minutes') AS stl_5m,
	count(*) FILTER (WHERE first_touch_at - created_at > interval '5 minutes'
		AND first_touch_at - created_at <= interval '1 hour') AS stl_1h,
	count(*) FILTER (WHERE first_touch_at - created_at > interval '1 hour'
		AND first_touch_at - created_at <= interval '24 hours') AS stl_24h,
	count(*) FILTER (WHERE first_touch_at - created_at > interval '24 hours') AS stl_over,
	count(*) FILTER (WHERE first_touch_at IS NULL AND rejected_at IS NULL) AS stl_none,
	count(*) FILTER (WHERE first_touch_at <= first_touch_due_at) AS touched_in_sla,
	count(*) FILTER (WHERE first_touch_at IS NULL AND rejected_at IS NULL
		AND first_touch_due_at < least(coalesce(closed_at, $3), $3)) AS untouched_overdue,
	count(*) FILTER (WHERE direction = 'to_sales' AND accepted_at IS NOT NULL) AS sales_accepted,
	count(*) FILTER (WHERE direction = 'to_sales' AND accepted_at IS NOT NULL
		AND (qualified_at IS NOT NULL OR state = 'won')) AS sales_qualified,
	count(*) FILTER (WHERE state = 'won') AS won,
	count(*) FILTER (WHERE state = 'lost') AS lost,
	count(*) FILTER (WHERE state = 'returned') AS returned`

// inPeriod selects the handoffs created in [$1, $2).
const inPeriod = ` FROM handoffs WHERE created_at >= $1 AND created_at < $2`

// handoffMetricsQuery is the whole of HandoffMetrics but the reason mix.
const handoffMetricsQuery = `SELECT ` + metricColumns + inPeriod

// reasonMixQuery counts the reasons of rejections, returns and losses.
const reasonMixQuery = `SELECT state, coalesce(CASE WHEN state = 'rejected' THEN reject_reason ELSE close_reason END, '') AS reason,
	count(*) AS n` + inPeriod + ` AND state IN ('rejected', 'returned', 'lost')
	GROUP BY 1, 2 ORDER BY 3 DESC, 2`

// metricRow is what metricColumns scan into.
type metricRow struct {
	Handoffs         int             `db:"handoffs"`
	ToSales          int             `db:"to_sales"`
	Accepted         int             `db:"accepted"`
	Rejected         int             `db:"rejected"`
	Pending          int             `db:"pending"`
	Timed            int             `db:"timed"`
	AcceptPcts       pq.Float64Array `db:"accept_pcts"` // median, p90; NULL without decisions
	DecidedInSLA     int             `db:"decided_in_sla"`
	PendingOverdue   int             `db:"pending_overdue"`
	STL5m            int             `db:"stl_5m"`
	STL1h            int             `db:"stl_1h"`
	STL24h           int             `db:"stl_24h"`
	STLOver          int             `db:"stl_over"`
	STLNone          int             `db:"stl_none"`
	TouchedInSLA     int             `db:"touched_in_sla"`
	UntouchedOverdue int             `db:"untouched_overdue"`
	SalesAccepted    int             `db:"sales_accepted"`
	SalesQualified   int             `db:"sales_qualified"`
	Won              int             `db:"won"`
	Lost             int             `db:"lost"`
	Returned         int             `db:"returned"`
}

func (r metricRow) metrics(from, to time.Time) domain.HandoffMetrics {
	decided := r.Accepted + r.Rejected
	touched := r.STL5m + r.STL1h + r.STL24h + r.STLOver
	return domain.HandoffMetrics{
		From: from, To: to,
		Handoffs: r.Handoffs, ToSales: r.ToSales, ToMarketing: r.Handoffs - r.ToSales,
		Acceptance:   domain.Ratio{Num: r.Accepted, Den: decided},
		Pending:      r.Pending,
		TimeToAccept: r.timeToAccept(),
		AcceptSLA:    domain.Ratio{Num: r.DecidedInSLA, Den: decided + r.PendingOverdue},
		SpeedToLead: domain.SpeedToLead{Within5Min: r.STL5m, Within1Hour: r.STL1h, Within24Hours: r.STL24h,
			Over24Hours: r.STLOver, NotYet: r.STLNone},
		FirstTouchSLA: domain.Ratio{Num: r.TouchedInSLA, Den: touched + r.UntouchedOverdue},
		MQLToSQL:      domain.Ratio{Num: r.SalesQualified, Den: r.SalesAccepted},
		WinRate:       domain.Ratio{Num: r.Won, Den: r.Won + r.Lost},
		RecycleRate:   domain.Ratio{Num: r.Returned, Den: r.Accepted},
	}
}

func (r metricRow) timeToAccept() domain.Durations {
	d := domain.Durations{Count: r.Timed}
	if len(r.AcceptPcts) == 2 {
		d.Median, d.P90 = seconds(r.AcceptPcts[0]), seconds(r.AcceptPcts[1])
	}
	return d
}

func seconds(s float64) time.Duration {
	return time.Duration(math.Round(s)) * time.Second
}

// HandoffMetrics computes every handoff metric of docs/metrics.md over the
// handoffs created in [from, to); now decides what is past due. The weekly
// digest and the stats command call this same method.
func (s *DB) HandoffMetrics(ctx context.Context, from, to, now time.Time) (domain.HandoffMetrics, error) {
	var r metricRow
	if err := s.db.GetContext(ctx, &r, handoffMetricsQuery, from, to, now); err != nil {
		return domain.HandoffMetrics{}, mapError(fmt.Errorf("handoff metrics: %w", err))
	}
	m := r.metrics(from, to)
	var mix []struct {
		State  string `db:"state"`
		Reason string `db:"reason"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &mix, reasonMixQuery, from, to); err != nil {
		return domain.HandoffMetrics{}, mapError(fmt.Errorf("handoff reason mix: %w", err))
	}
	for _, x := range mix {
		rc := domain.ReasonCount{Reason: x.Reason, Count: x.N}
		switch domain.State(x.State) {
		case domain.StateRejected:
			m.Rejections = append(m.Rejections, rc)
		case domain.StateReturned:
			m.Returns = append(m.Returns, rc)
		case domain.StateLost:
			m.Losses = append(m.Losses, rc)
		}
	}
	return m, nil
}

// breakdownLimit is domain.BreakdownLimit as a constant of this package,
// which the SQL audit knows to be safe to build a query from.
const breakdownLimit = domain.BreakdownLimit

// Breakdowns HandoffBreakdown accepts, and the column each groups by: a
// fixed list, so no SQL is ever built from what someone typed.
var breakdownColumns = map[string]string{
	"source":   "source",
	"campaign": "campaign",
	"rep":      "assignee", // the handoff's owner
}

// HandoffBreakdown computes the same metrics as HandoffMetrics per source,
// campaign or rep (by), for the BreakdownLimit groups with the most
// handoffs, then one Other row for the rest: its medians and rates are
// computed over its handoffs, not averaged from the groups'.
func (s *DB) HandoffBreakdown(ctx context.Context, from, to, now time.Time, by string) ([]domain.BreakdownRow, error) {
	col, ok := breakdownColumns[by]
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, "Break stats down by source, campaign or rep (got %q).", by)
	}
	query := `WITH top AS (
		SELECT ` + col + ` AS k` + inPeriod + ` GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ` + fmt.Sprint(breakdownLimit) + `)
	SELECT top.k IS NULL AS other, coalesce(top.k, '') AS key, ` + metricColumns + `
	FROM handoffs LEFT JOIN top ON top.k = handoffs.` + col + `
	WHERE created_at >= $1 AND created_at < $2
	GROUP BY 1, 2`
	var rows []struct {
		Other bool   `db:"other"`
		Key   string `db:"key"`
		metricRow
	}
	if err := s.db.SelectContext(ctx, &rows, query, from, to, now); err != nil {
		return nil, mapError(fmt.Errorf("handoff breakdown by %s: %w", by, err))
	}
	out := make([]domain.BreakdownRow, len(rows))
	for i, r := range rows {
		out[i] = domain.BreakdownRow{Key: r.Key, Other: r.Other, HandoffMetrics: r.metrics(from, to)}
	}
	slices.SortFunc(out, func(a, b domain.BreakdownRow) int {
		switch {
		case a.Other != b.Other: // Other last
			if a.Other {
				return 1
			}
			return -1
		case a.Handoffs != b.Handoffs:
			return b.Handoffs - a.Handoffs
		}
		return cmpString(a.Key, b.Key)
	})
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// WeeklySeries gives the stats chart its points: the last weeks calendar
// weeks (Monday 00:00 in loc) up to and including the one containing now,
// oldest first, each with the same definitions as HandoffMetrics over the
// handoffs created that week. Weeks without handoffs are included.
func (s *DB) WeeklySeries(ctx context.Context, weeks int, now time.Time, loc *time.Location) ([]domain.WeekPoint, error) {
	if weeks < 1 {
		return nil, domain.Errorf(domain.EINVALID, "Ask for at least one week.")
	}
	bounds := domain.WeekStarts(weeks, now, loc)
	texts := make([]string, len(bounds))
	for i, b := range bounds {
		texts[i] = b.Format(time.RFC3339Nano)
	}
	// width_bucket numbers the weeks 1…weeks by the bounds; DST-safe
	// because the bounds are computed in loc, not by adding 7 × 24 h.
	query := `SELECT width_bucket(created_at, $4::timestamptz[]) AS week, ` + acceptanceColumns + inPeriod + ` GROUP BY 1`
	var rows []struct {
		Week int `db:"week"`
		metricRow
	}
	if err := s.db.SelectContext(ctx, &rows, query, bounds[0], bounds[weeks], now, pq.Array(texts)); err != nil {
		return nil, mapError(fmt.Errorf("weekly series: %w", err))
	}
	out := make([]domain.WeekPoint, weeks)
	for i := range out {
		out[i].Start = bounds[i]
	}
	for _, r := range rows {
		if r.Week < 1 || r.Week > weeks {
			continue
		}
		m := r.metrics(bounds[r.Week-1], bounds[r.Week])
		out[r.Week-1] = domain.WeekPoint{Start: bounds[r.Week-1], Handoffs: m.Handoffs, Acceptance: m.Acceptance, AcceptSLA: m.AcceptSLA}
	}
	return out, nil
}
