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

// FuzzParsePeriod: no input panics; a refusal is EINVALID with a short
// message that names the accepted forms or the problem and echoes the
// input only as text (no Slack markup); an accepted period is whole days
// in the zone, at most three years, labelled so that its label reads back
// to the same period.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{
		"7d", "quarter", "2026-01-01..2026-03-31", "..", "9999-12-31..0000-01-01", " YTD ", "30D",
		"2026-03-29..2026-03-29", "2026-02-30..2026-03-01", "2023-01-01..2026-01-01", "<!channel>",
		"2026-01-01 .. 2026-01-31", "2026-01-31..2026-01-01", "\xff..", "０7d",
	} {
		f.Add(s)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 22, 30, 0, 0, time.UTC) // already the 27th in Berlin
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range []*time.Location{time.UTC, berlin} {
			p, err := ParsePeriod(s, now, loc)
			if err != nil {
				msg := ErrorMessage(err)
				if ErrorCode(err) != EINVALID || msg == "" || len(msg) > 300 || strings.ContainsAny(msg, "<>") {
					t.Fatalf("ParsePeriod(%q): unclear or unsafe refusal %v", s, err)
				}
				continue
			}
			checkPeriod(t, s, p, loc)
			again, err := ParsePeriod(p.Label, now, loc)
			if err != nil || !again.Start.Equal(p.Start) || !again.End.Equal(p.End) {
				t.Fatalf("ParsePeriod(%q) = %v labelled %q, which reads back as %v, %v", s, p, p.Label, again, err)
			}
		}
	})
}

func checkPeriod(t *testing.T, s string, p Period, loc *time.Location) {
	t.Helper()
	for _, at := range []time.Time{p.Start, p.End} {
		if at.Location() != loc || !at.Equal(midnight(at)) {
			t.Fatalf("ParsePeriod(%q) = %v: not midnight in %s", s, p, loc)
		}
	}
	days := p.End.Sub(p.Start).Round(24*time.Hour) / (24 * time.Hour)
	if days < 1 || days > maxPeriodDays+1 || p.Label == "" {
		t.Fatalf("ParsePeriod(%q) = %v (%d days, label %q)", s, p, days, p.Label)
	}
}
