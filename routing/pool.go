package routing

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pool is a named group of people who share a kind of lead. Rules send
// leads to pools rather than to lists of people, so that a pool's weights
// and caps are set once and its fairness can be reported on its own.
type Pool struct {
	Name    string
	Line    int
	Members []Member // in file order
}

// Member is one entry of a pool as written: a person or a Slack user group
// (every person in it), with the weight and caps each of them gets.
type Member struct {
	Person    string // U… or W…; or
	Group     string // S…
	Weight    int    // share of the rotation relative to the others; at least 1
	MaxOpen   int    // open handoffs at once; 0: no cap
	MaxPerDay int    // new handoffs per day; 0: no cap
	Line      int
}

// Seat is one person's place in a pool once groups are expanded: the unit
// the rotation works with.
type Seat struct {
	User      string
	Weight    int
	MaxOpen   int // 0: no cap
	MaxPerDay int // 0: no cap
}

// Seats expands the pool into one seat per person, using groups (user-group
// ID → member user IDs, as Slack lists them). A person listed by name keeps
// that entry's weight and caps even if a group also contains them; a person
// in two groups takes the first group's. People from a group are taken in
// ID order so every replica sees the same order whatever order Slack used.
// It fails if a group of the pool is missing from groups.
func (p *Pool) Seats(groups map[string][]string) ([]Seat, error) {
	var seats []Seat
	seen := map[string]bool{}
	add := func(user string, m Member) {
		if !seen[user] {
			seen[user] = true
			seats = append(seats, Seat{User: user, Weight: m.Weight, MaxOpen: m.MaxOpen, MaxPerDay: m.MaxPerDay})
		}
	}
	for _, m := range p.Members {
		if m.Person != "" {
			add(m.Person, m)
		}
	}
	for _, m := range p.Members {
		if m.Group == "" {
			continue
		}
		users, ok := groups[m.Group]
		if !ok {
			return nil, fmt.Errorf("pool %s: members of group %s not given", p.Name, m.Group)
		}
		users = slices.Clone(users)
		slices.Sort(users)
		for _, u := range users {
			add(u, m)
		}
	}
	return seats, nil
}

// Groups lists the user groups the pool names, for the caller to expand.
func (p *Pool) Groups() []string {
	var out []string
	for _, m := range p.Members {
		if m.Group != "" {
			out = append(out, m.Group)
		}
	}
	return out
}

// poolKeys and memberKeys are the keys a pool and a member may have.
var (
	poolKeys   = []string{"members", "weight", "max_open", "max_per_day"}
	memberKeys = []string{"person", "group", "weight", "max_open", "max_per_day"}
)

// pools reads the top-level `pools:` mapping. Pool-level weight and caps
// are defaults for members that do not set their own.
func (p *parser) pools(n *yaml.Node, r *Rules) {
	for _, f := range p.pairs(n, "pools") {
		name := strings.TrimSpace(f.key.Value)
		if prev, dup := r.pools[fold(name)]; dup {
			p.errorf(f.key, "pool %q is defined twice (first on line %d)", name, prev.Line)
			continue
		}
		what := "pool " + name
		keys := p.mapping(f.value, what, poolKeys...)
		def := p.memberSettings(keys, what, Member{Weight: 1})
		pool := &Pool{Name: name, Line: f.key.Line}
		if keys["members"] == nil {
			p.errorf(f.key, "%s has no members:", what)
		} else {
			pool.Members = p.members(keys["members"], what, def)
		}
		r.pools[fold(name)] = pool
		r.Pools = append(r.Pools, pool)
	}
}

// memberSettings reads weight and caps over the defaults in def.
func (p *parser) memberSettings(keys map[string]*yaml.Node, what string, def Member) Member {
	m := def
	if n := keys["weight"]; n != nil {
		if v, ok := p.integer(n, what+": weight", 1, " (to stop giving someone leads, remove them or mark them away)"); ok {
			m.Weight = v
		}
	}
	if n := keys["max_open"]; n != nil {
		if v, ok := p.integer(n, what+": max_open", 1, " (leave max_open out for no cap)"); ok {
			m.MaxOpen = v
		}
	}
	if n := keys["max_per_day"]; n != nil {
		if v, ok := p.integer(n, what+": max_per_day", 1, " (leave max_per_day out for no cap)"); ok {
			m.MaxPerDay = v
		}
	}
	return m
}

// members reads a pool's member list. An item is an ID on its own ("U0…"
// or "S0…") or a mapping with person or group and its own settings.
func (p *parser) members(n *yaml.Node, what string, def Member) []Member {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "%s: members must be a list with at least one person or group", what)
		return nil
	}
	var out []Member
	seen := map[string]int{}
	for _, item := range n.Content {
		m, ok := p.member(deref(item), what, def)
		if !ok {
			continue
		}
		id := m.Person + m.Group
		if first, dup := seen[id]; dup {
			p.errorf(item, "%s: %s is listed twice (first on line %d)", what, id, first)
			continue
		}
		seen[id] = m.Line
		out = append(out, m)
	}
	return out
}

// member reads one member entry.
func (p *parser) member(n *yaml.Node, what string, def Member) (Member, bool) {
	m := def
	m.Line = n.Line
	id, idNode := n.Value, n
	if n.Kind == yaml.MappingNode {
		keys := p.mapping(n, what+" member", memberKeys...)
		m = p.memberSettings(keys, what, def)
		m.Line = n.Line
		person, group := keys["person"], keys["group"]
		if (person == nil) == (group == nil) {
			p.errorf(n, "%s: a member needs exactly one of person: or group:", what)
			return m, false
		}
		idNode = person
		if group != nil {
			idNode = group
		}
		var ok bool
		if id, ok = p.scalar(idNode, what+" member"); !ok {
			return m, false
		}
		m, ok = p.memberID(idNode, what, id, m)
		switch {
		case ok && m.Group != "" && person != nil:
			p.errorf(idNode, "%s: %s is a user-group ID; write it as group: %s", what, id, id)
			return m, false
		case ok && m.Person != "" && group != nil:
			p.errorf(idNode, "%s: %s is a user ID; write it as person: %s", what, id, id)
			return m, false
		}
		return m, ok
	}
	if _, ok := p.scalar(n, what+" member"); !ok {
		return m, false
	}
	return p.memberID(idNode, what, strings.TrimSpace(id), m)
}

// memberID files id as a person or a group by its shape, reporting one
// that is neither (or that sits under the wrong key).
func (p *parser) memberID(n *yaml.Node, what, id string, m Member) (Member, bool) {
	switch {
	case userIDShape.MatchString(id):
		m.Person = id
	case groupIDShape.MatchString(id):
		m.Group = id
	default:
		p.errorf(n, "%s: %q is neither a Slack user ID (U…) nor a user-group ID (S…); names can change, IDs cannot", what, id)
		return m, false
	}
	return m, true
}

// Named is every person and user group the rules name, in pools, as a
// rule's person or as a fallback, sorted, once each: whom the bot keeps
// an eye on so that routing asks Slack nothing while a person waits.
func (r *Rules) Named() []string {
	var out []string
	for _, p := range r.Pools {
		for _, m := range p.Members {
			out = append(out, cmp.Or(m.Person, m.Group))
		}
	}
	for _, rule := range r.List {
		out = append(out, rule.Person, rule.Fallback.Person)
	}
	out = slices.DeleteFunc(out, func(id string) bool { return id == "" })
	slices.Sort(out)
	return slices.Compact(out)
}
