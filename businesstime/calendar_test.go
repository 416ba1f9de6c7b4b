package businesstime

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone files
)

// addCase is one SLA clock: in zone, with hours and holidays, a clock
// started at start (RFC 3339) runs d and is due at want (RFC 3339, in the
// zone's offset at that instant).
type addCase struct {
	name     string
	zone     string
	hours    string
	holidays string
	start    string
	d        time.Duration
	want     string
}

const weekdays = "Mon-Fri 09:00-17:00"

var addCases = []addCase{
	// Plain weeks (2026-01-09 is a Friday).
	{"fri 16:00 + 4h is mon 12:00", "Europe/Berlin", weekdays, "", "2026-01-09T16:00:00+01:00", 4 * time.Hour, "2026-01-12T12:00:00+01:00"},
	{"ending at closing stays there", "Europe/Berlin", weekdays, "", "2026-01-09T13:00:00+01:00", 4 * time.Hour, "2026-01-09T17:00:00+01:00"},
	{"one more nanosecond goes to monday", "Europe/Berlin", weekdays, "", "2026-01-09T13:00:00+01:00", 4*time.Hour + 1, "2026-01-12T09:00:00.000000001+01:00"},
	{"saturday counts from monday 09:00", "Europe/Berlin", weekdays, "", "2026-01-10T10:00:00+01:00", time.Hour, "2026-01-12T10:00:00+01:00"},
	{"saturday + 0 is monday's opening", "Europe/Berlin", weekdays, "", "2026-01-10T10:00:00+01:00", 0, "2026-01-12T09:00:00+01:00"},
	{"before opening", "Europe/Berlin", weekdays, "", "2026-01-12T07:00:00+01:00", 90 * time.Minute, "2026-01-12T10:30:00+01:00"},
	{"at opening + 0", "Europe/Berlin", weekdays, "", "2026-01-12T09:00:00+01:00", 0, "2026-01-12T09:00:00+01:00"},
	{"at closing + 0 is the next opening", "Europe/Berlin", weekdays, "", "2026-01-12T17:00:00+01:00", 0, "2026-01-13T09:00:00+01:00"},
	{"inside hours + 0 is itself", "Europe/Berlin", weekdays, "", "2026-01-12T11:22:33.5+01:00", 0, "2026-01-12T11:22:33.5+01:00"},
	{"24 business hours is three days", "Europe/Berlin", weekdays, "", "2026-01-12T10:00:00+01:00", 24 * time.Hour, "2026-01-15T10:00:00+01:00"},
	{"two weeks", "Europe/Berlin", weekdays, "", "2026-01-12T09:00:00+01:00", 80 * time.Hour, "2026-01-23T17:00:00+01:00"},
	{"start given in another zone", "Europe/Berlin", weekdays, "", "2026-01-09T10:00:00-05:00", 4 * time.Hour, "2026-01-12T12:00:00+01:00"},
	{"split day", "UTC", "Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00", "", "2026-01-08T11:00:00Z", 2 * time.Hour, "2026-01-08T14:00:00Z"},
	{"split day into friday's short day", "UTC", "Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00", "", "2026-01-08T17:00:00Z", 7 * time.Hour, "2026-01-12T09:30:00Z"},
	{"wrapping range works sunday", "UTC", "Sun-Thu 08:00-16:00", "", "2026-01-09T10:00:00Z", time.Hour, "2026-01-11T09:00:00Z"},
	{"overnight shift as two spans", "UTC", "Mon 22:00-24:00; Tue 00:00-06:00", "", "2026-01-12T23:00:00Z", 2 * time.Hour, "2026-01-13T01:00:00Z"},

	// Holidays.
	{"friday holiday", "Europe/Berlin", weekdays, "2026-12-25", "2026-12-24T16:00:00+01:00", 4 * time.Hour, "2026-12-28T12:00:00+01:00"},
	{"easter friday and monday", "Europe/Berlin", weekdays, "2026-04-03,2026-04-06", "2026-04-02T16:00:00+02:00", 4 * time.Hour, "2026-04-07T12:00:00+02:00"},
	{"starting on a holiday", "Europe/Berlin", weekdays, "2026-12-25", "2026-12-25T10:00:00+01:00", 0, "2026-12-28T09:00:00+01:00"},
	{"holidays are read in the calendar's zone", "America/New_York", weekdays, "2026-12-25", "2026-12-25T03:00:00+01:00", time.Hour, "2026-12-28T10:00:00-05:00"},

	// Europe/Berlin: clocks go 02:00 -> 03:00 on 2026-03-29 and 03:00 -> 02:00 on 2026-10-25.
	{"berlin spring weekend", "Europe/Berlin", weekdays, "", "2026-03-27T16:00:00+01:00", 4 * time.Hour, "2026-03-30T12:00:00+02:00"},
	{"berlin autumn weekend", "Europe/Berlin", weekdays, "", "2026-10-23T16:00:00+02:00", 4 * time.Hour, "2026-10-26T12:00:00+01:00"},
	{"berlin spring 00-04 is 3h: +2h", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-03-29T00:00:00+01:00", 2 * time.Hour, "2026-03-29T03:00:00+02:00"},
	{"berlin spring 00-04 is 3h: +3h closes", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-03-29T00:00:00+01:00", 3 * time.Hour, "2026-03-29T04:00:00+02:00"},
	{"berlin spring 00-04 is 3h: +3h30", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-03-29T00:00:00+01:00", 3*time.Hour + 30*time.Minute, "2026-03-30T00:30:00+02:00"},
	{"berlin spring across the jump", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-03-29T01:30:00+01:00", time.Hour, "2026-03-29T03:30:00+02:00"},
	{"berlin autumn 00-04 is 5h: +3h", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-10-25T00:00:00+02:00", 3 * time.Hour, "2026-10-25T02:00:00+01:00"},
	{"berlin autumn 00-04 is 5h: +5h closes", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-10-25T00:00:00+02:00", 5 * time.Hour, "2026-10-25T04:00:00+01:00"},
	{"berlin autumn from the second 02:30", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-10-25T02:30:00+01:00", time.Hour, "2026-10-25T03:30:00+01:00"},
	{"berlin spring 01-03 is 1h", "Europe/Berlin", "Sun 01:00-03:00", "", "2026-03-28T12:00:00+01:00", time.Hour, "2026-03-29T03:00:00+02:00"},
	{"berlin spring 01-03 is 1h: next sunday", "Europe/Berlin", "Sun 01:00-03:00", "", "2026-03-28T12:00:00+01:00", 90 * time.Minute, "2026-04-05T01:30:00+02:00"},
	{"berlin autumn 01-03 is 3h", "Europe/Berlin", "Sun 01:00-03:00", "", "2026-10-24T12:00:00+02:00", 3 * time.Hour, "2026-10-25T03:00:00+01:00"},
	{"berlin skipped 02:30 opens at the jump", "Europe/Berlin", "Sun 02:30-05:00", "", "2026-03-28T12:00:00+01:00", 0, "2026-03-29T03:00:00+02:00"},
	{"berlin doubled 02:30 opens at the first", "Europe/Berlin", "Sun 02:30-05:00", "", "2026-10-24T12:00:00+02:00", 0, "2026-10-25T02:30:00+02:00"},
	{"berlin span inside the gap is empty", "Europe/Berlin", "Sun 02:00-02:59", "", "2026-03-28T12:00:00+01:00", 0, "2026-04-05T02:00:00+02:00"},
	{"berlin touching spans stay seamless", "Europe/Berlin", "Sun 00:00-02:30,02:30-05:00", "", "2026-03-29T00:00:00+01:00", 4 * time.Hour, "2026-03-29T05:00:00+02:00"},

	// America/New_York: 02:00 -> 03:00 on 2026-03-08, 02:00 -> 01:00 on 2026-11-01.
	{"new york spring weekend", "America/New_York", weekdays, "", "2026-03-06T16:00:00-05:00", 4 * time.Hour, "2026-03-09T12:00:00-04:00"},
	{"new york autumn weekend", "America/New_York", weekdays, "", "2026-10-30T16:00:00-04:00", 4 * time.Hour, "2026-11-02T12:00:00-05:00"},
	{"new york spring 00-04 is 3h: +2h", "America/New_York", "Sun 00:00-04:00", "", "2026-03-08T00:00:00-05:00", 2 * time.Hour, "2026-03-08T03:00:00-04:00"},
	{"new york spring 00-04 is 3h: +3h closes", "America/New_York", "Sun 00:00-04:00", "", "2026-03-08T00:00:00-05:00", 3 * time.Hour, "2026-03-08T04:00:00-04:00"},
	{"new york autumn 00-04 is 5h: +2h", "America/New_York", "Sun 00:00-04:00", "", "2026-11-01T00:00:00-04:00", 2 * time.Hour, "2026-11-01T01:00:00-05:00"},
	{"new york autumn 00-04 is 5h: +5h closes", "America/New_York", "Sun 00:00-04:00", "", "2026-11-01T00:00:00-04:00", 5 * time.Hour, "2026-11-01T04:00:00-05:00"},
	{"new york skipped 02:30 opens at the jump", "America/New_York", "Sun 02:30-05:00", "", "2026-03-07T12:00:00-05:00", 0, "2026-03-08T03:00:00-04:00"},
	{"new york doubled 01:30 opens at the first", "America/New_York", "Sun 01:30-05:00", "", "2026-10-31T12:00:00-04:00", 0, "2026-11-01T01:30:00-04:00"},
	{"new york autumn 01-03 is 3h", "America/New_York", "Sun 01:00-03:00", "", "2026-10-31T12:00:00-04:00", 3 * time.Hour, "2026-11-01T03:00:00-05:00"},

	// Always is wall-clock time, including across a change.
	{"always", "Europe/Berlin", "always", "2026-03-29", "2026-03-28T23:00:00+01:00", 4 * time.Hour, "2026-03-29T04:00:00+02:00"},
	{"always + 0", "America/New_York", "always", "", "2026-11-01T01:30:00-04:00", 0, "2026-11-01T01:30:00-04:00"},
	{"always in new york autumn", "America/New_York", "always", "", "2026-11-01T00:30:00-04:00", 2 * time.Hour, "2026-11-01T01:30:00-05:00"},
}

func TestAdd(t *testing.T) {
	for _, tt := range addCases {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCalendar(t, tt.hours, tt.holidays, tt.zone)
			start, want := mustTime(t, tt.start), mustTime(t, tt.want)
			got := c.Add(start, tt.d)
			if !got.Equal(want) {
				t.Errorf("Add(%s, %v) = %s, want %s", tt.start, tt.d, got.Format(time.RFC3339Nano), tt.want)
			}
			if got.Location() != c.Location() {
				t.Errorf("Add returned a time in %v, want %v", got.Location(), c.Location())
			}
			if got.Format(time.RFC3339Nano) != want.Format(time.RFC3339Nano) {
				t.Errorf("Add shows %s, want %s", got.Format(time.RFC3339Nano), tt.want)
			}
			if tt.d == 0 && !c.NextOpen(start).Equal(want) {
				t.Errorf("NextOpen(%s) = %s, want %s", tt.start, c.NextOpen(start), tt.want)
			}
		})
	}
}

// TestBetweenInvertsAdd replays every Add case: the business time between
// a clock's start and its due time is the duration it ran.
func TestBetweenInvertsAdd(t *testing.T) {
	for _, tt := range addCases {
		c := mustCalendar(t, tt.hours, tt.holidays, tt.zone)
		if got := c.Between(mustTime(t, tt.start), mustTime(t, tt.want)); got != tt.d {
			t.Errorf("%s: Between(%s, %s) = %v, want %v", tt.name, tt.start, tt.want, got, tt.d)
		}
	}
}

func TestBetween(t *testing.T) {
	tests := []struct {
		name     string
		zone     string
		hours    string
		holidays string
		a, b     string
		want     time.Duration
	}{
		{"fri 16:00 to mon 12:00", "Europe/Berlin", weekdays, "", "2026-01-09T16:00:00+01:00", "2026-01-12T12:00:00+01:00", 4 * time.Hour},
		{"b before a", "Europe/Berlin", weekdays, "", "2026-01-12T12:00:00+01:00", "2026-01-09T16:00:00+01:00", 0},
		{"b equals a", "Europe/Berlin", weekdays, "", "2026-01-12T12:00:00+01:00", "2026-01-12T12:00:00+01:00", 0},
		{"weekend", "Europe/Berlin", weekdays, "", "2026-01-10T00:00:00+01:00", "2026-01-12T00:00:00+01:00", 0},
		{"evening", "Europe/Berlin", weekdays, "", "2026-01-12T17:00:00+01:00", "2026-01-13T09:00:00+01:00", 0},
		{"a week", "Europe/Berlin", weekdays, "", "2026-01-12T00:00:00+01:00", "2026-01-19T00:00:00+01:00", 40 * time.Hour},
		{"a week with a holiday", "Europe/Berlin", weekdays, "2026-12-25", "2026-12-21T00:00:00+01:00", "2026-12-28T00:00:00+01:00", 32 * time.Hour},
		{"within one span", "UTC", weekdays, "", "2026-01-12T10:00:00.25Z", "2026-01-12T10:00:01Z", 750 * time.Millisecond},
		{"split day", "UTC", "Mon-Thu 09:00-12:00,13:00-17:30", "", "2026-01-12T11:00:00Z", "2026-01-12T14:00:00Z", 2 * time.Hour},
		{"berlin spring week of 00-04", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 27 * time.Hour},
		{"berlin autumn week of 00-04", "Europe/Berlin", "Mon-Sun 00:00-04:00", "", "2026-10-19T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 29 * time.Hour},
		{"berlin spring weekday week", "Europe/Berlin", weekdays, "", "2026-03-23T00:00:00+01:00", "2026-04-06T00:00:00+02:00", 80 * time.Hour},
		{"berlin autumn 01-03", "Europe/Berlin", "Sun 01:00-03:00", "", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 3 * time.Hour},
		{"berlin skipped 02:30 to 05:00", "Europe/Berlin", "Sun 02:30-05:00", "", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 2 * time.Hour},
		{"berlin doubled 02:30 to 05:00", "Europe/Berlin", "Sun 02:30-05:00", "", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 3*time.Hour + 30*time.Minute},
		{"new york spring 00-04", "America/New_York", "Sun 00:00-04:00", "", "2026-03-07T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 3 * time.Hour},
		{"new york autumn 00-04", "America/New_York", "Sun 00:00-04:00", "", "2026-10-31T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 5 * time.Hour},
		{"new york autumn inside the doubled hour", "America/New_York", "Sun 00:00-04:00", "", "2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00", time.Hour},
		{"always across a change", "Europe/Berlin", "always", "", "2026-03-28T12:00:00+01:00", "2026-03-29T12:00:00+02:00", 23 * time.Hour},
		{"always ignores holidays", "UTC", "always", "2026-01-12", "2026-01-12T00:00:00Z", "2026-01-13T00:00:00Z", 24 * time.Hour},
		{"all day every day across a change", "Europe/Berlin", "Mon-Sun 00:00-24:00", "", "2026-10-24T12:00:00+02:00", "2026-10-25T12:00:00+01:00", 25 * time.Hour},
	}
	for _, tt := range tests {
		c := mustCalendar(t, tt.hours, tt.holidays, tt.zone)
		if got := c.Between(mustTime(t, tt.a), mustTime(t, tt.b)); got != tt.want {
			t.Errorf("%s: Between(%s, %s) = %v, want %v", tt.name, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAddNegativePanics(t *testing.T) {
	c := mustCalendar(t, weekdays, "", "UTC")
	defer func() {
		if recover() == nil {
			t.Error("Add with a negative duration did not panic")
		}
	}()
	c.Add(time.Now(), -time.Second)
}

// TestHorizon: a schedule whose only working day is a holiday for years
// must still answer, and answer "t + Horizon".
func TestHorizon(t *testing.T) {
	var fridays []Date
	for d := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC); d.Year() < 2040; d = d.AddDate(0, 0, 7) {
		fridays = append(fridays, Date{d.Year(), d.Month(), d.Day()})
	}
	c := New(mustHours(t, "Fri 09:00-17:00"), fridays, time.UTC)
	start := mustTime(t, "2026-01-01T00:00:00Z")
	for _, got := range []time.Time{c.Add(start, time.Hour), c.NextOpen(start)} {
		if want := start.Add(Horizon); !got.Equal(want) {
			t.Errorf("got %s, want t + Horizon = %s", got, want)
		}
	}
	// A duration longer than ten years' work is capped the same way.
	w := mustCalendar(t, weekdays, "", "UTC")
	if got, want := w.Add(start, 100_000*time.Hour), start.Add(Horizon); !got.Equal(want) {
		t.Errorf("Add of 100000h = %s, want %s", got, want)
	}
	// Just inside the horizon is still an ordinary answer.
	if got := w.Add(start, 10_000*time.Hour); !got.Before(start.Add(Horizon)) || w.Between(start, got) != 10_000*time.Hour {
		t.Errorf("Add of 10000h = %s", got)
	}
}

func TestNewDefaults(t *testing.T) {
	c := New(mustHours(t, weekdays), []Date{{2026, time.January, 12}, {2026, time.January, 12}}, nil)
	if c.Location() != time.UTC {
		t.Errorf("Location = %v, want UTC", c.Location())
	}
	if !c.Hours().Equal(mustHours(t, weekdays)) {
		t.Errorf("Hours = %v", c.Hours())
	}
	if got, want := c.NextOpen(mustTime(t, "2026-01-12T10:00:00Z")), mustTime(t, "2026-01-13T09:00:00Z"); !got.Equal(want) {
		t.Errorf("NextOpen on a holiday = %s, want %s", got, want)
	}
}

func mustCalendar(t testing.TB, hours, holidays, zone string) *Calendar {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	days, err := ParseHolidays(holidays)
	if err != nil {
		t.Fatal(err)
	}
	return New(mustHours(t, hours), days, loc)
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
