package routing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

const simFile = `pools:
  team:
    members:
      - {person: U01A, weight: 3, max_open: 6}
      - {person: U01B, weight: 2, max_open: 4, max_per_day: 30}
      - {person: U01C, max_open: 3}
      - {group: S01REST, max_per_day: 25}
  open:
    members:
      - {person: U01A, weight: 3}
      - {person: U01B, weight: 2}
      - U01C
      - {group: S01REST}
rules:
  - {name: hold, when: {source: hold}, pool: team, skip_outside_hours: true}
  - {name: catch, when: {source: catch}, pool: team, skip_outside_hours: true, on_return: catch_up, catch_up_limit: 4}
  - {name: free, pool: open}
`

// simGroups expands S01REST; U01X is deactivated in the capped runs.
var simGroups = map[string][]string{"S01REST": {"U01E", "U01D", "U01X"}}

// sim is two replicas creating handoffs against one shared store (a pool's
// state row and everyone's counters), interleaved step by step by a seeded
// random schedule. A replica locks the row, reads, decides, writes and
// unlocks, each a separate step, so the other replica and outside events
// (handoffs closing, people going away or off work, a new day) can happen
// between any two of them — unless the lock keeps the replica out.
type sim struct {
	t        *testing.T
	rng      *rand.Rand
	match    Match
	seats    []Seat
	useLock  bool
	capped   bool // closes are rare enough for caps to bind; people go away and off work
	state    State
	people   map[string]Person
	holder   int // replica holding the lock; 0: none
	now      time.Time
	counts   map[string]int     // assignments per person
	entitled map[string]float64 // the share due to each, summed over turns they were available for
	assigned int
	skips    int // people passed over, summed over turns
	problems []string
}

// replica is one process between steps.
type replica struct {
	id    int
	phase int // 0 idle, 1 read, 2 decided
	snap  Snapshot
	out   Outcome
}

func newSim(t *testing.T, seed uint64, rule string, useLock, capped bool) *sim {
	r := mustParse(t, "sim.yaml", []byte(simFile))
	m, err := r.Match(Lead{Source: rule})
	if err != nil {
		t.Fatal(err)
	}
	seats, err := m.Rule.Pool.Seats(simGroups)
	if err != nil {
		t.Fatal(err)
	}
	s := &sim{t: t, rng: rand.New(rand.NewPCG(seed, 7)), match: m, seats: seats, useLock: useLock, capped: capped,
		people: everyone("U01A", "U01B", "U01C", "U01D", "U01E", "U01X"), now: now,
		counts: map[string]int{}, entitled: map[string]float64{}}
	if capped {
		s.people["U01X"] = Person{Deactivated: true}
	}
	return s
}

// run interleaves two replicas until n handoffs are assigned.
func (s *sim) run(n int) {
	reps := []*replica{{id: 1}, {id: 2}}
	for steps := 0; s.assigned < n; steps++ {
		if steps > 50*n {
			s.t.Fatalf("no progress: %d assignments after %d steps", s.assigned, steps)
		}
		s.now = s.now.Add(time.Minute)
		if s.rng.IntN(3) == 0 {
			s.event()
			continue
		}
		s.step(reps[s.rng.IntN(2)])
	}
}

// step moves one replica on by one phase.
func (s *sim) step(r *replica) {
	switch r.phase {
	case 0:
		if s.useLock && s.holder != 0 {
			return // blocked on the row lock
		}
		s.holder = r.id
		r.snap = Snapshot{Now: s.now, Groups: simGroups, People: clonePeople(s.people), States: map[string]State{s.match.Rule.Pool.Name: s.state}}
	case 1:
		out, err := Decide(s.match, r.snap)
		if err != nil {
			s.t.Fatal(err)
		}
		r.out = out
	case 2:
		s.write(r)
		if s.holder == r.id {
			s.holder = 0
		}
	}
	r.phase = (r.phase + 1) % 3
}

// write stores a replica's decision and checks it against the rules.
func (s *sim) write(r *replica) {
	d := r.out.Decision
	s.state = r.out.States[s.match.Rule.Pool.Name]
	s.skips += len(d.Skipped)
	if d.Assignee == "" {
		return
	}
	p := s.people[d.Assignee]
	seen := r.snap.People[d.Assignee]
	switch {
	case seen.Deactivated:
		s.problems = append(s.problems, "picked deactivated "+d.Assignee)
	case seen.Away && (seen.AwayUntil.IsZero() || r.snap.Now.Before(seen.AwayUntil)):
		s.problems = append(s.problems, "picked "+d.Assignee+" while away")
	case seen.OutsideHours:
		s.problems = append(s.problems, "picked "+d.Assignee+" outside hours under a rule that skips them")
	}
	p.Open++
	p.Today++
	s.people[d.Assignee] = p
	s.checkCaps(d.Assignee, p)
	s.entitle(r.snap)
	s.counts[d.Assignee]++
	s.assigned++
}

// checkCaps records any cap the store now exceeds.
func (s *sim) checkCaps(user string, p Person) {
	for _, seat := range s.seats {
		if seat.User != user {
			continue
		}
		if seat.MaxOpen > 0 && p.Open > seat.MaxOpen {
			s.problems = append(s.problems, fmt.Sprintf("%s has %d open, cap %d", user, p.Open, seat.MaxOpen))
		}
		if seat.MaxPerDay > 0 && p.Today > seat.MaxPerDay {
			s.problems = append(s.problems, fmt.Sprintf("%s got %d today, cap %d", user, p.Today, seat.MaxPerDay))
		}
	}
}

