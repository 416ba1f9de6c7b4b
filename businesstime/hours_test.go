package businesstime

import (
	"slices"
	"testing"
	"time"
)

func TestParseHoursValid(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Mon-Fri 09:00-17:00", "Mon-Fri 09:00-17:00"},
		{"always", "always"},
		{"  ALWAYS ", "always"},
		{"mon-fri 09:00-17:00", "Mon-Fri 09:00-17:00"},
		{"Monday-Friday 09:00-17:00", "Mon-Fri 09:00-17:00"},
		{"  Mon - Fri   9:00 - 12:00 , 13:00-17:30 ;  Sat 10:00-12:00 ; ", "Mon-Fri 09:00-12:00,13:00-17:30; Sat 10:00-12:00"},
		{"Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00", "Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00"},
		{"Fri 09:00-15:00; Mon-Thu 13:00-17:30,09:00-12:00", "Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00"},
		{"Mon,Wed,Fri 09:00-17:00", "Mon,Wed,Fri 09:00-17:00"},
		{"Mon-Wed,Fri 09:00-17:00", "Mon-Wed,Fri 09:00-17:00"},
		{"Sat-Mon 08:00-10:00", "Mon,Sat-Sun 08:00-10:00"},
		{"Sun-Thu 08:00-16:00", "Mon-Thu,Sun 08:00-16:00"},
		{"Mon-Sun 00:00-24:00", "Mon-Sun 00:00-24:00"},
		{"Sun-Sat 00:00-24:00", "Mon-Sun 00:00-24:00"},
		{"Mon-Fri 09:00-12:00,12:00-17:00", "Mon-Fri 09:00-17:00"},
		{"Mon 09:00-17:00; Tue 09:00-17:00", "Mon-Tue 09:00-17:00"},
		{"Mon 22:00-24:00; Tue 00:00-06:00", "Mon 22:00-24:00; Tue 00:00-06:00"},
		{"Tue 00:00-00:01", "Tue 00:00-00:01"},
	}
	for _, tt := range tests {
		h, err := ParseHours(tt.in)
		if err != nil {
			t.Errorf("ParseHours(%q): %v", tt.in, err)
			continue
		}
		if got := h.String(); got != tt.want {
			t.Errorf("ParseHours(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if h.Always() != (tt.want == "always") {
			t.Errorf("ParseHours(%q).Always() = %v", tt.in, h.Always())
		}
		back := mustHours(t, h.String())
		if !back.Equal(h) {
			t.Errorf("ParseHours(%q) does not round-trip through %q", tt.in, h.String())
		}
	}
}

// TestParseHoursSpans checks the parsed structure, not just its String:
// sorted spans, touching ones merged, a wrapping range, full day names.
func TestParseHoursSpans(t *testing.T) {
	h := mustHours(t, "Monday 13:00-17:30,06:00-07:00,09:00-11:00,11:00-12:00; Tue-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00; Sat-Sun 06:00-07:00")
	week := []span{{9 * 60, 12 * 60}, {13 * 60, 17*60 + 30}}
	want := [7][]span{
		time.Monday:    {{6 * 60, 7 * 60}, {9 * 60, 12 * 60}, {13 * 60, 17*60 + 30}},
		time.Tuesday:   week,
		time.Wednesday: week,
		time.Thursday:  week,
		time.Friday:    {{9 * 60, 15 * 60}},
		time.Saturday:  {{6 * 60, 7 * 60}},
		time.Sunday:    {{6 * 60, 7 * 60}},
	}
	for d := range want {
		if !slices.Equal(h.days[d], want[d]) {
			t.Errorf("%s: spans %v, want %v", time.Weekday(d), h.days[d], want[d])
		}
	}
}

