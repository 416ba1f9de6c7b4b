package businesstime

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// propertyZones are zones with awkward histories, and the years to draw
// times from: ordinary DST (Berlin, New York), a 30-minute change (Lord
// Howe), changes at midnight (Santiago; São Paulo until 2019, which skipped
// 00:00-01:00), an odd offset (Kathmandu), a skipped calendar day (Apia
// jumped from 2011-12-29 to 2011-12-31, as did Kwajalein in 1993), a day
// shown twice (Sitka, when Alaska changed hands in 1867, on an offset with
// seconds in it) and no changes at all (UTC).
var propertyZones = []struct {
	zone     string
	from, to int // years
}{
	{"Europe/Berlin", 2025, 2028},
	{"America/New_York", 2025, 2028},
	{"Australia/Lord_Howe", 2025, 2028},
	{"America/Santiago", 2024, 2028},
	{"America/Sao_Paulo", 2016, 2020},
	{"Asia/Kathmandu", 1985, 1988},
	{"Pacific/Apia", 2011, 2012},
	{"UTC", 2025, 2028},
	{"America/Sitka", 1867, 1868},     // went back a whole day in 1867
	{"Pacific/Kwajalein", 1993, 1994}, // skipped 1993-08-21
}

var propertyHours = []string{
	weekdays,
	"Mon-Sun 00:00-04:00",
	"Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00",
	"Sat 00:00-01:00,23:00-24:00; Sun 00:00-00:30,01:00-03:00,23:30-24:00",
	"Mon-Sun 00:00-24:00",
	"Fri 09:00-13:00",
	"always",
}

// gen draws the random inputs for one calendar from a fixed seed, so a
// failure reproduces.
type gen struct {
	r        *rand.Rand
	from, to int64 // Unix seconds
}

// time draws an instant, half the time on a quarter hour so that starts
// and ends land exactly on openings, closings and zone changes.
func (g gen) time() time.Time {
	s := g.from + g.r.Int64N(g.to-g.from)
	if g.r.IntN(2) == 0 {
		return time.Unix(s-s%900, 0)
	}
	return time.Unix(s, g.r.Int64N(1e9))
}

// duration draws a business duration up to 100h, often a whole number of
// quarter hours, sometimes zero.
func (g gen) duration() time.Duration {
	switch g.r.IntN(4) {
	case 0:
		return 0
	case 1:
		return time.Duration(g.r.IntN(400)) * 15 * time.Minute
	}
	return time.Duration(g.r.Int64N(int64(100 * time.Hour)))
}

func (g gen) holidays() []Date {
	var days []Date
	for range 40 {
		t := g.time().UTC()
		days = append(days, Date{t.Year(), t.Month(), t.Day()})
	}
	return days
}

