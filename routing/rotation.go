package routing

// State is a pool's stored rotation: where each member stands. The caller
// keeps it per pool (a row it locks in the transaction that creates the
// handoff), passes it in and stores what comes back; nothing else carries
// memory between decisions, so two replicas that serialise on that row
// decide exactly as one process would.
type State struct {
	Members map[string]Standing `json:"members,omitempty"`
}

// Standing is one member's place in a pool's rotation.
type Standing struct {
	// Current is the smooth weighted round-robin's current weight: how far
	// ahead (positive) or behind its share this member stands, in units of
	// weight. It only moves on turns the member is available for, which is
	// what "hold place" means.
	Current int64 `json:"current"`
	// Owed is, under a catch-up rule, the handoffs owed for time away, in
	// thousandths of a handoff; at most the rule's CatchUpLimit handoffs.
	Owed int64 `json:"owed,omitempty"`
}

// owedUnit is one whole owed handoff in Standing.Owed.
const owedUnit = 1000

// clone copies st keeping only the seats' users: people who left the pool
// drop out, newcomers start level (zero).
func (st State) clone(seats []Seat) State {
	next := State{Members: make(map[string]Standing, len(seats))}
	for _, s := range seats {
		next.Members[s.User] = st.Members[s.User]
	}
	return next
}

// turnResult is one turn of a pool's rotation.
type turnResult struct {
	user  string // "" when nobody was available
	via   Via
	skips []Skip
	next  State
}

// turn takes one turn of a pool's rotation: who of seats gets the lead, who
// was passed over and why, and the pool's new state.
//
// Only the members available now take part in the smooth weighted
// round-robin (nginx's): each adds its weight to its current weight, the
// highest current weight wins (the earlier seat on a tie), and the winner
// gives back the sum of the weights that took part. Skipped members are left
// exactly where they stood, so the others share the turn by their weights
// and a returning member resumes its place without a burst.
//
// Under a catch-up rule, each member who is away is credited, on every turn
// someone else takes, with the share it would have had (its weight over the
// weights present plus its own), up to the rule's limit; back, it takes one
// owed handoff per turn before the rotation runs. Owed turns leave the
// current weights alone, so the catch-up comes on top of the fair share and
// ends after at most CatchUpLimit handoffs.
func turn(rule *Rule, seats []Seat, people map[string]Person, st State, s Snapshot, exclude map[string]Reason) (turnResult, error) {
	res := turnResult{next: st.clone(seats)}
	var avail, away []Seat
	total := 0
	for _, seat := range seats {
		p, ok := people[seat.User]
		if !ok {
			return turnResult{}, errNoStatus(seat.User)
		}
		if skip, skipped := rule.check(seat.User, p, seat, s.Now, exclude); skipped {
			res.skips = append(res.skips, skip)
			if skip.Reason == ReasonAway {
				away = append(away, seat)
			}
			continue
		}
		avail = append(avail, seat)
		total += seat.Weight
	}
	if len(avail) == 0 {
		return res, nil
	}
	if rule.OnReturn == CatchUp {
		res.accrue(away, total, int64(rule.CatchUpLimit))
		if u := res.payBack(avail); u != "" {
			res.user, res.via = u, ViaCatchUp
			return res, nil
		}
	}
	res.user, res.via = res.smoothWRR(avail, total), ViaRotation
	return res, nil
}

// accrue credits each away member with its share of this turn, rounded
// up to the thousandth so that three missed thirds make a whole handoff.
func (res *turnResult) accrue(away []Seat, present int, limit int64) {
	for _, seat := range away {
		m := res.next.Members[seat.User]
		w, all := int64(seat.Weight), int64(present+seat.Weight)
		m.Owed = min(m.Owed+(w*owedUnit+all-1)/all, limit*owedUnit)
		res.next.Members[seat.User] = m
	}
}

// payBack gives the turn to the available member owed the most whole
// handoffs (the earlier seat on a tie), or returns "" if nobody is owed one.
func (res *turnResult) payBack(avail []Seat) string {
	best := ""
	var most int64
	for _, seat := range avail {
		if o := res.next.Members[seat.User].Owed; o >= owedUnit && o > most {
			best, most = seat.User, o
		}
	}
	if best != "" {
		m := res.next.Members[best]
		m.Owed -= owedUnit
		res.next.Members[best] = m
	}
	return best
}

// smoothWRR runs one step of the smooth weighted round-robin over avail,
// whose weights sum to total.
func (res *turnResult) smoothWRR(avail []Seat, total int) string {
	best := ""
	var bestCur int64
	for _, seat := range avail {
		m := res.next.Members[seat.User]
		m.Current += int64(seat.Weight)
		res.next.Members[seat.User] = m
		if best == "" || m.Current > bestCur {
			best, bestCur = seat.User, m.Current
		}
	}
	m := res.next.Members[best]
	m.Current -= int64(total)
	res.next.Members[best] = m
	return best
}