func TestParseHoursInvalid(t *testing.T) {
	const form = `: want "always" or e.g. "Mon-Fri 09:00-17:00"; `
	tests := []struct {
		in, why string
	}{
		{"Mon-Fri 9-17", `"9-17" is not HH:MM-HH:MM`},
		{"", `it is empty`},
		{"  ", `it is empty`},
		{";", `no days or hours are given`},
		{"never", `"never" is not a day: want Mon, Tue, Wed, Thu, Fri, Sat or Sun`},
		{"always; Sat 10:00-12:00", `"always" must stand alone`},
		{"Mon-Fri 09:00-17:00;always", `"always" must stand alone`},
		{"Mon-Fri", `"Mon-Fri" has no times: put them after the days`},
		{"09:00-17:00", `"09:00-17:00" has no days: put them before the times`},
		{"09:00-17:00 Mon-Fri", `"09:00-17:00 Mon-Fri" has the times before the days: put the days first`},
		{"Mon Fri 09:00-17:00", `"Mon Fri 09:00-17:00" is not days then times: join several days or times with ",", e.g. "Mon,Wed 09:00-12:00,13:00-17:00"`},
		{"Mon-Fri 09:00-12:00 13:00-17:00", `"Mon-Fri 09:00-12:00 13:00-17:00" is not days then times: join several days or times with ",", e.g. "Mon,Wed 09:00-12:00,13:00-17:00"`},
		{"Mo-Fr 09:00-17:00", `"Mo" is not a day: want Mon, Tue, Wed, Thu, Fri, Sat or Sun`},
		{"Mon-Fri-Sat 09:00-17:00", `"Fri-Sat" is not a day: want Mon, Tue, Wed, Thu, Fri, Sat or Sun`},
		{"Mon-Mon 09:00-17:00", `"Mon-Mon" is not a range: write "Mon" for one day or "Mon-Sun" for the whole week`},
		{"Mon,,Tue 09:00-17:00", `"Mon,,Tue" has an empty day between commas`},
		{"Mon-Fri,Wed 09:00-17:00", `Wed is listed twice in "Mon-Fri,Wed"`},
		{"Mon-Fri 09:00-17:00; Wed 10:00-11:00", `Wed is in two groups, "Mon-Fri 09:00-17:00" and "Wed 10:00-11:00": give each day its hours once`},
		{"Mon 09:00-12:00,,13:00-17:00", `"09:00-12:00,,13:00-17:00" has an empty span between commas`},
		{"Mon 0900-1700", `"0900-1700" is not HH:MM-HH:MM`},
		{"Mon 09:00", `"09:00" is not HH:MM-HH:MM`},
		{"Mon 09:00-17:00-18:00", `"09:00-17:00-18:00" is not HH:MM-HH:MM`},
		{"Mon 9am-5pm", `"9am-5pm" is not HH:MM-HH:MM`},
		{"Mon 09:00:00-17:00:00", `"09:00:00-17:00:00" is not HH:MM-HH:MM`},
		{"Mon 25:00-26:00", `"25:00" is not a time of day: want 00:00 to 24:00`},
		{"Mon 09:00-24:30", `"24:30" is not a time of day: want 00:00 to 24:00`},
		{"Mon 09:60-17:00", `"09:60" is not a time of day: want 00:00 to 24:00`},
		{"Mon 22:00-06:00", `span "22:00-06:00" ends before it starts: a span cannot run past midnight; split it at 24:00, e.g. "Fri 22:00-24:00; Sat 00:00-06:00"`},
		{"Mon 24:00-09:00", `span "24:00-09:00" ends before it starts: a span cannot run past midnight; split it at 24:00, e.g. "Fri 22:00-24:00; Sat 00:00-06:00"`},
		{"Mon 09:00-09:00", `span "09:00-09:00" is empty: it must end after it starts`},
		{"Mon 24:00-24:00", `span "24:00-24:00" is empty: it must end after it starts`},
		{"Mon 09:00-13:00,12:00-17:00", `spans "09:00-13:00" and "12:00-17:00" overlap`},
		{"Mon 12:00-17:00,09:00-12:30", `spans "09:00-12:30" and "12:00-17:00" overlap`},
		{"Mon 09:00-17:00,10:00-11:00", `spans "09:00-17:00" and "10:00-11:00" overlap`},
	}
	for _, tt := range tests {
		_, err := ParseHours(tt.in)
		want := "bad business hours " + quote(tt.in) + form + tt.why
		if err == nil || err.Error() != want {
			t.Errorf("ParseHours(%q)\n error %v\n  want %s", tt.in, err, want)
		}
	}
}

func TestZeroHoursIsAlways(t *testing.T) {
	var h Hours
	if !h.Always() || h.String() != "always" || !h.Equal(mustHours(t, "always")) {
		t.Errorf("zero Hours = %q, Always %v; want always", h.String(), h.Always())
	}
}

func mustHours(t testing.TB, s string) Hours {
	t.Helper()
	h, err := ParseHours(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func quote(s string) string { return `"` + s + `"` }