// entitle credits everyone available at this turn with their weighted
// share of it: fairness among those who could take it.
func (s *sim) entitle(snap Snapshot) {
	total := 0
	var avail []Seat
	for _, seat := range s.seats {
		if _, skipped := s.match.Rule.check(seat.User, snap.People[seat.User], seat, snap.Now, nil); !skipped {
			avail = append(avail, seat)
			total += seat.Weight
		}
	}
	for _, seat := range avail {
		s.entitled[seat.User] += float64(seat.Weight) / float64(total)
	}
}

// event is something outside routing: a handoff closes; in capped runs
// also someone goes away or comes back, goes off or on work, or a day ends.
func (s *sim) event() {
	u := s.seats[s.rng.IntN(len(s.seats))].User
	p := s.people[u]
	roll := s.rng.IntN(100)
	switch {
	case !s.capped || roll < 60:
		if p.Open > 0 && (!s.capped || s.rng.IntN(2) == 0) {
			p.Open--
		}
	case roll < 66:
		p.Away = !p.Away
		p.AwayUntil = time.Time{}
		if p.Away && s.rng.IntN(2) == 0 {
			p.AwayUntil = s.now.Add(time.Duration(s.rng.IntN(600)) * time.Minute)
		}
	case roll < 72:
		p.OutsideHours = !p.OutsideHours
	case roll < 74:
		for v, q := range s.people {
			q.Today = 0
			s.people[v] = q
		}
		p = s.people[u]
	}
	s.people[u] = p
}

// unfair lists the people whose count differs from what they were
// entitled to by more than tolerance of all turns.
func (s *sim) unfair(tolerance float64) []string {
	var out []string
	for _, seat := range s.seats {
		if math.Abs(float64(s.counts[seat.User])-s.entitled[seat.User]) > tolerance*float64(s.assigned) {
			out = append(out, fmt.Sprintf("%s got %d, entitled to %.1f of %d turns", seat.User, s.counts[seat.User], s.entitled[seat.User], s.assigned))
		}
	}
	return out
}

func clonePeople(m map[string]Person) map[string]Person {
	out := make(map[string]Person, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// seeds are the schedules every property runs under; a failure names its seed.
var seeds = []uint64{1, 2, 3, 20261204}

// TestFairSharesAcrossTwoReplicas: nobody capped or away, 10,000 handoffs
// created by two replicas: each person's share is within 1% of their
// weight's share (smooth WRR keeps it within one handoff per member).
func TestFairSharesAcrossTwoReplicas(t *testing.T) {
	for _, seed := range seeds {
		s := newSim(t, seed, "free", true, false)
		s.run(10000)
		weights := 0
		for _, seat := range s.seats {
			weights += seat.Weight
		}
		for _, seat := range s.seats {
			want := float64(seat.Weight) / float64(weights)
			got := float64(s.counts[seat.User]) / float64(s.assigned)
			if math.Abs(got-want) > 0.01 || math.Abs(float64(s.counts[seat.User])-want*float64(s.assigned)) > float64(len(s.seats)) {
				t.Errorf("seed %d: %s got %d of %d (%.4f), weight share %.4f", seed, seat.User, s.counts[seat.User], s.assigned, got, want)
			}
		}
		if len(s.problems) > 0 || s.skips > 0 {
			t.Errorf("seed %d: nobody may be skipped here; %d skips, problems %v", seed, s.skips, s.problems[:min(5, len(s.problems))])
		}
	}
}

// TestCapsHoldAcrossTwoReplicas: with tight caps, people going away and
// off work, and a deactivated member, no cap is ever exceeded and nobody
// unavailable is picked. Under hold place each person's count also stays
// within 1% of the turns (by weight) they were available for; catch-up
// deliberately gives more than that to people back from time away.
func TestCapsHoldAcrossTwoReplicas(t *testing.T) {
	for _, rule := range []string{"hold", "catch"} {
		for _, seed := range seeds {
			s := newSim(t, seed, rule, true, true)
			s.run(10000)
			if len(s.problems) > 0 {
				t.Errorf("%s seed %d: %d problems, first %v", rule, seed, len(s.problems), s.problems[:min(5, len(s.problems))])
			}
			if rule == "hold" {
				for _, msg := range s.unfair(0.01) {
					t.Errorf("%s seed %d: %s", rule, seed, msg)
				}
			}
			if s.counts["U01X"] != 0 {
				t.Errorf("%s seed %d: deactivated U01X got %d", rule, seed, s.counts["U01X"])
			}
		}
	}
}

// TestCapsBreakWithoutTheLock shows the simulation can fail: replicas that
// do not serialise on the pool's state row over-assign and break caps.
func TestCapsBreakWithoutTheLock(t *testing.T) {
	s := newSim(t, 1, "hold", false, true)
	s.run(10000)
	if len(s.problems) == 0 {
		t.Error("without the lock the replicas should have exceeded a cap; the check cannot fail")
	}
}
