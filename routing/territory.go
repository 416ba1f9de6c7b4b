package routing

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Territory is a named set of countries defined in the rules file (EMEA,
// DACH, NORAM …), so that rules say "country: EMEA" instead of repeating
// sixty codes, and a change of territory is made in one place.
type Territory struct {
	Name      string
	Line      int
	Countries []string // ISO codes, sorted
}

// territories reads the top-level `territories:` mapping. A territory may
// include territories defined above it, which keeps nesting free of cycles.
func (p *parser) territories(n *yaml.Node, r *Rules) {
	for _, f := range p.pairs(n, "territories") {
		name := strings.TrimSpace(f.key.Value)
		key := fold(name)
		switch prev, dup := r.territories[key]; {
		case len([]rune(name)) <= 2:
			p.errorf(f.key, "territory name %q is too short: two-letter names are country codes; use a longer name such as NORAM", name)
			continue
		case dup:
			p.errorf(f.key, "territory %q is defined twice (first on line %d)", name, prev.Line)
			continue
		}
		t := &Territory{Name: name, Line: f.key.Line}
		codes := map[string]bool{}
		for _, item := range p.list(f.value, "territory "+name) {
			p.addCountry(item, r, codes, "territory "+name)
		}
		for c := range codes {
			t.Countries = append(t.Countries, c)
		}
		slices.Sort(t.Countries)
		r.territories[key] = t
		r.Territories = append(r.Territories, t)
	}
}

// addCountry adds what one item names (an ISO code or a territory defined
// so far) to codes, reporting anything else with a hint.
func (p *parser) addCountry(n *yaml.Node, r *Rules, codes map[string]bool, where string) {
	v := strings.TrimSpace(n.Value)
	up := strings.ToUpper(v)
	if t, ok := r.territories[fold(v)]; ok {
		for _, c := range t.Countries {
			codes[c] = true
		}
		r.usedTerritories[t.Name] = true
		return
	}
	switch {
	case countryCodes[up]:
		codes[up] = true
	case commonMistakes[up] != "":
		p.errorf(n, "%s: %q is not an ISO 3166-1 country code; write %s", where, v, commonMistakes[up])
	case len(up) == 2:
		p.errorf(n, "%s: %q is not an ISO 3166-1 alpha-2 country code", where, v)
	default:
		p.errorf(n, "%s: unknown territory %q; countries are two-letter ISO codes such as DE, and territories must be defined under territories: above their first use%s",
			where, v, knownNames(r.Territories))
	}
}

// knownNames lists the territories defined so far for an error message.
func knownNames(ts []*Territory) string {
	if len(ts) == 0 {
		return ""
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return " (defined: " + strings.Join(names, ", ") + ")"
}
