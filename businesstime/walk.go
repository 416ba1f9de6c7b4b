package businesstime

import (
	"math"
	"slices"
	"time"
)

const secondsPerDay = 24 * 60 * 60

// walker steps through the civil days of a calendar's zone, turning each
// day's wall-clock spans into instants. Days are numbered from 1970-01-01
// (see dayNumber), and wall-clock times are "civil seconds": the Unix time
// the same date and clock reading would have in UTC.
//
// Looking the zone up for every span boundary would cost a few lookups per
// day. Instead the walker remembers the zone period (a stretch between two
// offset changes) it is in; a day well inside it converts wall times by
// subtracting the offset, and only the days next to a change take the
// careful path in firstInstant. That keeps Add and Between at a couple of
// lookups per call.
type walker struct {
	c      *Calendar
	day    int64 // the civil day being visited
	hol    int   // index in c.holidays of the first holiday not before day
	off    int64 // UTC offset, in seconds, during [pStart, pEnd)
	pStart int64 // Unix time the zone period begins, or MinInt64
	pEnd   int64 // Unix time the zone period ends, or MaxInt64
	fast   bool  // day lies well inside the period, so instant = wall - off
}

// walkFrom starts a walk at the civil day t falls on in c's zone. Earlier
// days cannot matter: their spans end no later than the first instant
// whose clock shows t's day, which is not after t.
func (c *Calendar) walkFrom(t time.Time) walker {
	w := walker{c: c}
	w.lookup(t.Unix())
	w.day = floorDiv(t.Unix()+w.off, secondsPerDay)
	w.hol, _ = slices.BinarySearch(c.holidays, w.day)
	w.fast = w.inside()
	return w
}

// dayOf is the civil day t falls on in c's zone.
func (c *Calendar) dayOf(t time.Time) int64 {
	_, off := t.In(c.loc).Zone()
	return floorDiv(t.Unix()+int64(off), secondsPerDay)
}

// next moves the walk to the following day.
func (w *walker) next() {
	w.day++
	if w.fast = w.inside(); !w.fast {
		w.lookup(w.day*secondsPerDay - w.off)
		w.fast = w.inside()
	}
}

// lookup loads the zone period in force at Unix time x.
func (w *walker) lookup(x int64) {
	t := time.Unix(x, 0).In(w.c.loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	w.off, w.pStart, w.pEnd = int64(off), math.MinInt64, math.MaxInt64
	if !start.IsZero() {
		w.pStart = start.Unix()
	}
	if !end.IsZero() {
		w.pEnd = end.Unix()
	}
}

// inside reports whether the day lies well inside the current zone
// period, so that its wall times map to instants by subtracting the
// offset. The day before must lie inside too: had the clocks fallen back
// at the period's start, the previous period could have shown this day's
// first wall times already. The end is strict because a change exactly at
// midnight alters what 24:00 means.
func (w *walker) inside() bool {
	first := w.day*secondsPerDay - w.off
	return first-secondsPerDay >= w.pStart && first+secondsPerDay < w.pEnd
}

// spans returns the working spans of the current day: none on a holiday.
func (w *walker) spans() []span {
	h := w.c.holidays
	for w.hol < len(h) && h[w.hol] < w.day {
		w.hol++
	}
	if w.hol < len(h) && h[w.hol] == w.day {
		return nil
	}
	return w.c.hours.days[weekday(w.day)]
}

// at returns the instant the clocks of the current day reach minute.
func (w *walker) at(minute int16) time.Time {
	wall := w.day*secondsPerDay + int64(minute)*60
	if w.fast {
		return time.Unix(wall-w.off, 0)
	}
	return time.Unix(firstInstant(wall, w.c.loc), 0)
}

// firstInstant returns the first Unix time at which the clocks in loc show
// the civil seconds wall or later. For a time shown once that is just the
// time; for one skipped by a spring-forward it is the moment of the jump;
// for one shown twice by a fall-back it is the first showing. Being the
// smallest instant of a set that shrinks as wall grows, it never decreases,
// so spans stay ordered and touching spans stay seamless on change days.
func firstInstant(wall int64, loc *time.Location) int64 {
	u := time.Unix(wall, 0).UTC()
	t := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), 0, loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	switch shown := t.Unix() + int64(off); {
	case shown > wall: // skipped: t is after the jump, which began its period
		return start.Unix()
	case shown < wall: // skipped: t is before the jump, which ends its period
		return end.Unix()
	}
	if start.IsZero() {
		return t.Unix()
	}
	// If the clocks fell back when t's period began, the previous period
	// may have shown wall already.
	_, prev := start.Add(-time.Second).Zone()
	if earlier := wall - int64(prev); earlier < start.Unix() && earlier < t.Unix() {
		return earlier
	}
	return t.Unix()
}

// dayNumber counts civil days from 1970-01-01, the numbering walker uses.
func dayNumber(d Date) int64 {
	return floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

// weekday is the day of the week of a civil day number; day 0 was a
// Thursday.
func weekday(day int64) time.Weekday {
	return time.Weekday(floorMod(day+int64(time.Thursday), 7))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
