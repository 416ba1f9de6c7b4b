package routing

import (
	"fmt"
	"maps"
	"time"
)

// Person is what the caller knows about one person at the moment of a
// decision. Routing reads no clock and no database: everything that
// changes over time arrives here, so a decision can be replayed and tested.
type Person struct {
	Open        int       // open handoffs they own (pending, accepted, contacted, qualified)
	Today       int       // handoffs assigned to them so far today
	Away        bool      // they said /handoff away
	AwayUntil   time.Time // with Away: the moment they are back; zero: until they turn it off
	Deactivated bool      // their Slack account is deactivated
	// OutsideHours: now is outside their working hours, the team's
	// BUSINESS_HOURS read in their own Slack time zone. With package
	// businesstime: !businesstime.New(hours, holidays, theirZone).NextOpen(now).Equal(now).
	OutsideHours bool
}

// Snapshot is the world as one decision sees it. The caller builds it
// inside the transaction that holds the locks on the rule's pools' states.
type Snapshot struct {
	Now     time.Time
	Creator string              // who is handing the lead off; never picked
	Groups  map[string][]string // user-group ID → member user IDs (Rule.Groups)
	People  map[string]Person   // status of everyone in Rule.People and the account owner
	States  map[string]State    // rotation state by pool name; a missing one starts fresh
	Account *Account            // the account of the lead's email domain; nil: none found
}

// Reason says why someone was passed over.
type Reason string

// The reasons, in the order they are checked.
const (
	ReasonDeactivated  Reason = "deactivated"
	ReasonCreator      Reason = "handing it off"
	ReasonHadIt        Reason = "already had it"
	ReasonAway         Reason = "away"
	ReasonOutsideHours Reason = "outside working hours"
	ReasonCappedOpen   Reason = "capped (open)"
	ReasonCappedToday  Reason = "capped (today)"
)

// Skip is one person passed over, with enough detail to say why in words.
type Skip struct {
	User         string    `json:"user"`
	Reason       Reason    `json:"reason"`
	Until        time.Time `json:"until,omitzero"`          // ReasonAway: back at; zero when open-ended
	Count        int       `json:"count,omitempty"`         // capped: how many they have…
	Limit        int       `json:"limit,omitempty"`         // …of how many allowed
	Pool         string    `json:"pool,omitempty"`          // the pool they were skipped in; "" for a named person
	AccountOwner bool      `json:"account_owner,omitempty"` // they were skipped as the account's owner
}

// Via says how the assignee was chosen.
type Via string

// The ways a lead reaches someone.
const (
	ViaNobody   Via = "nobody"        // nobody could take it
	ViaOwner    Via = "account owner" // the owner of the lead's account
	ViaRotation Via = "rotation"      // the pool's weighted rotation
	ViaCatchUp  Via = "catch-up"      // owed to someone back from time away
	ViaPerson   Via = "named person"  // the person the rule (or fallback) names
)

// Decision is where a lead went and why: what the assignment event
// records (it marshals to JSON for that) and the one-line explanation shows.
type Decision struct {
	Rule         string   `json:"rule"`
	Pool         string   `json:"pool,omitempty"`     // the rule's pool; "" when the rule names a person
	Assignee     string   `json:"assignee,omitempty"` // "" when nobody could take it
	Via          Via      `json:"via"`
	From         string   `json:"from,omitempty"` // the pool Assignee was picked from; "" otherwise
	Account      *Account `json:"account,omitempty"`
	OwnerNote    string   `json:"owner_note,omitempty"` // when the rule asks for the owner but none was used: why
	Skipped      []Skip   `json:"skipped,omitempty"`
	FallbackUsed bool     `json:"fallback_used,omitempty"`
	Fallback     string   `json:"fallback,omitempty"`      // the rule's fallback, for explanations; "" when none
	Reroute      int      `json:"reroute,omitempty"`       // NextOnBreach: which re-route this is (1-based)
	RerouteLimit int      `json:"reroute_limit,omitempty"` // NextOnBreach: the rule's limit
	Escalate     bool     `json:"escalate,omitempty"`      // NextOnBreach: no re-route; escalate as for any breach
}

