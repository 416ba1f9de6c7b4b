package routing

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// OnReturn is what a rule does for someone coming back from being away.
type OnReturn string

// The two ways back into the rotation (see docs/routing.md).
const (
	// HoldPlace: they resume where they stood; nothing is owed for the time away.
	HoldPlace OnReturn = "hold_place"
	// CatchUp: they are owed their share of what came in while they were
	// away, up to the rule's CatchUpLimit, and get it first on return.
	CatchUp OnReturn = "catch_up"
)

// DefaultCatchUpLimit bounds the catch-up burst when a rule does not.
const DefaultCatchUpLimit = 3

// Rule is one line of routing policy: which leads (its conditions) go
// where (a pool or a person), and how the pick is made. The first rule
// whose conditions all hold takes the lead.
type Rule struct {
	Name              string
	Line              int
	Pool              *Pool  // where leads go; nil when Person is set
	Person            string // a named person instead of a pool
	AccountOwnerFirst bool   // offer it to the account's owner before the pool
	SkipOutsideHours  bool   // pass over people outside their working hours
	OnReturn          OnReturn
	CatchUpLimit      int    // most handoffs owed to one person (CatchUp only)
	RerouteOnBreach   int    // times to move on after an accept-SLA breach; 0: never
	Fallback          Target // when nobody in Pool (or Person) can take it

	when   []*condition
	broken bool // a condition had errors: leave it out of the shadowing check
}

// Target is a fallback: a pool or a person; the zero Target is none.
type Target struct {
	Pool   *Pool
	Person string
}

// IsZero reports whether there is no fallback.
func (t Target) IsZero() bool { return t.Pool == nil && t.Person == "" }

// String names the target for explanations.
func (t Target) String() string {
	switch {
	case t.Pool != nil:
		return "pool " + t.Pool.Name
	case t.Person != "":
		return t.Person
	}
	return "none"
}

// Conditions shows the rule's conditions as a manager would say them
// ("country EMEA; employees 1000+"), or "every lead".
func (r *Rule) Conditions() string {
	if len(r.when) == 0 {
		return "every lead"
	}
	parts := make([]string, len(r.when))
	for i, c := range r.when {
		parts[i] = c.String()
	}
	return strings.Join(parts, "; ")
}

