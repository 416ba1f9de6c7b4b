package domain

import "time"

// SLA clocks and their stages (the README: SLA clocks).
const (
	ClockAccept     = "accept"
	ClockFirstTouch = "first_touch"
	StageRemind     = "remind" // at 50 %, or when a snooze ends
	StageBreach     = "breach" // at 100 %
)

// Timer is a moment of a handoff's SLA clock to act on.
type Timer struct {
	Clock string // ClockAccept or ClockFirstTouch
	Stage string // StageRemind or StageBreach
	Seq   int
	At    time.Time
}

// SLAFiring is one run of an SLA timer. Running it twice (a crash between
// recording the moment and finishing the job, a replica picking the job up
// again) records and tells it once: the store finds the moment recorded.
type SLAFiring struct {
	HandoffID int64
	Clock     string
	Stage     string
	Seq       int
	At        time.Time
	// Owed decides, with the handoff locked, what this moment owes. ok is
	// false when the clock stopped (the timer is moot): nothing happens.
	Owed func(h Handoff) (owed Owed, ok bool)
}