// Outcome is a decision and the rotation states to store with it.
type Outcome struct {
	Decision Decision
	// States holds the new state of every pool in Rule.Pools(); store them
	// all in the same transaction as the assignment, or none.
	States map[string]State
}

// errNoStatus is a caller bug: Snapshot.People lacks someone it must have.
func errNoStatus(user string) error {
	return fmt.Errorf("routing: no status given for %s", user)
}

// Decide picks who gets the lead m matched: the account's owner if the rule
// asks and they can take it, else the rule's pool (or person), else its
// fallback. The same Match and Snapshot always give the same Outcome.
func Decide(m Match, s Snapshot) (Outcome, error) {
	rule := m.Rule
	if rule == nil {
		return Outcome{}, ErrNoRule
	}
	d := Decision{Rule: rule.Name, Via: ViaNobody}
	if !rule.Fallback.IsZero() {
		d.Fallback = rule.Fallback.String()
	}
	states := startStates(rule, s)
	exclude := map[string]Reason{}
	if s.Creator != "" {
		exclude[s.Creator] = ReasonCreator
	}
	if rule.AccountOwnerFirst {
		if err := d.tryOwner(rule, m.Lead, s, exclude); err != nil {
			return Outcome{}, err
		}
		if d.Assignee != "" {
			return Outcome{Decision: d, States: states}, nil
		}
	}
	if err := d.tryTarget(rule, rule.Pool, rule.Person, s, states, exclude); err != nil {
		return Outcome{}, err
	}
	if d.Assignee == "" && !rule.Fallback.IsZero() {
		d.FallbackUsed = true
		// A fallback person is the last resort: working hours do not apply
		// to them (a fallback pool follows the rule like its main pool).
		fb := *rule
		fb.SkipOutsideHours = fb.SkipOutsideHours && rule.Fallback.Pool != nil
		if err := d.tryTarget(&fb, rule.Fallback.Pool, rule.Fallback.Person, s, states, exclude); err != nil {
			return Outcome{}, err
		}
	}
	return Outcome{Decision: d, States: states}, nil
}

// NextOnBreach moves a handoff whose accept SLA breached to the next
// available person of rule's pool who has not had it yet (had lists those
// who did, the current owner included). reroutes is how many times it was
// already re-routed. When the rule does not re-route, its limit is reached
// or nobody is left, the Decision says Escalate and the states are
// unchanged. The fallback is not used: a breach goes to the managers.
func NextOnBreach(rule *Rule, s Snapshot, had []string, reroutes int) (Outcome, error) {
	d := Decision{Rule: rule.Name, Via: ViaNobody, Reroute: reroutes + 1, RerouteLimit: rule.RerouteOnBreach}
	states := startStates(rule, s)
	if rule.Pool == nil || reroutes >= rule.RerouteOnBreach {
		d.Escalate = true
		return Outcome{Decision: d, States: states}, nil
	}
	exclude := map[string]Reason{}
	if s.Creator != "" {
		exclude[s.Creator] = ReasonCreator
	}
	for _, u := range had {
		exclude[u] = ReasonHadIt
	}
	if err := d.tryTarget(rule, rule.Pool, "", s, states, exclude); err != nil {
		return Outcome{}, err
	}
	d.Escalate = d.Assignee == ""
	return Outcome{Decision: d, States: states}, nil
}

// startStates copies the states of the rule's pools, so that a decision
// never changes the caller's maps.
func startStates(rule *Rule, s Snapshot) map[string]State {
	out := map[string]State{}
	for _, name := range rule.Pools() {
		st := s.States[name]
		out[name] = State{Members: maps.Clone(st.Members)}
	}
	return out
}

