package fakehubspot

import (
	"cmp"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// operators are the search operators HubSpot documents.
var operators = []string{"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
	"HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}

// matchesFilter applies one filter to a contact's value v of property p.
// Comparisons follow the property's type: datetimes and numbers compare
// as numbers (a datetime filter value may be epoch milliseconds or an ISO
// date), text case-insensitively.
func matchesFilter(p *Property, v string, n cell, f searchFilter) bool {
	c := func(x string) int { return n.compare(p, v, x) }
	val := func() string {
		if f.Value == nil {
			return ""
		}
		return *f.Value
	}
	switch f.Operator {
	case "HAS_PROPERTY":
		return v != ""
	case "NOT_HAS_PROPERTY":
		return v == ""
	case "NEQ":
		return v == "" || c(val()) != 0
	case "NOT_IN":
		return !slices.ContainsFunc(f.Values, func(x string) bool { return v != "" && c(x) == 0 })
	case "NOT_CONTAINS_TOKEN":
		return !containsToken(v, val())
	}
	if v == "" {
		return false // every other operator needs a value to hold
	}
	switch f.Operator {
	case "EQ":
		return c(val()) == 0
	case "LT":
		return c(val()) < 0
	case "LTE":
		return c(val()) <= 0
	case "GT":
		return c(val()) > 0
	case "GTE":
		return c(val()) >= 0
	case "BETWEEN":
		high := ""
		if f.HighValue != nil {
			high = *f.HighValue
		}
		return c(val()) >= 0 && c(high) <= 0
	case "IN":
		return slices.ContainsFunc(f.Values, func(x string) bool { return c(x) == 0 })
	case "CONTAINS_TOKEN":
		return containsToken(v, val())
	}
	return false
}

// cell is a number or datetime value read once, when it was written, so
// a search over thousands of contacts does not parse dates per filter.
type cell struct {
	num   float64
	isNum bool
}

// compare compares v (read as c) with a filter value x.
func (c cell) compare(p *Property, v, x string) int {
	if c.isNum {
		if y, ok := number(x); ok {
			return cmp.Compare(c.num, y)
		}
	}
	return compareValues(p, v, x)
}

// compareValues compares a and b as values of p.
func compareValues(p *Property, a, b string) int {
	if p != nil && (p.Type == "datetime" || p.Type == "number") {
		x, okA := number(a)
		y, okB := number(b)
		if okA && okB {
			return cmp.Compare(x, y)
		}
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// number reads a number, or a datetime as epoch milliseconds.
func number(s string) (float64, bool) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return float64(t.UnixMilli()), true
		}
	}
	return 0, false
}

// containsToken matches the whole value or one of its words, with * as a
// wildcard (HubSpot's CONTAINS_TOKEN, e.g. *@acme.example).
func containsToken(v, token string) bool {
	token, v = strings.ToLower(token), strings.ToLower(v)
	if ok, _ := path.Match(token, v); ok {
		return true
	}
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(" @.-,", r) }) {
		if ok, _ := path.Match(token, w); ok {
			return true
		}
	}
	return false
}
