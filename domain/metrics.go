package domain

import (
	"fmt"
	"math"
)

// Ratio is a rate together with the counts it was computed from, because
// domain.md wants every figure shown with its counts: "62% (31 of 50)" is
// a trend, "100% (1 of 1)" is an anecdote, and the reader should see which.
type Ratio struct {
	Num int // how many met the condition
	Den int // out of how many
}

// Defined reports whether there was anything to divide: a rate over no
// handoffs is unknown, not zero.
func (r Ratio) Defined() bool { return r.Den > 0 }

// Percent is the rate in percent (0–100), and 0 when it is not Defined.
func (r Ratio) Percent() float64 {
	if r.Den == 0 {
		return 0
	}
	return 100 * float64(r.Num) / float64(r.Den)
}

// Rounded is Percent rounded to a whole number, except that only a rate of
// exactly none or all shows as 0% or 100%: 199 of 200 reads "99%", not a
// perfect score it did not earn.
func (r Ratio) Rounded() int {
	p := int(math.Round(r.Percent()))
	switch {
	case p == 100 && r.Num < r.Den:
		return 99
	case p == 0 && r.Num > 0:
		return 1
	}
	return p
}

// String renders the rate with its counts: "62% (31 of 50)", or
// "— (0 of 0)" when there was nothing to count.
func (r Ratio) String() string {
	if !r.Defined() {
		return fmt.Sprintf("— (%d of %d)", r.Num, r.Den)
	}
	return fmt.Sprintf("%d%% (%d of %d)", r.Rounded(), r.Num, r.Den)
}

// Add sums two ratios' counts, e.g. to total the groups of a breakdown.
func (r Ratio) Add(o Ratio) Ratio { return Ratio{Num: r.Num + o.Num, Den: r.Den + o.Den} }
