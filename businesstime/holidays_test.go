package businesstime

import (
	"slices"
	"testing"
	"time"
)

func TestParseHolidays(t *testing.T) {
	tests := []struct {
		in   string
		want []Date
	}{
		{"", nil},
		{"   ", nil},
		{",", nil},
		{"2026-12-25", []Date{{2026, time.December, 25}}},
		{"2026-12-25,2026-12-26", []Date{{2026, time.December, 25}, {2026, time.December, 26}}},
		{" 2026-12-26 , 2026-12-25 ,", []Date{{2026, time.December, 26}, {2026, time.December, 25}}},
		{"2028-02-29, 2028-02-29", []Date{{2028, time.February, 29}, {2028, time.February, 29}}},
		{"2000-02-29", []Date{{2000, time.February, 29}}},
	}
	for _, tt := range tests {
		got, err := ParseHolidays(tt.in)
		if err != nil {
			t.Errorf("ParseHolidays(%q): %v", tt.in, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ParseHolidays(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseHolidaysInvalid(t *testing.T) {
	const form = `: want a date as YYYY-MM-DD, e.g. "2026-12-25"`
	tests := []struct {
		in, bad, why string
	}{
		{"2026-12-25, 26-12-25", "26-12-25", ""},
		{"25.12.2026", "25.12.2026", ""},
		{"2026-1-5", "2026-1-5", ""},
		{"2026/12/25", "2026/12/25", ""},
		{"2026-12-25T00:00", "2026-12-25T00:00", ""},
		{"christmas", "christmas", ""},
		{"2026-12-25 2026-12-26", "2026-12-25 2026-12-26", `; separate dates with ","`},
		{"2026-13-01", "2026-13-01", "; there is no month 13"},
		{"2026-00-10", "2026-00-10", "; there is no month 0"},
		{"2026-02-29", "2026-02-29", "; February 2026 has 28 days"},
		{"1900-02-29", "1900-02-29", "; February 1900 has 28 days"},
		{"2026-04-31", "2026-04-31", "; April 2026 has 30 days"},
		{"2026-04-00", "2026-04-00", "; April 2026 has 30 days"},
	}
	for _, tt := range tests {
		got, err := ParseHolidays(tt.in)
		want := "bad holiday " + quote(tt.bad) + form + tt.why
		if err == nil || err.Error() != want || got != nil {
			t.Errorf("ParseHolidays(%q) = %v\n error %v\n  want %s", tt.in, got, err, want)
		}
	}
}

func TestDateString(t *testing.T) {
	if got := (Date{2026, time.March, 8}).String(); got != "2026-03-08" {
		t.Errorf("String = %q", got)
	}
}
