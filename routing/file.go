package routing

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Slack ID shapes: users (U…, or W… on Enterprise Grid) and user groups (S…).
var (
	userIDShape  = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	groupIDShape = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
)

// parser walks the YAML node tree of a rules file, collecting every problem
// with its place instead of stopping at the first.
type parser struct {
	problems []Problem
	warnings []Problem
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: n.Line, Column: n.Column, Message: fmt.Sprintf(format, args...)})
}

// field is one key: value pair of a mapping.
type field struct{ key, value *yaml.Node }

// deref follows an alias (*anchor) to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// pairs returns the key: value pairs of a mapping, reporting a node that is
// not one, merge keys and keys given twice.
func (p *parser) pairs(n *yaml.Node, what string) []field {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping (key: value lines)", what)
		return nil
	}
	var out []field
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		switch first, dup := seen[k.Value]; {
		case k.Value == "<<":
			p.errorf(k, "merge keys (<<) are not supported in %s: repeat the keys instead", what)
		case dup:
			p.errorf(k, "%q is given twice in %s (first on line %d)", k.Value, what, first)
		default:
			seen[k.Value] = k.Line
			out = append(out, field{k, v})
		}
	}
	return out
}

// mapping returns a mapping's values by key, reporting keys not in allowed
// with the closest allowed key as a hint.
func (p *parser) mapping(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for _, f := range p.pairs(n, what) {
		if !contains(allowed, f.key.Value) {
			hint := ""
			if s := suggest(f.key.Value, allowed); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			p.errorf(f.key, "unknown key %q in %s%s; allowed: %s", f.key.Value, what, hint, strings.Join(allowed, ", "))
			continue
		}
		out[f.key.Value] = f.value
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scalar returns the text of a single value, reporting a list, a mapping or
// a missing value.
func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	switch {
	case n.Kind != yaml.ScalarNode:
		p.errorf(n, "%s must be a single value, not a list or mapping", what)
		return "", false
	case n.Tag == "!!null" || strings.TrimSpace(n.Value) == "":
		p.errorf(n, "%s needs a value", what)
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// list returns the items of a value that may be written as one scalar or as
// a list of scalars ("country: DE" or "country: [DE, AT]").
func (p *parser) list(n *yaml.Node, what string) []*yaml.Node {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		if _, ok := p.scalar(n, what); ok {
			return []*yaml.Node{n}
		}
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a value or a list of values", what)
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, "%s is an empty list", what)
	}
	var out []*yaml.Node
	for _, item := range n.Content {
		item = deref(item)
		if _, ok := p.scalar(item, what); ok {
			out = append(out, item)
		}
	}
	return out
}

// integer reads a whole number of at least lowest.
func (p *parser) integer(n *yaml.Node, what string, lowest int, why string) (int, bool) {
	s, ok := p.scalar(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		p.errorf(n, "%s must be a whole number, not %q", what, s)
		return 0, false
	}
	if v < lowest {
		p.errorf(n, "%s must be %d or more, not %d%s", what, lowest, v, why)
		return 0, false
	}
	return v, true
}

// boolean reads true/false, also accepting yes/no and on/off, which people
// write and older YAML read as booleans.
func (p *parser) boolean(n *yaml.Node, what string) bool {
	s, ok := p.scalar(n, what)
	if !ok {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	p.errorf(n, "%s must be true or false, not %q", what, s)
	return false
}

// userID reads a Slack user ID, explaining what is wanted when a name or a
// mention was written instead.
func (p *parser) userID(n *yaml.Node, what string) (string, bool) {
	s, ok := p.scalar(n, what)
	if !ok {
		return "", false
	}
	if !userIDShape.MatchString(s) {
		p.errorf(n, "%s %q is not a Slack user ID such as U0123ABCD (names can change, IDs cannot: copy it from the person's profile)", what, s)
		return "", false
	}
	return s, true
}
