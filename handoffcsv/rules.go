package handoffcsv

import (
	"slices"

	"github.com/handoffbot/handoffbot/domain"
)

// The rules tying a row's times and reasons to its state are not written
// out here but derived from the domain's allowed moves (domain.State.Next),
// so that the import is exactly as strict as the domain and follows it when
// it changes: a row is consistent if some sequence of moves from pending to
// its state sets exactly the times the row has, in that order, and records
// the reason the last move needs. TestStateRules pins the result.

// moveTime is the column of the time each move sets on the handoff row.
var moveTime = map[domain.Move]int{
	domain.MoveAccept:  colAcceptedAt,
	domain.MoveReject:  colRejectedAt,
	domain.MoveTouch:   colFirstTouchAt,
	domain.MoveQualify: colQualifiedAt,
	domain.MoveWin:     colClosedAt,
	domain.MoveLose:    colClosedAt,
	domain.MoveReturn:  colClosedAt,
}

// moveReason is the column of the reason a move records (domain.Move.Reasons
// gives its list), and reasonKind names that list in a message.
var (
	moveReason = map[domain.Move]int{
		domain.MoveReject: colRejectReason,
		domain.MoveLose:   colCloseReason,
		domain.MoveReturn: colCloseReason,
	}
	reasonKind = map[domain.Move]string{
		domain.MoveReject: "reject",
		domain.MoveLose:   "lost",
		domain.MoveReturn: "return",
	}
)

// timeColumns are the columns whose presence depends on the state.
var timeColumns = []int{colAcceptedAt, colRejectedAt, colFirstTouchAt, colQualifiedAt, colClosedAt}

// A history is one way the moves bring a handoff from pending to a state:
// the time columns they set, in order, and the move that entered the state
// ("" for pending).
type history struct {
	times []int
	set   uint32 // a bit for each column of times
	enter domain.Move
}

// stateRule is every history of one state, summed up.
type stateRule struct {
	histories []history
	must      uint32 // columns every history sets
	may       uint32 // columns some history sets
}

var stateRules = deriveStateRules()

func deriveStateRules() map[domain.State]*stateRule {
	rules := make(map[domain.State]*stateRule)
	var walk func(s domain.State, h history)
	walk = func(s domain.State, h history) {
		r := rules[s]
		if r == nil {
			r = &stateRule{must: ^uint32(0)}
			rules[s] = r
		}
		r.histories = append(r.histories, h)
		r.must &= h.set
		r.may |= h.set
		if len(h.times) > len(domain.States) {
			return // the moves have no cycle today; stay finite if they get one
		}
		for _, m := range s.Moves() {
			to, _ := s.Next(m)
			c := moveTime[m]
			walk(to, history{times: append(slices.Clip(h.times), c), set: h.set | 1<<c, enter: m})
		}
	}
	walk(domain.StatePending, history{})
	return rules
}

// match is the history that sets exactly the columns in set, or else the
// smallest one that sets them and more; ok is false if there is none.
func (r *stateRule) match(set uint32) (h history, exact, ok bool) {
	for _, x := range r.histories {
		if x.set == set {
			return x, true, true
		}
		if x.set&set == set && (!ok || len(x.times) < len(h.times)) {
			h, ok = x, true
		}
	}
	return h, false, ok
}

// implies reports whether every history of r that sets column t also sets c.
func (r *stateRule) implies(t, c int) bool {
	for _, x := range r.histories {
		if x.set&(1<<t) != 0 && x.set&(1<<c) == 0 {
			return false
		}
	}
	return true
}
