package businesstime

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzParseHours: no input panics, and whatever is accepted prints a
// canonical form that reads back to the same schedule and prints the same.
func FuzzParseHours(f *testing.F) {
	for _, s := range []string{
		"Mon-Fri 09:00-17:00", "always", " ALWAYS ", "", ";", "Mon-Fri 9-17",
		"Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00", "Sat-Mon 08:00-10:00",
		"Mon,Wed,Fri 09:00-17:00", "Mon-Wed,Fri 9:00-12:00 , 12:00-24:00",
		"Mon 22:00-06:00", "Mon 09:00-13:00,12:00-17:00", "Mon-Mon 09:00-10:00",
		"Mon-Fri 09:00-17:00; Wed 10:00-11:00", "monday-sunday 00:00-24:00",
		"Mon 24:00-24:00", "Mon--Fri 09:00-17:00", "Mon, 09:00-17:00", "- , ;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHours(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bad business hours ") {
				t.Errorf("ParseHours(%q) error %q lacks the prefix", s, err)
			}
			return
		}
		canon := h.String()
		back, err := ParseHours(canon)
		if err != nil {
			t.Fatalf("ParseHours(%q) = %q, which does not parse: %v", s, canon, err)
		}
		if !back.Equal(h) || back.String() != canon {
			t.Fatalf("ParseHours(%q) = %q, which reads back as %q", s, canon, back.String())
		}
		if !h.Always() {
			// Accepted hours always have working time: a clock gets somewhere.
			c := New(h, nil, time.UTC)
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			if due := c.Add(start, time.Hour); !due.Before(start.Add(Horizon)) || c.Between(start, due) != time.Hour {
				t.Fatalf("ParseHours(%q): an hour from %s is due %s", s, start, due)
			}
		}
	})
}

// FuzzParseHolidays: no input panics, and whatever is accepted prints back
// to the same dates.
func FuzzParseHolidays(f *testing.F) {
	for _, s := range []string{
		"", "2026-12-25", "2026-12-25, 2026-12-26", " 2026-12-26 ,2026-12-25,", ",,",
		"2026-02-29", "2028-02-29", "2026-13-01", "26-12-25", "2026-12-25 2026-12-26",
		"0000-01-01", "9999-12-31", "2026-1-5", "２０２６-12-25",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dates, err := ParseHolidays(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bad holiday ") || !strings.Contains(err.Error(), "YYYY-MM-DD") {
				t.Errorf("ParseHolidays(%q) error %q does not show the form", s, err)
			}
			return
		}
		var parts []string
		for _, d := range dates {
			if d.Day < 1 || d.Day > daysIn(d.Year, d.Month) {
				t.Fatalf("ParseHolidays(%q) accepted %v", s, d)
			}
			parts = append(parts, d.String())
		}
		back, err := ParseHolidays(strings.Join(parts, ","))
		if err != nil || !slices.Equal(back, dates) {
			t.Fatalf("ParseHolidays(%q) = %v, which reads back as %v, %v", s, dates, back, err)
		}
	})
}
