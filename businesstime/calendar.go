package businesstime

import (
	"math"
	"slices"
	"time"
)

// horizonDays bounds how far Add and NextOpen look ahead, in days.
const horizonDays = 3653

// Horizon is how far ahead of t Add and NextOpen look for working time.
// Ten years is far beyond any SLA, yet keeps a schedule whose every working
// day is a holiday from making them spin: when d does not elapse within
// Horizon, Add returns t + Horizon, which reads as "never due".
const Horizon = horizonDays * 24 * time.Hour

// Calendar places Hours and holidays in a time zone and measures business
// time with them. It is immutable and safe for concurrent use.
type Calendar struct {
	hours    Hours
	always   bool
	holidays []int64 // civil day numbers (see dayNumber), sorted, unique
	loc      *time.Location
}

// New returns the calendar for BUSINESS_HOURS, HOLIDAYS and TIMEZONE. A
// nil loc means UTC, the contract's default. holidays may come in any
// order and repeat; New keeps its own copy. Dates out of range (such as
// February 30) are normalised as time.Date does; ParseHolidays never
// returns them.
func New(h Hours, holidays []Date, loc *time.Location) *Calendar {
	if loc == nil {
		loc = time.UTC
	}
	days := make([]int64, 0, len(holidays))
	for _, d := range holidays {
		days = append(days, dayNumber(d))
	}
	slices.Sort(days)
	return &Calendar{hours: h, always: h.Always(), holidays: slices.Compact(days), loc: loc}
}

// Location returns the zone the calendar's working hours and holidays are
// read in, which is also the zone of every time it returns.
func (c *Calendar) Location() *time.Location { return c.loc }

// Hours returns the schedule the calendar was built with, for echoing the
// effective configuration.
func (c *Calendar) Hours() Hours { return c.hours }

// Add returns the instant at which d of business time has elapsed since t:
// the SLA due time for a clock started at t. A clock started outside
// working hours starts at the next opening, so Add(t, 0) is NextOpen(t). A
// due time that falls exactly on a closing time stays there (Fri 13:00 +
// 4h is Fri 17:00, not Mon 09:00). Between(t, Add(t, d)) == d.
//
// Add panics if d is negative: SLAs are validated as positive when the
// configuration is read, so a negative d is a bug in the caller, and there
// is no due time that would be right for it. If d does not elapse within
// Horizon of t, Add returns t + Horizon (see the package doc). The cost is
// proportional to the number of days spanned; Add does not allocate.
func (c *Calendar) Add(t time.Time, d time.Duration) time.Time {
	if d < 0 {
		panic("businesstime: Add called with negative duration " + d.String())
	}
	t = t.In(c.loc)
	if c.always {
		return t.Add(d)
	}
	limit := t.Add(Horizon)
	w := c.walkFrom(t)
	for last := w.day + horizonDays; w.day <= last; w.next() {
		for _, sp := range w.spans() {
			from, until := w.at(sp.start), w.at(sp.end)
			if from.Before(t) {
				from = t
			}
			if !until.After(from) {
				continue
			}
			if avail := until.Sub(from); d > avail {
				d -= avail
				continue
			}
			if due := from.Add(d); due.Before(limit) {
				return due.In(c.loc)
			}
			return limit
		}
	}
	return limit
}

// NextOpen returns t if it is within working hours, else the next opening:
// when a clock started at t begins to run. Like Add it looks no further
// than Horizon ahead.
func (c *Calendar) NextOpen(t time.Time) time.Time { return c.Add(t, 0) }

// Between returns the business time elapsed in [a, b), 0 if b is not after
// a: how long a handoff waited by the SLA's clock. Between(a, b) +
// Between(b, c) == Between(a, c) for a <= b <= c. The cost is proportional
// to the number of days from a to b; Between does not allocate. A sum
// beyond the range of time.Duration (about 292 years) is capped.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !a.Before(b) {
		return 0
	}
	if c.always {
		return b.Sub(a)
	}
	var sum time.Duration
	w := c.walkFrom(a)
	for last := c.dayOf(b) + 1; w.day <= last; w.next() {
		for _, sp := range w.spans() {
			from, until := w.at(sp.start), w.at(sp.end)
			if !from.Before(b) {
				return sum
			}
			if from.Before(a) {
				from = a
			}
			if until.After(b) {
				until = b
			}
			if until.After(from) {
				sum = addCapped(sum, until.Sub(from))
			}
		}
	}
	return sum
}

// addCapped adds two non-negative durations, stopping at the largest one.
func addCapped(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
