package businesstime

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// span is one stretch of working time in a day, in minutes after local
// midnight, 0 <= start < end <= minutesPerDay. Minutes are enough: nobody
// configures office hours to the second, and it keeps the String form short.
type span struct{ start, end int16 }

// Hours is a weekly schedule of working hours, or "always". It holds wall-
// clock times only; a Calendar places them in a time zone. Each day's spans
// are kept sorted with touching spans merged, so two schedules that mean the
// same thing are Equal and print the same String.
//
// The zero Hours is "always": a schedule without a single working minute
// would make every SLA unreachable, so it is not representable.
type Hours struct {
	days [7][]span // indexed by time.Weekday
}

// Always reports whether h counts plain wall-clock time, with no closed
// hours, as BUSINESS_HOURS=always asks.
func (h Hours) Always() bool {
	for _, d := range h.days {
		if len(d) > 0 {
			return false
		}
	}
	return true
}

// Equal reports whether h and o describe the same schedule. Hours holds
// slices, so == cannot compare it; tests and config reloads can.
func (h Hours) Equal(o Hours) bool {
	for i := range h.days {
		if !slices.Equal(h.days[i], o.days[i]) {
			return false
		}
	}
	return true
}

// hoursForm is what every ParseHours error shows as the expected form.
const hoursForm = `want "always" or e.g. "Mon-Fri 09:00-17:00"`

// ParseHours reads BUSINESS_HOURS: "always", or groups separated by ";",
// each a set of days and the spans worked on them:
//
//	Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00
//
// Days are a name (Mon or Monday, any case), a range or a comma list of
// both ("Mon-Wed,Fri"). A range runs forward through the week and may wrap,
// so "Sun-Thu" and "Sat-Mon" mean what they say whichever day a reader
// thinks starts the week; "Mon-Mon" is refused as ambiguous. Spans are
// HH:MM-HH:MM (H:MM is accepted) joined by ","; 24:00 may end one. A span
// may not run past midnight (split it at 24:00 instead), spans of one day
// may not overlap (touching is fine) and a day may appear only once.
// Spaces around "-", "," and ";" are ignored.
//
// Errors quote the input, show the expected form and name what was wrong,
// for whoever set the variable.
func ParseHours(s string) (Hours, error) {
	h, err := parseHours(s)
	if err != nil {
		return Hours{}, fmt.Errorf("bad business hours %q: %s; %w", s, hoursForm, err)
	}
	return h, nil
}

// parseHours does ParseHours's work; its errors say only what was wrong.
func parseHours(s string) (Hours, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Hours{}, errors.New("it is empty")
	}
	if strings.EqualFold(s, "always") {
		return Hours{}, nil
	}
	var h Hours
	var owner [7]string // the group that gave each day its hours
	for _, g := range strings.Split(s, ";") {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		days, spans, err := parseGroup(g)
		if err != nil {
			return Hours{}, err
		}
		for d, in := range days {
			if !in {
				continue
			}
			if owner[d] != "" {
				return Hours{}, fmt.Errorf("%s is in two groups, %q and %q: give each day its hours once", dayName(time.Weekday(d)), owner[d], g)
			}
			owner[d], h.days[d] = g, spans
		}
	}
	if h.Always() {
		return Hours{}, errors.New("no days or hours are given")
	}
	return h, nil
}

// parseGroup reads one "DAYS SPANS" group.
func parseGroup(g string) ([7]bool, []span, error) {
	fields := strings.Fields(tighten(g))
	switch {
	case strings.EqualFold(g, "always"):
		return [7]bool{}, nil, errors.New(`"always" must stand alone`)
	case len(fields) == 1 && startsWithDigit(fields[0]):
		return [7]bool{}, nil, fmt.Errorf("%q has no days: put them before the times", g)
	case len(fields) == 1:
		if _, err := parseDays(fields[0]); err != nil {
			return [7]bool{}, nil, err
		}
		return [7]bool{}, nil, fmt.Errorf("%q has no times: put them after the days", g)
	case len(fields) == 2 && startsWithDigit(fields[0]):
		return [7]bool{}, nil, fmt.Errorf("%q has the times before the days: put the days first", g)
	case len(fields) > 2:
		return [7]bool{}, nil, fmt.Errorf("%q is not days then times: join several days or times with \",\", e.g. \"Mon,Wed 09:00-12:00,13:00-17:00\"", g)
	}
	days, err := parseDays(fields[0])
	if err != nil {
		return [7]bool{}, nil, err
	}
	spans, err := parseSpans(fields[1])
	if err != nil {
		return [7]bool{}, nil, err
	}
	return days, spans, nil
}

