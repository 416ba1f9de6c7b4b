package businesstime

import (
	"fmt"
	"strings"
	"time"
)

// Date is a civil date with no time zone. Holidays are dates, not instants:
// 25 December is a holiday from midnight to midnight wherever the team is,
// so a Calendar reads them in its own zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String writes d as YYYY-MM-DD, the form ParseHolidays reads.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// holidayForm is what every ParseHolidays error shows as the expected form.
const holidayForm = `want a date as YYYY-MM-DD, e.g. "2026-12-25"`

// ParseHolidays reads HOLIDAYS: YYYY-MM-DD dates separated by ",", with
// spaces allowed around them. Empty input, or empty items such as a
// trailing comma, add nothing; "" gives nil. Dates are returned in the
// order given, duplicates included: New sorts them out.
func ParseHolidays(s string) ([]Date, error) {
	var dates []Date
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		d, why, ok := parseDate(item)
		if !ok {
			return nil, fmt.Errorf("bad holiday %q: %s%s", item, holidayForm, why)
		}
		dates = append(dates, d)
	}
	return dates, nil
}

// parseDate reads one YYYY-MM-DD. When it fails, why is "" if the shape is
// wrong, or "; " and what else is wrong, to follow the expected form in
// ParseHolidays's error.
func parseDate(s string) (d Date, why string, ok bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !allDigits(s[:4]) || !allDigits(s[5:7]) || !allDigits(s[8:]) {
		if strings.ContainsAny(s, " \t") {
			return Date{}, `; separate dates with ","`, false
		}
		return Date{}, "", false
	}
	d = Date{Year: atoi(s[:4]), Month: time.Month(atoi(s[5:7])), Day: atoi(s[8:])}
	if d.Month < time.January || d.Month > time.December {
		return Date{}, fmt.Sprintf("; there is no month %d", d.Month), false
	}
	if n := daysIn(d.Year, d.Month); d.Day < 1 || d.Day > n {
		return Date{}, fmt.Sprintf("; %s %d has %d days", d.Month, d.Year, n), false
	}
	return d, "", true
}

// daysIn is the number of days in a month of the proleptic Gregorian
// calendar, the one time.Date uses.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
