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

// HandoffMetrics are domain.md's handoff metrics over the handoffs created
// in one period. The stats command and the weekly digest both show these,
// from the same query, so the two can never disagree about a period.
type HandoffMetrics struct {
	From, To time.Time // the period, [From, To)

	Handoffs    int // created in the period
	ToSales     int
	ToMarketing int

	// Acceptance is accepted ÷ decided (accepted + rejected); a handoff that
	// went on past accepted was accepted. Pending ones are only counted.
	Acceptance domain.Ratio
	Pending    int
	// TimeToAccept is the business time from creation to the decision.
	TimeToAccept Durations
	// AcceptSLA is decided by the accept due time ÷ (decided + pending
	// past due as of now); pending ones not yet due are left out.
	AcceptSLA domain.Ratio
	// SpeedToLead buckets the wall time to the first touch.
	SpeedToLead SpeedToLead
	// FirstTouchSLA is touched by the due time ÷ (touched + untouched
	// past due). A rejected handoff owes no touch; one closed untouched
	// counts as past due if it was closed after its due time.
	FirstTouchSLA domain.Ratio
	// MQLToSQL is reached qualified (or won) ÷ accepted, handoffs to sales.
	MQLToSQL domain.Ratio
	// WinRate is won ÷ (won + lost).
	WinRate domain.Ratio
	// RecycleRate is returned to marketing ÷ accepted.
	RecycleRate domain.Ratio

	// Rejections, Returns and Losses count each reason code, most
	// frequent first. HandoffBreakdown leaves them empty.
	Rejections []ReasonCount
	Returns    []ReasonCount
	Losses     []ReasonCount
}

// Durations is a median and 90th percentile (continuous, as Postgres
// percentile_cont) over Count values; both are zero when Count is.
type Durations struct {
	Count  int
	Median time.Duration
	P90    time.Duration
}

// SpeedToLead counts the handoffs that were not rejected by the wall time
// from creation to the first touch, the buyer's clock (domain.md). Each
// such handoff is in exactly one bucket; NotYet holds those without a
// first touch, open or closed.
type SpeedToLead struct {
	Within5Min    int // ≤ 5 min
	Within1Hour   int // > 5 min, ≤ 1 h
	Within24Hours int // > 1 h, ≤ 24 h
	Over24Hours   int // > 24 h
	NotYet        int
}

// ReasonCount is how often one reason code was given.
type ReasonCount struct {
	Reason string
	Count  int
}

// acceptanceColumns are the counts behind acceptance and accept-SLA
// compliance; $3 is now. The chart's weeks need only these.
const acceptanceColumns = `count(*) AS handoffs,
	count(*) FILTER (WHERE accepted_at IS NOT NULL) AS accepted,
	count(*) FILTER (WHERE rejected_at IS NOT NULL) AS rejected,
	count(*) FILTER (WHERE state = 'pending') AS pending,
	count(*) FILTER (WHERE coalesce(accepted_at, rejected_at) <= accept_due_at) AS decided_in_sla,
	count(*) FILTER (WHERE state = 'pending' AND accept_due_at < $3) AS pending_overdue`

// metricColumns aggregates domain.md's handoff metrics in one pass over the
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

func (r metricRow) metrics(from, to time.Time) HandoffMetrics {
	decided := r.Accepted + r.Rejected
	touched := r.STL5m + r.STL1h + r.STL24h + r.STLOver
	return HandoffMetrics{
		From: from, To: to,
		Handoffs: r.Handoffs, ToSales: r.ToSales, ToMarketing: r.Handoffs - r.ToSales,
		Acceptance:   domain.Ratio{Num: r.Accepted, Den: decided},
		Pending:      r.Pending,
		TimeToAccept: r.timeToAccept(),
		AcceptSLA:    domain.Ratio{Num: r.DecidedInSLA, Den: decided + r.PendingOverdue},
		SpeedToLead: SpeedToLead{Within5Min: r.STL5m, Within1Hour: r.STL1h, Within24Hours: r.STL24h,
			Over24Hours: r.STLOver, NotYet: r.STLNone},
		FirstTouchSLA: domain.Ratio{Num: r.TouchedInSLA, Den: touched + r.UntouchedOverdue},
		MQLToSQL:      domain.Ratio{Num: r.SalesQualified, Den: r.SalesAccepted},
		WinRate:       domain.Ratio{Num: r.Won, Den: r.Won + r.Lost},
		RecycleRate:   domain.Ratio{Num: r.Returned, Den: r.Accepted},
	}
}

func (r metricRow) timeToAccept() Durations {
	d := Durations{Count: r.Timed}
	if len(r.AcceptPcts) == 2 {
		d.Median, d.P90 = seconds(r.AcceptPcts[0]), seconds(r.AcceptPcts[1])
	}
	return d
}

