package routing

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrNoRule means no rule of the file matches a lead. The caller then uses
// the teams' plain rotation (Default), as when there is no file at all.
var ErrNoRule = errors.New("routing: no rule matches the lead")

// Rules is a parsed, validated rules file: ordered rules, the pools they
// send to and the territories they name. It is immutable and safe for
// concurrent use.
type Rules struct {
	File        string
	List        []*Rule // in file order; the first match wins
	Pools       []*Pool // in file order
	Territories []*Territory
	Warnings    []Problem // things that are legal but probably not meant

	pools           map[string]*Pool      // by folded name
	territories     map[string]*Territory // by folded name
	usedPools       map[string]bool
	usedTerritories map[string]bool
}

// Parse reads and validates a rules file. Its error is a *ParseError that
// lists every problem found, each with its line, so one run of `routing
// check` shows everything to fix.
func Parse(filename string, data []byte) (*Rules, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ParseError{File: filename, Problems: []Problem{syntaxProblem(err)}}
	}
	if len(doc.Content) == 0 {
		return nil, &ParseError{File: filename, Problems: []Problem{{Line: 1, Message: "the file is empty; it needs at least pools: and rules:"}}}
	}
	r := &Rules{File: filename, pools: map[string]*Pool{}, territories: map[string]*Territory{},
		usedPools: map[string]bool{}, usedTerritories: map[string]bool{}}
	p := &parser{}
	root := doc.Content[0]
	top := p.mapping(root, "the file", "version", "territories", "pools", "rules")
	if n := top["version"]; n != nil {
		if v, ok := p.scalar(n, "version"); ok && v != "1" {
			p.errorf(n, "version %s is not known; this handoffbot reads version 1", v)
		}
	}
	if n := top["territories"]; n != nil {
		p.territories(n, r)
	}
	if n := top["pools"]; n != nil {
		p.pools(n, r)
	} else {
		p.errorf(root, "the file has no pools:")
	}
	if n := top["rules"]; n != nil {
		p.rules(n, r)
	} else {
		p.errorf(root, "the file has no rules:")
	}
	p.checkReachable(r)
	p.checkUnused(r)
	if len(p.problems) > 0 {
		return nil, &ParseError{File: filename, Problems: sorted(p.problems)}
	}
	r.Warnings = sorted(p.warnings)
	return r, nil
}

func sorted(ps []Problem) []Problem {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return ps
}

// checkReachable reports rules that an earlier rule always takes first.
func (p *parser) checkReachable(r *Rules) {
	for j, later := range r.List {
		for _, earlier := range r.List[:j] {
			if !earlier.broken && !later.broken && earlier.shadows(later) {
				p.problems = append(p.problems, Problem{Line: later.Line, Message: fmt.Sprintf(
					"rule %q can never match: every lead it would take goes to rule %q (line %d) first; move it above that rule or narrow that rule",
					later.Name, earlier.Name, earlier.Line)})
				break
			}
		}
	}
}

// checkUnused warns of pools and territories no rule uses, and of
// directions no rule catches in full.
func (p *parser) checkUnused(r *Rules) {
	for _, pool := range r.Pools {
		if !r.usedPools[pool.Name] {
			p.warnings = append(p.warnings, Problem{Line: pool.Line, Message: fmt.Sprintf("pool %q is not used by any rule", pool.Name)})
		}
	}
	for _, t := range r.Territories {
		if !r.usedTerritories[t.Name] {
			p.warnings = append(p.warnings, Problem{Line: t.Line, Message: fmt.Sprintf("territory %q is not used by any rule", t.Name)})
		}
	}
	for _, dir := range []string{dirSales, dirMarketing} {
		probe := &Rule{when: []*condition{{field: "direction", kind: kindEnum, exact: map[string]bool{dir: true}}}}
		if !slices.ContainsFunc(r.List, func(rule *Rule) bool { return rule.shadows(probe) }) {
			p.warnings = append(p.warnings, Problem{Message: fmt.Sprintf(
				"no rule catches every lead %s: those that match no rule go to the team's plain rotation", dir)})
		}
	}
}

// Miss is a rule that did not take a lead, and the first condition that
// failed: the answer to "why not that rule?".
type Miss struct {
	Rule string
	Line int
	Why  string
}

// Match is the outcome of matching a lead: the rule that takes it and why
// each rule above it did not.
type Match struct {
	Lead   Lead // with the defaults filled in (to_sales, warm)
	Rule   *Rule
	Misses []Miss
}

// Match finds the first rule whose conditions all hold for l. An empty
// direction reads as to_sales and an empty priority as warm, the defaults
// a new handoff gets. If none matches, the error is ErrNoRule and the Match
// still lists every miss, for explanations.
func (r *Rules) Match(l Lead) (Match, error) {
	if strings.TrimSpace(l.Direction) == "" {
		l.Direction = dirSales
	}
	if strings.TrimSpace(l.Priority) == "" {
		l.Priority = "warm"
	}
	m := Match{Lead: l}
	for _, rule := range r.List {
		ok, why := rule.matches(l)
		if ok {
			m.Rule = rule
			return m, nil
		}
		m.Misses = append(m.Misses, Miss{Rule: rule.Name, Line: rule.Line, Why: why})
	}
	return m, ErrNoRule
}

// Rule finds a rule by name (case-insensitively), for re-routing a handoff
// whose assignment event recorded the rule. ok is false if the file no
// longer has it.
func (r *Rules) Rule(name string) (rule *Rule, ok bool) {
	i := slices.IndexFunc(r.List, func(x *Rule) bool { return fold(x.Name) == fold(name) })
	if i < 0 {
		return nil, false
	}
	return r.List[i], true
}

// Pool finds a pool by name (case-insensitively).
func (r *Rules) Pool(name string) (pool *Pool, ok bool) {
	pool, ok = r.pools[fold(name)]
	return pool, ok
}
