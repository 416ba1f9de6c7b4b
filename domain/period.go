package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Period is a half-open interval [Start, End) of whole days in the
// configured zone; a handoff belongs to it by its creation time.
type Period struct {
	Start time.Time
	End   time.Time
	Label string // as people wrote it, e.g. "30d" or "2026-01-01..2026-03-31"
}

// PeriodForms lists what ParsePeriod accepts, for help and error messages.
const PeriodForms = "7d, 30d, 90d, quarter, ytd or YYYY-MM-DD..YYYY-MM-DD"

// DefaultPeriod is used when none is given.
const DefaultPeriod = "30d"

// maxPeriodDays keeps an explicit range to something a query and a person
// can take in.
const maxPeriodDays = 3 * 366

// ParsePeriod reads a period in loc relative to now. The day-count forms
// end with today, quarter is the current calendar quarter, ytd runs from
// 1 January, and an explicit range includes both of its days.
func ParsePeriod(s string, now time.Time, loc *time.Location) (Period, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		s = DefaultPeriod
	}
	today := midnight(now.In(loc))
	tomorrow := today.AddDate(0, 0, 1)
	switch s {
	case "7d", "30d", "90d":
		days := map[string]int{"7d": 7, "30d": 30, "90d": 90}[s]
		return Period{Start: tomorrow.AddDate(0, 0, -days), End: tomorrow, Label: s}, nil
	case "quarter":
		first := time.Date(today.Year(), (today.Month()-1)/3*3+1, 1, 0, 0, 0, 0, loc)
		return Period{Start: first, End: first.AddDate(0, 3, 0), Label: s}, nil
	case "ytd":
		return Period{Start: time.Date(today.Year(), 1, 1, 0, 0, 0, 0, loc), End: tomorrow, Label: s}, nil
	}
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		return Period{}, Errorf(EINVALID, "I don't know the period %s. Use %s.", echo(s), PeriodForms)
	}
	start, err1 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(from), loc)
	end, err2 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(to), loc)
	switch {
	case err1 != nil || err2 != nil:
		return Period{}, Errorf(EINVALID, "Write a range as YYYY-MM-DD..YYYY-MM-DD, e.g. 2026-01-01..2026-03-31 (got %s). Other periods: %s.", echo(s), PeriodForms)
	case end.Before(start):
		return Period{}, Errorf(EINVALID, "The range %s ends before it starts.", echo(s))
	case end.Sub(start) > maxPeriodDays*24*time.Hour:
		return Period{}, Errorf(EINVALID, "Keep a range under three years (got %s).", echo(s))
	}
	return Period{Start: start, End: end.AddDate(0, 0, 1), Label: s}, nil
}

// Previous is the period of the same number of days just before p, for
// comparison.
func (p Period) Previous() Period {
	days := int(p.End.Sub(p.Start).Round(24*time.Hour) / (24 * time.Hour))
	return Period{Start: p.Start.AddDate(0, 0, -days), End: p.Start, Label: "previous " + p.Label}
}

// String shows the period's days, e.g. "2026-10-28 – 2026-11-26".
func (p Period) String() string {
	return fmt.Sprintf("%s – %s", p.Start.Format(time.DateOnly), p.End.AddDate(0, 0, -1).Format(time.DateOnly))
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// maxEcho bounds the quoted, escaped input echoed in a refusal, so that
// pasting a paragraph still gets a short reply.
const maxEcho = 60

// echo quotes typed input for a refusal, shown as typed: Go-quoted so
// control characters are visible, and escaped because the message is read
// in Slack, where <, > and & are markup (a typed <!channel> would
// otherwise show as a channel mention). It cuts whole characters, after
// quoting and escaping, so the cut never splits "&amp;" or "\t".
func echo(s string) string {
	var b strings.Builder
	for s != "" {
		_, size := utf8.DecodeRuneInString(s)
		quoted := strconv.Quote(s[:size])
		piece := echoEscaper.Replace(quoted[1 : len(quoted)-1])
		if b.Len()+len(piece) > maxEcho {
			b.WriteString("…")
			break
		}
		b.WriteString(piece)
		s = s[size:]
	}
	return `"` + b.String() + `"`
}

var echoEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