// tryOwner offers the lead to the owner of its account.
func (d *Decision) tryOwner(rule *Rule, l Lead, s Snapshot, exclude map[string]Reason) error {
	dom := l.Domain()
	switch {
	case dom == "":
		d.OwnerNote = "the lead has no email, so no account"
		return nil
	case IsFreeMail(dom):
		d.OwnerNote = dom + " is a free-mail domain, never an account"
		return nil
	case s.Account == nil:
		d.OwnerNote = "no account for " + dom
		return nil
	}
	d.Account = s.Account
	owner := s.Account.Owner
	p, ok := s.People[owner]
	if !ok {
		return errNoStatus(owner)
	}
	seat, err := ownSeat(rule.Pool, s.Groups, owner)
	if err != nil {
		return err
	}
	if skip, skipped := rule.check(owner, p, seat, s.Now, exclude); skipped {
		skip.AccountOwner = true
		d.Skipped = append(d.Skipped, skip)
		return nil
	}
	d.Assignee, d.Via = owner, ViaOwner
	return nil
}

// ownSeat is the owner's seat in pool, for its caps; a bare seat (no caps)
// if they have none there or the rule names a person instead of a pool.
func ownSeat(pool *Pool, groups map[string][]string, user string) (Seat, error) {
	if pool == nil {
		return Seat{User: user}, nil
	}
	seats, err := pool.Seats(groups)
	if err != nil {
		return Seat{}, fmt.Errorf("routing: %w", err)
	}
	for _, s := range seats {
		if s.User == user {
			return s, nil
		}
	}
	return Seat{User: user}, nil
}

// tryTarget offers the lead to a pool's rotation or to a named person.
func (d *Decision) tryTarget(rule *Rule, pool *Pool, person string, s Snapshot, states map[string]State, exclude map[string]Reason) error {
	if pool == nil {
		return d.tryPerson(rule, person, s, exclude)
	}
	if !d.FallbackUsed {
		d.Pool = pool.Name
	}
	seats, err := pool.Seats(s.Groups)
	if err != nil {
		return fmt.Errorf("routing: %w", err)
	}
	res, err := turn(rule, seats, s.People, states[pool.Name], s, exclude)
	if err != nil {
		return err
	}
	for i := range res.skips {
		res.skips[i].Pool = pool.Name
	}
	d.Skipped = append(d.Skipped, res.skips...)
	states[pool.Name] = res.next
	if res.user != "" {
		d.Assignee, d.Via, d.From = res.user, res.via, pool.Name
	}
	return nil
}

// tryPerson offers the lead to one named person.
func (d *Decision) tryPerson(rule *Rule, person string, s Snapshot, exclude map[string]Reason) error {
	p, ok := s.People[person]
	if !ok {
		return errNoStatus(person)
	}
	if skip, skipped := rule.check(person, p, Seat{User: person}, s.Now, exclude); skipped {
		d.Skipped = append(d.Skipped, skip)
		return nil
	}
	d.Assignee, d.Via = person, ViaPerson
	return nil
}

// check says whether a person must be passed over now, and why. The
// reasons are checked in the order of the Reason constants.
func (r *Rule) check(user string, p Person, seat Seat, now time.Time, exclude map[string]Reason) (Skip, bool) {
	skip := Skip{User: user}
	switch {
	case p.Deactivated:
		skip.Reason = ReasonDeactivated
	case exclude[user] != "":
		skip.Reason = exclude[user]
	case p.Away && (p.AwayUntil.IsZero() || now.Before(p.AwayUntil)):
		skip.Reason, skip.Until = ReasonAway, p.AwayUntil
	case r.SkipOutsideHours && p.OutsideHours:
		skip.Reason = ReasonOutsideHours
	case seat.MaxOpen > 0 && p.Open >= seat.MaxOpen:
		skip.Reason, skip.Count, skip.Limit = ReasonCappedOpen, p.Open, seat.MaxOpen
	case seat.MaxPerDay > 0 && p.Today >= seat.MaxPerDay:
		skip.Reason, skip.Count, skip.Limit = ReasonCappedToday, p.Today, seat.MaxPerDay
	default:
		return Skip{}, false
	}
	return skip, true
}