// tighten removes the spaces around "-" and ",", so that the only spaces
// left separate the days from the times.
func tighten(s string) string {
	var b strings.Builder
	fields := strings.Fields(s)
	for i, f := range fields {
		if i > 0 && !strings.HasSuffix(fields[i-1], "-") && !strings.HasSuffix(fields[i-1], ",") &&
			!strings.HasPrefix(f, "-") && !strings.HasPrefix(f, ",") {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// parseDays reads "Mon", "Mon-Fri", "Sat-Mon" or "Mon,Wed-Fri".
func parseDays(s string) ([7]bool, error) {
	var days [7]bool
	for _, item := range strings.Split(s, ",") {
		if item == "" {
			return days, fmt.Errorf("%q has an empty day between commas", s)
		}
		first, last, isRange := strings.Cut(item, "-")
		a, err := parseDay(first)
		if err != nil {
			return days, err
		}
		b := a
		if isRange {
			if b, err = parseDay(last); err != nil {
				return days, err
			}
			if a == b {
				return days, fmt.Errorf("%q is not a range: write %q for one day or \"Mon-Sun\" for the whole week", item, dayName(a))
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			if days[d] {
				return days, fmt.Errorf("%s is listed twice in %q", dayName(d), s)
			}
			days[d] = true
			if d == b {
				break
			}
		}
	}
	return days, nil
}

// parseDay reads a day's three-letter or full English name, in any case.
func parseDay(s string) (time.Weekday, error) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(s, dayName(d)) || strings.EqualFold(s, d.String()) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%q is not a day: want Mon, Tue, Wed, Thu, Fri, Sat or Sun", s)
}

// dayName is the three-letter name String writes.
func dayName(d time.Weekday) string { return d.String()[:3] }

// parseSpans reads "09:00-12:00,13:00-17:30" into sorted spans, merging
// the ones that touch so equal schedules have equal values.
func parseSpans(s string) ([]span, error) {
	var spans []span
	for _, item := range strings.Split(s, ",") {
		if item == "" {
			return nil, fmt.Errorf("%q has an empty span between commas", s)
		}
		sp, err := parseSpan(item)
		if err != nil {
			return nil, err
		}
		spans = append(spans, sp)
	}
	slices.SortFunc(spans, func(a, b span) int { return int(a.start) - int(b.start) })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		switch {
		case sp.start < last.end:
			return nil, fmt.Errorf("spans %q and %q overlap", formatSpan(*last), formatSpan(sp))
		case sp.start == last.end:
			last.end = sp.end
		default:
			merged = append(merged, sp)
		}
	}
	return slices.Clip(merged), nil
}

// parseSpan reads one "HH:MM-HH:MM".
func parseSpan(s string) (span, error) {
	from, to, ok := strings.Cut(s, "-")
	start, err1 := parseClock(from)
	end, err2 := parseClock(to)
	switch {
	case !ok || errors.Is(err1, errNotClock) || errors.Is(err2, errNotClock):
		return span{}, fmt.Errorf("%q is not HH:MM-HH:MM", s)
	case err1 != nil:
		return span{}, err1
	case err2 != nil:
		return span{}, err2
	case start == end:
		return span{}, fmt.Errorf("span %q is empty: it must end after it starts", s)
	case start > end:
		return span{}, fmt.Errorf("span %q ends before it starts: a span cannot run past midnight; split it at 24:00, e.g. \"Fri 22:00-24:00; Sat 00:00-06:00\"", s)
	}
	return span{start, end}, nil
}

// errNotClock marks text that is not shaped like HH:MM at all, as opposed
// to a well-shaped time out of range.
var errNotClock = errors.New("not HH:MM")

// parseClock reads "HH:MM" or "H:MM", 00:00 to 24:00, as minutes.
func parseClock(s string) (int16, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !allDigits(h) || !allDigits(m) {
		return 0, errNotClock
	}
	hh, mm := atoi(h), atoi(m)
	if hh > 24 || mm > 59 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("%q is not a time of day: want 00:00 to 24:00", s)
	}
	return int16(hh*60 + mm), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a short string of digits already checked by allDigits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// mondayFirst is the order String lists days in, the one people write.
var mondayFirst = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// String returns the canonical form of h, which ParseHours reads back to
// an Equal schedule: days with the same spans share one group, consecutive
// days become a range, groups come in Monday-first order, e.g.
// "Mon-Thu 09:00-12:00,13:00-17:30; Fri 09:00-15:00". It is what the bot
// echoes at start-up, so an operator sees how their setting was understood.
func (h Hours) String() string {
	if h.Always() {
		return "always"
	}
	var b strings.Builder
	var done [7]bool
	for i, d := range mondayFirst {
		if done[d] || len(h.days[d]) == 0 {
			continue
		}
		var same [7]bool
		for _, e := range mondayFirst[i:] {
			if slices.Equal(h.days[e], h.days[d]) {
				same[e], done[e] = true, true
			}
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		writeDays(&b, same)
		b.WriteByte(' ')
		for j, sp := range h.days[d] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(formatSpan(sp))
		}
	}
	return b.String()
}

// writeDays writes a set of days as Monday-first runs: "Mon-Wed,Fri".
func writeDays(b *strings.Builder, days [7]bool) {
	first := true
	for i := 0; i < 7; i++ {
		if !days[mondayFirst[i]] {
			continue
		}
		j := i
		for j+1 < 7 && days[mondayFirst[j+1]] {
			j++
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(dayName(mondayFirst[i]))
		if j > i {
			b.WriteString("-" + dayName(mondayFirst[j]))
		}
		i = j
	}
}

func formatSpan(sp span) string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", sp.start/60, sp.start%60, sp.end/60, sp.end%60)
}
