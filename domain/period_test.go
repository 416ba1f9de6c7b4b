package domain

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

func TestParsePeriod(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 26, 22, 30, 0, 0, time.UTC) // 23:30 in Berlin
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, berlin) }
	for _, tc := range []struct {
		in         string
		start, end time.Time
	}{
		{"", day(2026, 10, 28), day(2026, 11, 27)},
		{"7d", day(2026, 11, 20), day(2026, 11, 27)},
		{"30D", day(2026, 10, 28), day(2026, 11, 27)},
		{"90d", day(2026, 8, 29), day(2026, 11, 27)},
		{"quarter", day(2026, 10, 1), day(2027, 1, 1)},
		{"ytd", day(2026, 1, 1), day(2026, 11, 27)},
		{"2026-01-01..2026-03-31", day(2026, 1, 1), day(2026, 4, 1)},
		{" 2026-03-29..2026-03-29 ", day(2026, 3, 29), day(2026, 3, 30)}, // a 23-hour DST day
	} {
		p, err := ParsePeriod(tc.in, now, berlin)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if !p.Start.Equal(tc.start) || !p.End.Equal(tc.end) {
			t.Errorf("%q = [%v, %v), want [%v, %v)", tc.in, p.Start, p.End, tc.start, tc.end)
		}
	}
}

func TestParsePeriodRejects(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, in := range []string{"last week", "14d", "2026-03-01..2026-02-01", "2026-13-01..2026-12-31", "2020-01-01..2026-01-01", "2026-01-01"} {
		_, err := ParsePeriod(in, now, time.UTC)
		if ErrorCode(err) != EINVALID {
			t.Errorf("%q accepted or wrong error: %v", in, err)
			continue
		}
		if msg := ErrorMessage(err); !strings.Contains(msg, "YYYY-MM-DD") && !strings.Contains(msg, "three years") && !strings.Contains(msg, "ends before") {
			t.Errorf("%q: message does not explain the forms: %s", in, msg)
		}
	}
}

func TestPreviousPeriod(t *testing.T) {
	p, _ := ParsePeriod("7d", time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), time.UTC)
	prev := p.Previous()
	if !prev.End.Equal(p.Start) || !prev.Start.Equal(p.Start.AddDate(0, 0, -7)) {
		t.Errorf("previous of %v = %v", p, prev)
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"7d", "quarter", "2026-01-01..2026-03-31", "..", "9999-12-31..0000-01-01"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s, now, time.UTC)
		if err != nil {
			if ErrorCode(err) != EINVALID || ErrorMessage(err) == "" {
				t.Fatalf("%q: unclear error %v", s, err)
			}
			return
		}
		if !p.Start.Before(p.End) {
			t.Fatalf("%q: empty period %v", s, p)
		}
	})
}