// Pools names the pools a decision under r may read and change, sorted: a
// caller that locks their state rows in this order cannot deadlock with
// another replica doing the same.
func (r *Rule) Pools() []string {
	var out []string
	for _, p := range []*Pool{r.Pool, r.Fallback.Pool} {
		if p != nil && !slices.Contains(out, p.Name) {
			out = append(out, p.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Groups lists the user groups of r's pools, for the caller to expand
// before calling Decide.
func (r *Rule) Groups() []string {
	var out []string
	for _, p := range []*Pool{r.Pool, r.Fallback.Pool} {
		if p != nil {
			out = append(out, p.Groups()...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// People lists everyone whose status a decision under r needs (members of
// its pools and the named people), given the expanded groups. The account
// owner, if any, comes on top.
func (r *Rule) People(groups map[string][]string) ([]string, error) {
	out := []string{}
	for _, u := range []string{r.Person, r.Fallback.Person} {
		if u != "" {
			out = append(out, u)
		}
	}
	for _, p := range []*Pool{r.Pool, r.Fallback.Pool} {
		if p == nil {
			continue
		}
		seats, err := p.Seats(groups)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Name, err)
		}
		for _, s := range seats {
			out = append(out, s.User)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// matches reports whether every condition holds for l; if not, it says
// which failed first, for explanations.
func (r *Rule) matches(l Lead) (bool, string) {
	for _, c := range r.when {
		if !c.matches(l) {
			return false, c.miss(l)
		}
	}
	return true, ""
}

// shadows reports whether every lead r2 could match is matched by r first.
func (r *Rule) shadows(r2 *Rule) bool {
	for _, c := range r.when {
		i := slices.IndexFunc(r2.when, func(o *condition) bool { return o.field == c.field })
		if i < 0 || !c.covers(r2.when[i]) {
			return false
		}
	}
	return true
}

// ruleKeys are the keys a rule may have.
var ruleKeys = []string{"name", "when", "pool", "person", "account_owner_first", "skip_outside_hours",
	"on_return", "catch_up_limit", "reroute_on_breach", "fallback"}

// rules reads the top-level `rules:` list.
func (p *parser) rules(n *yaml.Node, r *Rules) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "rules must be a list with at least one rule (each starting with - name:)")
		return
	}
	byName := map[string]*Rule{}
	for i, item := range n.Content {
		item = deref(item)
		rule := p.rule(item, r, i+1)
		if prev, dup := byName[fold(rule.Name)]; dup {
			p.errorf(item, "rule name %q is used twice (first on line %d); names must tell rules apart in explanations", rule.Name, prev.Line)
		}
		byName[fold(rule.Name)] = rule
		r.List = append(r.List, rule)
	}
}

// rule reads one rule; its number names it in messages until its name is known.
func (p *parser) rule(n *yaml.Node, r *Rules, number int) *Rule {
	rule := &Rule{Name: fmt.Sprintf("#%d", number), Line: n.Line, OnReturn: HoldPlace}
	keys := p.mapping(n, fmt.Sprintf("rule %d", number), ruleKeys...)
	if k := keys["name"]; k == nil {
		p.errorf(n, "rule %d has no name:", number)
	} else if s, ok := p.scalar(k, "a rule's name"); ok {
		rule.Name = s
	}
	what := fmt.Sprintf("rule %q", rule.Name)
	if k := keys["when"]; k != nil {
		before := len(p.problems)
		rule.when = p.conditions(k, r, what)
		rule.broken = len(p.problems) > before
	}
	p.ruleTarget(n, keys, r, rule, what)
	p.ruleSettings(keys, rule, what)
	return rule
}

// ruleTarget reads where a rule sends leads and its fallback.
func (p *parser) ruleTarget(n *yaml.Node, keys map[string]*yaml.Node, r *Rules, rule *Rule, what string) {
	pool, person := keys["pool"], keys["person"]
	switch {
	case pool == nil && person == nil:
		p.errorf(n, "%s says neither pool: nor person: (where its leads go)", what)
	case pool != nil && person != nil:
		p.errorf(person, "%s has both pool: and person:; choose one", what)
	case pool != nil:
		rule.Pool = p.poolRef(pool, r, what)
	default:
		rule.Person, _ = p.userID(person, what+": person")
	}
	if k := keys["fallback"]; k != nil {
		fk := p.mapping(k, what+" fallback", "pool", "person")
		switch {
		case len(fk) != 1:
			p.errorf(k, "%s: fallback needs exactly one of pool: or person:", what)
		case fk["pool"] != nil:
			rule.Fallback.Pool = p.poolRef(fk["pool"], r, what+" fallback")
			if rule.Fallback.Pool != nil && rule.Fallback.Pool == rule.Pool {
				p.errorf(fk["pool"], "%s: the fallback is the rule's own pool; name another pool or a person", what)
			}
		default:
			rule.Fallback.Person, _ = p.userID(fk["person"], what+": fallback person")
		}
	}
}

// poolRef looks up a pool by name, case-insensitively.
func (p *parser) poolRef(n *yaml.Node, r *Rules, what string) *Pool {
	name, ok := p.scalar(n, what+": pool")
	if !ok {
		return nil
	}
	pool, ok := r.pools[fold(name)]
	if !ok {
		names := make([]string, len(r.Pools))
		for i, q := range r.Pools {
			names[i] = q.Name
		}
		p.errorf(n, "%s: unknown pool %q (pools: %s)", what, name, strings.Join(names, ", "))
		return nil
	}
	r.usedPools[pool.Name] = true
	return pool
}

// ruleSettings reads the flags and numbers that shape a rule's pick.
func (p *parser) ruleSettings(keys map[string]*yaml.Node, rule *Rule, what string) {
	if k := keys["account_owner_first"]; k != nil {
		rule.AccountOwnerFirst = p.boolean(k, what+": account_owner_first")
	}
	if k := keys["skip_outside_hours"]; k != nil {
		rule.SkipOutsideHours = p.boolean(k, what+": skip_outside_hours")
	}
	if k := keys["on_return"]; k != nil {
		if s, ok := p.scalar(k, what+": on_return"); ok {
			switch enumFold(s) {
			case string(HoldPlace), string(CatchUp):
				rule.OnReturn = OnReturn(enumFold(s))
			default:
				p.errorf(k, "%s: on_return must be hold_place or catch_up, not %q", what, s)
			}
		}
	}
	if k := keys["catch_up_limit"]; k != nil {
		if rule.OnReturn != CatchUp {
			p.errorf(k, "%s: catch_up_limit only applies with on_return: catch_up", what)
		}
		rule.CatchUpLimit, _ = p.integer(k, what+": catch_up_limit", 1, "")
	}
	if rule.OnReturn == CatchUp && rule.CatchUpLimit == 0 {
		rule.CatchUpLimit = DefaultCatchUpLimit
	}
	if k := keys["reroute_on_breach"]; k != nil {
		rule.RerouteOnBreach, _ = p.integer(k, what+": reroute_on_breach", 0, "")
		if rule.RerouteOnBreach > 0 && rule.Pool == nil && keys["pool"] == nil {
			p.errorf(k, "%s: reroute_on_breach needs a pool: to move on to the next person of", what)
		}
	}
}
