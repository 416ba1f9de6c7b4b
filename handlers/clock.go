package handlers

import (
	"fmt"
	"time"
)

// clockText shows a due time in the reader's zone and how far away it is:
// "Mon 12:00 (due in 1 h 20 m)" or "(breached 2 h ago)".
func (a Cards) clockText(due time.Time) string {
	left := due.Sub(a.Now())
	rel := "due in " + humanDuration(left)
	if left <= 0 {
		rel = "breached " + humanDuration(-left) + " ago"
	}
	return slackDate(due, "{date_short_pretty} {time}") + " (" + rel + ")"
}

// humanDuration is a short, rounded duration for mrkdwn: "45 m", "1 h 20 m",
// "3 d 4 h", or "&lt; 1 m" (shown as "< 1 m") for seconds: a bare "<"
// would make Slack swallow the text up to the next ">".
func humanDuration(d time.Duration) string {
	if d < 30*time.Second {
		return "&lt; 1 m"
	}
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case days > 0:
		return fmt.Sprintf("%d d", days)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%d h %d m", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%d h", hours)
	}
	return fmt.Sprintf("%d m", mins)
}
