package routing

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The values direction and priority may take, folded.
const (
	dirSales     = "to_sales"
	dirMarketing = "to_marketing"
)

var (
	validDirection = map[string]bool{dirSales: true, dirMarketing: true}
	validPriority  = map[string]bool{"hot": true, "warm": true, "cold": true}
)

// kind says how a condition compares a lead's value with the listed ones.
type kind int

const (
	kindEnum      kind = iota // one of a fixed list (direction, priority)
	kindText                  // free text, case-insensitive; "abc*" is a prefix
	kindCountry               // ISO codes, territories expanded
	kindEmployees             // ranges of head count
	kindDomain                // an email domain or any of its subdomains
)

// conditionKinds lists the keys a rule's `when` may hold, in the order
// explanations show them.
var conditionKinds = []struct {
	field string
	kind  kind
}{
	{"direction", kindEnum}, {"source", kindText}, {"campaign", kindText},
	{"priority", kindEnum}, {"country", kindCountry}, {"region", kindText},
	{"employees", kindEmployees}, {"industry", kindText}, {"email_domain", kindDomain},
}

// condition is one `when` key of a rule: the lead's field must take one of
// the listed values. Values of one condition are alternatives (OR); the
// conditions of a rule must all hold (AND).
type condition struct {
	field    string
	kind     kind
	line     int
	shown    []string        // the values as written, for explanations
	exact    map[string]bool // folded values; ISO codes for country
	prefixes []string        // text values written as "abc*", without the *
	ranges   []span          // employees
	unknown  bool            // employees: "unknown" was listed
}

// span is an inclusive range of head count; hi is math.MaxInt for "N+".
type span struct{ lo, hi int }

// leadValue is the lead's value for c's field, folded as c compares it,
// and "" when the lead does not say.
func (c *condition) leadValue(l Lead) string {
	switch c.field {
	case "direction":
		return enumFold(l.Direction)
	case "priority":
		return enumFold(l.Priority)
	case "source":
		return fold(l.Source)
	case "campaign":
		return fold(l.Campaign)
	case "region":
		return fold(l.Region)
	case "industry":
		return fold(l.Industry)
	case "country":
		return strings.ToUpper(strings.TrimSpace(l.Country))
	case "email_domain":
		return l.Domain()
	case "employees":
		if l.Employees == nil {
			return ""
		}
		return strconv.Itoa(*l.Employees)
	}
	return ""
}

// matches reports whether the lead satisfies c.
func (c *condition) matches(l Lead) bool {
	if c.kind == kindEmployees {
		if l.Employees == nil {
			return c.unknown
		}
		return c.inRanges(*l.Employees)
	}
	v := c.leadValue(l)
	if v == "" {
		return false
	}
	if c.kind == kindDomain {
		return c.matchDomain(v)
	}
	return c.exact[v] || c.matchPrefix(v)
}

func (c *condition) inRanges(n int) bool {
	for _, s := range c.ranges {
		if n >= s.lo && n <= s.hi {
			return true
		}
	}
	return false
}

