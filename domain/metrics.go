package domain

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Ratio is a rate together with the counts it was computed from, because
// docs/metrics.md shows every figure shown with its counts: "62% (31 of 50)" is
// a trend, "100% (1 of 1)" is an anecdote, and the reader should see which.
type Ratio struct {
	Num int // how many met the condition
	Den int // out of how many
}

// Defined reports whether there was anything to divide: a rate over no
// handoffs is unknown, not zero.
func (r Ratio) Defined() bool { return r.Den > 0 }

// Percent is the rate in percent (0–100), and 0 when it is not Defined.
func (r Ratio) Percent() float64 {
	if r.Den == 0 {
		return 0
	}
	return 100 * float64(r.Num) / float64(r.Den)
}

// Rounded is Percent rounded to a whole number, except that only a rate of
// exactly none or all shows as 0% or 100%: 199 of 200 reads "99%", not a
// perfect score it did not earn.
func (r Ratio) Rounded() int {
	p := int(math.Round(r.Percent()))
	switch {
	case p == 100 && r.Num < r.Den:
		return 99
	case p == 0 && r.Num > 0:
		return 1
	}
	return p
}

// String renders the rate with its counts: "62% (31 of 50)", or
// "— (0 of 0)" when there was nothing to count.
func (r Ratio) String() string {
	if !r.Defined() {
		return fmt.Sprintf("— (%d of %d)", r.Num, r.Den)
	}
	return fmt.Sprintf("%d%% (%d of %d)", r.Rounded(), r.Num, r.Den)
}

// Add sums two ratios' counts, e.g. to total the groups of a breakdown.
func (r Ratio) Add(o Ratio) Ratio { return Ratio{Num: r.Num + o.Num, Den: r.Den + o.Den} }

// HandoffMetrics are the handoff metrics of docs/metrics.md over the handoffs created
// in one period. The stats command and the weekly digest both show these,
// from the same query, so the two can never disagree about a period.
type HandoffMetrics struct {
	From, To time.Time // the period, [From, To)

	Handoffs    int // created in the period
	ToSales     int
	ToMarketing int

	// Acceptance is accepted ÷ decided (accepted + rejected); a handoff that
	// went on past accepted was accepted. Pending ones are only counted.
	Acceptance Ratio
	Pending    int
	// TimeToAccept is the business time from creation to the decision.
	TimeToAccept Durations
	// AcceptSLA is decided by the accept due time ÷ (decided + pending
	// past due as of now); pending ones not yet due are left out.
	AcceptSLA Ratio
	// SpeedToLead buckets the wall time to the first touch.
	SpeedToLead SpeedToLead
	// FirstTouchSLA is touched by the due time ÷ (touched + untouched
	// past due). A rejected handoff owes no touch; one closed untouched
	// counts as past due if it was closed after its due time.
	FirstTouchSLA Ratio
	// MQLToSQL is reached qualified (or won) ÷ accepted, handoffs to sales.
	MQLToSQL Ratio
	// WinRate is won ÷ (won + lost).
	WinRate Ratio
	// RecycleRate is returned to marketing ÷ accepted.
	RecycleRate Ratio

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
// from creation to the first touch, the buyer's clock (docs/metrics.md). Each
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

// Breakdowns are what stats can be broken down by: the lead's source, its
// campaign, or the rep who owns it.
var Breakdowns = []string{"source", "campaign", "rep"}

// ValidBreakdown reports whether stats can be broken down by by.
func ValidBreakdown(by string) bool {
	return slices.Contains(Breakdowns, by)
}

// WeekPoint is one calendar week of the stats chart.
type WeekPoint struct {
	Start      time.Time // Monday 00:00 in the configured zone
	Handoffs   int
	Acceptance Ratio
	AcceptSLA  Ratio
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

// FeedbackMetrics are the feedback figures of docs/metrics.md over the items created
// in a period, for the digest and the stats: volume by category, response
// time and loop closure, each with its counts.
type FeedbackMetrics struct {
	// Created is the feedback volume; ByCategory splits it by category
	// code (categories without feedback are absent).
	Created    int
	ByCategory map[string]int
	// Acknowledged counts the items that got a first response (a resolved
	// item was acknowledged on the way).
	Acknowledged int
	Resolved     int
	// MedianResponseSecs is the continuous median of the business time to
	// the first response, over the Acknowledged items (0 when none).
	MedianResponseSecs float64
	// LoopClosure is resolved ÷ created.
	LoopClosure Ratio
}

// StatsRequest is one time someone asked for the stats: the bot's measure
// of "shared metrics in use", shown next to the survey's statement 12.
type StatsRequest struct {
	UserID    string
	Channel   string
	Period    string // as typed, e.g. "30d"
	Breakdown string // "", source, campaign or rep
	At        time.Time
}

// JobCount is how many background jobs of one kind are in one state.
type JobCount struct {
	Kind  string `db:"kind"`
	State string `db:"state"`
	N     int64  `db:"n"`
}