func seconds(s float64) time.Duration {
	return time.Duration(math.Round(s)) * time.Second
}

// HandoffMetrics computes every handoff metric of domain.md over the
// handoffs created in [from, to); now decides what is past due. The weekly
// digest and the stats command call this same method.
func (s *DB) HandoffMetrics(ctx context.Context, from, to, now time.Time) (HandoffMetrics, error) {
	var r metricRow
	if err := s.db.GetContext(ctx, &r, handoffMetricsQuery, from, to, now); err != nil {
		return HandoffMetrics{}, mapError(fmt.Errorf("handoff metrics: %w", err))
	}
	m := r.metrics(from, to)
	var mix []struct {
		State  string `db:"state"`
		Reason string `db:"reason"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &mix, reasonMixQuery, from, to); err != nil {
		return HandoffMetrics{}, mapError(fmt.Errorf("handoff reason mix: %w", err))
	}
	for _, x := range mix {
		rc := ReasonCount{Reason: x.Reason, Count: x.N}
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

// Breakdowns HandoffBreakdown accepts, and the column each groups by: a
// fixed list, so no SQL is ever built from what someone typed.
var breakdownColumns = map[string]string{
	"source":   "source",
	"campaign": "campaign",
	"rep":      "assignee", // the handoff's owner
}

// BreakdownLimit is how many groups a breakdown lists before summing the
// rest into one Other row: enough for a team, short enough to read.
const BreakdownLimit = 15

// BreakdownRow is one group of a breakdown.
type BreakdownRow struct {
	// Key is the source, campaign or owner's user ID ("" when not given).
	Key string
	// Other marks the row that sums every group after the first
	// BreakdownLimit.
	Other bool
	HandoffMetrics
}

// ValidBreakdown reports whether HandoffBreakdown knows by.
func ValidBreakdown(by string) bool {
	_, ok := breakdownColumns[by]
	return ok
}

// HandoffBreakdown computes the same metrics as HandoffMetrics per source,
// campaign or rep (by), for the BreakdownLimit groups with the most
// handoffs, then one Other row for the rest: its medians and rates are
// computed over its handoffs, not averaged from the groups'.
func (s *DB) HandoffBreakdown(ctx context.Context, from, to, now time.Time, by string) ([]BreakdownRow, error) {
	col, ok := breakdownColumns[by]
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, "Break stats down by source, campaign or rep (got %q).", by)
	}
	query := `WITH top AS (
		SELECT ` + col + ` AS k` + inPeriod + ` GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ` + fmt.Sprint(BreakdownLimit) + `)
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
	out := make([]BreakdownRow, len(rows))
	for i, r := range rows {
		out[i] = BreakdownRow{Key: r.Key, Other: r.Other, HandoffMetrics: r.metrics(from, to)}
	}
	slices.SortFunc(out, func(a, b BreakdownRow) int {
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

// WeekPoint is one calendar week of the stats chart.
type WeekPoint struct {
	Start      time.Time // Monday 00:00 in the configured zone
	Handoffs   int
	Acceptance domain.Ratio
	AcceptSLA  domain.Ratio
}

// WeeklySeries gives the stats chart its points: the last weeks calendar
// weeks (Monday 00:00 in loc) up to and including the one containing now,
// oldest first, each with the same definitions as HandoffMetrics over the
// handoffs created that week. Weeks without handoffs are included.
func (s *DB) WeeklySeries(ctx context.Context, weeks int, now time.Time, loc *time.Location) ([]WeekPoint, error) {
	if weeks < 1 {
		return nil, domain.Errorf(domain.EINVALID, "Ask for at least one week.")
	}
	bounds := WeekStarts(weeks, now, loc)
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
	out := make([]WeekPoint, weeks)
	for i := range out {
		out[i].Start = bounds[i]
	}
	for _, r := range rows {
		if r.Week < 1 || r.Week > weeks {
			continue
		}
		m := r.metrics(bounds[r.Week-1], bounds[r.Week])
		out[r.Week-1] = WeekPoint{Start: bounds[r.Week-1], Handoffs: m.Handoffs, Acceptance: m.Acceptance, AcceptSLA: m.AcceptSLA}
	}
	return out, nil
}

// WeekStarts returns weeks+1 bounds: the Mondays 00:00 in loc starting the
// last weeks weeks (the last one contains now), then the Monday after.
func WeekStarts(weeks int, now time.Time, loc *time.Location) []time.Time {
	t := now.In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	bounds := make([]time.Time, weeks+1)
	for i := range bounds {
		bounds[i] = monday.AddDate(0, 0, 7*(i-weeks+1))
	}
	return bounds
}