// forEachCalendar runs check on many draws for every zone and schedule.
func forEachCalendar(t *testing.T, draws int, check func(t *testing.T, c *Calendar, g gen)) {
	for zi, z := range propertyZones {
		loc, err := time.LoadLocation(z.zone)
		if err != nil {
			t.Fatal(err)
		}
		for hi, hs := range propertyHours {
			g := gen{
				r:    rand.New(rand.NewPCG(uint64(zi), uint64(hi))),
				from: time.Date(z.from, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
				to:   time.Date(z.to, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
			}
			c := New(mustHours(t, hs), g.holidays(), loc)
			t.Run(z.zone+"/"+hs, func(t *testing.T) {
				for range draws {
					check(t, c, g)
					if t.Failed() {
						return
					}
				}
			})
		}
	}
}

func TestPropertyBetweenInvertsAdd(t *testing.T) {
	forEachCalendar(t, 300, func(t *testing.T, c *Calendar, g gen) {
		start, d := g.time(), g.duration()
		due := c.Add(start, d)
		if got := c.Between(start, due); got != d {
			t.Errorf("Between(%s, Add(…, %v) = %s) = %v", start, d, due, got)
		}
		if due.Location() != c.Location() {
			t.Errorf("Add returned a time in %v", due.Location())
		}
	})
}

func TestPropertyAddMonotonic(t *testing.T) {
	forEachCalendar(t, 300, func(t *testing.T, c *Calendar, g gen) {
		start, d1, d2 := g.time(), g.duration(), g.duration()
		if d2 < d1 {
			d1, d2 = d2, d1
		}
		if a, b := c.Add(start, d1), c.Add(start, d2); a.After(b) {
			t.Errorf("Add(%s, %v) = %s is after Add(…, %v) = %s", start, d1, a, d2, b)
		}
		t1, d := g.time(), g.duration()
		t2 := t1.Add(time.Duration(g.r.Int64N(int64(10 * 24 * time.Hour))))
		if a, b := c.Add(t1, d), c.Add(t2, d); a.After(b) {
			t.Errorf("Add(%s, %v) = %s is after Add(%s, …) = %s", t1, d, a, t2, b)
		}
	})
}

func TestPropertyBetweenAdditive(t *testing.T) {
	forEachCalendar(t, 300, func(t *testing.T, c *Calendar, g gen) {
		a := g.time()
		b := a.Add(time.Duration(g.r.Int64N(int64(20 * 24 * time.Hour))))
		cc := b.Add(time.Duration(g.r.Int64N(int64(20 * 24 * time.Hour))))
		if ab, bc, ac := c.Between(a, b), c.Between(b, cc), c.Between(a, cc); ab+bc != ac {
			t.Errorf("Between: [%s,%s) %v + [%s,%s) %v != %v", a, b, ab, b, cc, bc, ac)
		}
		if c.Between(cc, a) != 0 && cc.After(a) {
			t.Errorf("Between(%s, %s) with b before a is not 0", cc, a)
		}
	})
}

// TestPropertyBetweenOracle compares Between with a slow version that takes
// the careful path for every boundary, which checks the fast path through
// ordinary days and the walk over holidays and zone changes.
func TestPropertyBetweenOracle(t *testing.T) {
	forEachCalendar(t, 100, func(t *testing.T, c *Calendar, g gen) {
		a := g.time()
		b := a.Add(time.Duration(g.r.Int64N(int64(30 * 24 * time.Hour))))
		if got, want := c.Between(a, b), betweenOracle(c, a, b); got != want {
			t.Errorf("Between(%s, %s) = %v, oracle says %v", a, b, got, want)
		}
	})
}

func TestPropertyNextOpen(t *testing.T) {
	forEachCalendar(t, 300, func(t *testing.T, c *Calendar, g gen) {
		start := g.time()
		open := c.NextOpen(start)
		if open.Before(start) || !c.NextOpen(open).Equal(open) || c.Between(start, open) != 0 {
			t.Errorf("NextOpen(%s) = %s, NextOpen of that %s, Between %v", start, open, c.NextOpen(open), c.Between(start, open))
		}
		// Just after an opening the clock is running.
		if later := open.Add(time.Nanosecond); c.Between(open, later) != time.Nanosecond {
			t.Errorf("NextOpen(%s) = %s, but the next nanosecond is not working time", start, open)
		}
	})
}

func TestPropertyAlwaysIsWallClock(t *testing.T) {
	forEachCalendar(t, 100, func(t *testing.T, c *Calendar, g gen) {
		if !c.Hours().Always() {
			return
		}
		a, b, d := g.time(), g.time(), g.duration()
		if got := c.Add(a, d); !got.Equal(a.Add(d)) {
			t.Errorf("always: Add(%s, %v) = %s, want %s", a, d, got, a.Add(d))
		}
		if got, want := c.Between(a, b), max(b.Sub(a), 0); got != want {
			t.Errorf("always: Between(%s, %s) = %v, want %v", a, b, got, want)
		}
	})
}

// TestPropertyAllDayIsWallClock: working every minute of every day is
// wall-clock time, whatever the zone does, since each day's span ends
// exactly where the next one begins.
func TestPropertyAllDayIsWallClock(t *testing.T) {
	for zi, z := range propertyZones {
		loc, err := time.LoadLocation(z.zone)
		if err != nil {
			t.Fatal(err)
		}
		c := New(mustHours(t, "Mon-Sun 00:00-24:00"), nil, loc)
		g := gen{
			r:    rand.New(rand.NewPCG(uint64(zi), 99)),
			from: time.Date(z.from, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
			to:   time.Date(z.to, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
		}
		for range 1000 {
			a, d := g.time(), g.duration()
			b := a.Add(time.Duration(g.r.Int64N(int64(30 * 24 * time.Hour))))
			if got := c.Add(a, d); !got.Equal(a.Add(d)) {
				t.Fatalf("%s: Add(%s, %v) = %s, want %s", z.zone, a, d, got, a.Add(d))
			}
			if got, want := c.Between(a, b), b.Sub(a); got != want {
				t.Fatalf("%s: Between(%s, %s) = %v, want %v", z.zone, a, b, got, want)
			}
		}
	}
}

// betweenOracle is Between done slowly: every day that might hold part of
// [a, b), every boundary through firstInstant.
func betweenOracle(c *Calendar, a, b time.Time) time.Duration {
	if c.always {
		return max(b.Sub(a), 0)
	}
	var sum time.Duration
	for day := c.dayOf(a) - 2; day <= c.dayOf(b)+2; day++ {
		if slices.Contains(c.holidays, day) {
			continue
		}
		for _, sp := range c.hours.days[weekday(day)] {
			from := time.Unix(firstInstant(day*secondsPerDay+int64(sp.start)*60, c.loc), 0)
			until := time.Unix(firstInstant(day*secondsPerDay+int64(sp.end)*60, c.loc), 0)
			if from.Before(a) {
				from = a
			}
			if until.After(b) {
				until = b
			}
			if until.After(from) {
				sum += until.Sub(from)
			}
		}
	}
	return sum
}

// TestFirstInstant checks the wall-to-instant rule against a brute-force
// search, minute by minute, for the first instant whose clock shows the
// wall time or later, around every zone change in the property zones.
func TestFirstInstant(t *testing.T) {
	for _, z := range propertyZones {
		loc, err := time.LoadLocation(z.zone)
		if err != nil {
			t.Fatal(err)
		}
		end := time.Date(z.to, 1, 1, 0, 0, 0, 0, time.UTC)
		for tr := time.Date(z.from, 1, 1, 0, 0, 0, 0, time.UTC); ; {
			_, next := tr.In(loc).ZoneBounds()
			if next.IsZero() || next.After(end) {
				break
			}
			tr = next
			_, off := tr.In(loc).Zone()
			for _, wall := range wallsAround(tr.Unix() + int64(off)) {
				if got, want := firstInstant(wall, loc), bruteFirstInstant(wall, loc); got != want {
					t.Errorf("%s: firstInstant(%s) = %s, want %s", z.zone, time.Unix(wall, 0).UTC().Format("2006-01-02 15:04"),
						time.Unix(got, 0).In(loc), time.Unix(want, 0).In(loc))
				}
			}
		}
	}
}

// wallsAround lists wall times every quarter hour within four hours of a
// change, and every two hours out to a day and more, which a change of a
// whole day (Sitka) needs.
func wallsAround(wall int64) []int64 {
	var walls []int64
	for d := int64(-26 * 3600); d <= 26*3600; d += 15 * 60 {
		if d%(2*3600) == 0 || -4*3600 <= d && d <= 4*3600 {
			walls = append(walls, wall-wall%900+d)
		}
	}
	return walls
}

func bruteFirstInstant(wall int64, loc *time.Location) int64 {
	shows := func(x int64) bool {
		_, off := time.Unix(x, 0).In(loc).Zone()
		return x+int64(off) >= wall
	}
	x := wall - 16*3600 // no zone is ahead of UTC by more than 15 hours
	for !shows(x) {
		x += 60
	}
	for x--; shows(x); x-- { // offsets and changes need not be whole minutes
	}
	return x + 1
}

// TestDayNumbers checks the day arithmetic against the time package.
func TestDayNumbers(t *testing.T) {
	for d := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC); d.Year() < 2101; d = d.AddDate(0, 0, 1) {
		n := dayNumber(Date{d.Year(), d.Month(), d.Day()})
		if n*secondsPerDay != d.Unix() || weekday(n) != d.Weekday() {
			t.Fatalf("%s: day %d, weekday %v", d, n, weekday(n))
		}
	}
}