func (c *condition) matchPrefix(v string) bool {
	for _, p := range c.prefixes {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

func (c *condition) matchDomain(d string) bool {
	for e := range c.exact {
		if d == e || strings.HasSuffix(d, "."+e) {
			return true
		}
	}
	return false
}

// covers reports whether every lead that satisfies o also satisfies c (both
// on the same field). It is conservative: false when unsure. It lets Parse
// find a rule that an earlier, broader rule always takes first.
func (c *condition) covers(o *condition) bool {
	switch c.kind {
	case kindEmployees:
		if o.unknown && !c.unknown {
			return false
		}
		for _, s := range o.ranges {
			if !slices.ContainsFunc(c.ranges, func(t span) bool { return t.lo <= s.lo && s.hi <= t.hi }) {
				return false
			}
		}
		return true
	case kindDomain:
		for d := range o.exact {
			if !c.matchDomain(d) {
				return false
			}
		}
		return true
	}
	for v := range o.exact {
		if !c.exact[v] && !c.matchPrefix(v) {
			return false
		}
	}
	for _, q := range o.prefixes {
		if !c.matchPrefix(q) {
			return false
		}
	}
	return true
}

// String shows the condition as a manager would say it: "country EMEA, JP".
func (c *condition) String() string {
	return c.field + " " + strings.Join(c.shown, ", ")
}

// miss says why a lead failed c, for `routing explain`.
func (c *condition) miss(l Lead) string {
	v := c.leadValue(l)
	if v == "" {
		v = "not given"
	}
	return fmt.Sprintf("%s is %s, the rule wants %s", c.field, v, strings.Join(c.shown, ", "))
}

// enumFold lets people write "To Sales", "to-sales" or "TO_SALES".
func enumFold(s string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(fold(s))
}

// parseCount reads a non-negative whole number, allowing thousands
// separators ("2,500" or "2_500").
func parseCount(s string) (int, error) {
	t := strings.NewReplacer(",", "", "_", "", " ", "").Replace(s)
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole number of 0 or more", s)
	}
	return n, nil
}

// parseSpan reads "50-999", "1000+" or a single number.
func parseSpan(s string) (span, error) {
	t := strings.TrimSpace(s)
	if rest, ok := strings.CutSuffix(t, "+"); ok {
		lo, err := parseCount(rest)
		return span{lo, math.MaxInt}, err
	}
	if a, b, ok := strings.Cut(t, "-"); ok {
		lo, err := parseCount(a)
		if err != nil {
			return span{}, err
		}
		hi, err := parseCount(b)
		if err != nil {
			return span{}, err
		}
		if lo > hi {
			return span{}, fmt.Errorf("range %q runs backwards; write %d-%d", s, hi, lo)
		}
		return span{lo, hi}, nil
	}
	n, err := parseCount(t)
	return span{n, n}, err
}

// conditions reads a rule's `when:` mapping.
func (p *parser) conditions(n *yaml.Node, r *Rules, what string) []*condition {
	names := make([]string, len(conditionKinds))
	for i, ck := range conditionKinds {
		names[i] = ck.field
	}
	keys := p.mapping(n, what+": when", names...)
	var out []*condition
	for _, ck := range conditionKinds {
		v := keys[ck.field]
		if v == nil {
			continue
		}
		c := &condition{field: ck.field, kind: ck.kind, line: v.Line, exact: map[string]bool{}}
		ok := true
		for _, item := range p.list(v, what+": "+ck.field) {
			ok = p.conditionValue(item, r, c, what) && ok
		}
		if ok && len(c.shown) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// conditionValue adds one listed value to c, reporting a value c's field
// cannot take.
func (p *parser) conditionValue(n *yaml.Node, r *Rules, c *condition, what string) bool {
	s := strings.TrimSpace(n.Value)
	where := what + ": " + c.field
	before := len(p.problems)
	switch c.kind {
	case kindEnum:
		v := enumFold(s)
		valid, names := validPriority, "hot, warm, cold"
		if c.field == "direction" {
			valid, names = validDirection, "to_sales, to_marketing"
		}
		if !valid[v] {
			p.errorf(n, "%s: %q is not one of %s", where, s, names)
		}
		c.exact[v] = true
	case kindText:
		p.textValue(n, s, c, where)
	case kindCountry:
		p.addCountry(n, r, c.exact, where)
	case kindEmployees:
		p.employeesValue(n, s, c, where)
	case kindDomain:
		d := normDomain(s)
		if !strings.Contains(d, ".") || strings.ContainsAny(d, "@/*: ") {
			p.errorf(n, "%s: %q is not an email domain such as acme.com", where, s)
		}
		c.exact[d] = true
	}
	c.shown = append(c.shown, s)
	return len(p.problems) == before
}

// textValue reads free text, where a trailing * makes a prefix.
func (p *parser) textValue(n *yaml.Node, s string, c *condition, where string) {
	v := fold(s)
	pre, wild := strings.CutSuffix(v, "*")
	switch {
	case strings.Contains(pre, "*"):
		p.errorf(n, "%s: %q: only a * at the end (a prefix) is understood", where, s)
	case wild && pre == "":
		p.errorf(n, "%s: a lone * matches every %s; leave the condition out instead", where, c.field)
	case wild:
		c.prefixes = append(c.prefixes, pre)
	default:
		c.exact[v] = true
	}
}

// employeesValue reads "unknown" or a head-count range.
func (p *parser) employeesValue(n *yaml.Node, s string, c *condition, where string) {
	if fold(s) == "unknown" {
		c.unknown = true
		return
	}
	sp, err := parseSpan(s)
	if err != nil {
		p.errorf(n, "%s: %v; write ranges such as 1-49, 50-999 or 1000+ (or unknown)", where, err)
		return
	}
	c.ranges = append(c.ranges, sp)
}
