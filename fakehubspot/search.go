package fakehubspot

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Search limits, from HubSpot's "Limitations" of CRM search.
const (
	maxFilterGroups    = 5
	maxFiltersPerGroup = 6
	maxFilters         = 18
	maxLimit           = 200
	defaultLimit       = 10
	maxResults         = 10_000
)

type searchFilter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        *string  `json:"value,omitempty"`
	HighValue    *string  `json:"highValue,omitempty"`
	Values       []string `json:"values,omitempty"`
}

type searchBody struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts []struct {
		PropertyName string `json:"propertyName"`
		Direction    string `json:"direction"`
	} `json:"sorts"`
	Query      string   `json:"query"`
	Properties []string `json:"properties"`
	Limit      *int     `json:"limit"`
	After      string   `json:"after"`
}

// searchContacts serves POST /crm/objects/{v}/contacts/search over the
// index (what was written up to IndexLag ago): filters, one sort, paging
// by offset, 1–200 results a page, and nothing past the 10,000th result.
func (s *Server) searchContacts(w http.ResponseWriter, r *http.Request) {
	var b searchBody
	if !decode(w, r, &b) {
		return
	}
	limit, offset, msg := pageOf(b)
	if msg == "" {
		msg = s.checkQuery(b)
	}
	if msg != "" {
		badRequest(w, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	matches := s.matches(b)
	end := min(offset+limit, len(matches), maxResults)
	results := []map[string]any{}
	names := b.Properties
	if len(names) == 0 {
		names = defaultContactProperties
	}
	names = append(slices.Clone(names), "hs_object_id", "createdate", "lastmodifieddate")
	for _, m := range matches[min(offset, end):end] {
		results = append(results, s.objectJSON(m.id, m.props, names))
	}
	answer := map[string]any{"total": len(matches), "results": results}
	if end < len(matches) {
		answer["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end), "link": "?after=" + strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, answer)
}

// pageOf reads limit and after, or says why they are refused.
func pageOf(b searchBody) (limit, offset int, msg string) {
	limit = defaultLimit
	if b.Limit != nil {
		limit = *b.Limit
	}
	if limit < 1 || limit > maxLimit {
		return 0, 0, "limit must be between 1 and 200"
	}
	if b.After != "" {
		n, err := strconv.Atoi(b.After)
		if err != nil || n < 0 {
			return 0, 0, "after must be a paging cursor from a previous page"
		}
		offset = n
	}
	if offset >= maxResults {
		return 0, 0, "There was a problem with the request: paging beyond 10000 results is not supported. Narrow the search with filters."
	}
	return limit, offset, ""
}

// checkQuery enforces the filter and sort limits and known operators.
func (s *Server) checkQuery(b searchBody) string {
	if len(b.FilterGroups) > maxFilterGroups {
		return "too many filterGroups: at most 5"
	}
	total := 0
	for _, g := range b.FilterGroups {
		if len(g.Filters) > maxFiltersPerGroup {
			return "too many filters in a filterGroup: at most 6"
		}
		total += len(g.Filters)
		for _, f := range g.Filters {
			if !slices.Contains(operators, f.Operator) {
				return "unknown operator " + f.Operator
			}
			s.mu.Lock()
			_, known := s.props[f.PropertyName]
			s.mu.Unlock()
			if !known {
				return "property " + f.PropertyName + " does not exist"
			}
		}
	}
	if total > maxFilters {
		return "too many filters: at most 18 in all"
	}
	if len(b.Sorts) > 1 {
		return "at most one sort"
	}
	for _, so := range b.Sorts {
		if so.Direction != "ASCENDING" && so.Direction != "DESCENDING" {
			return "sort direction must be ASCENDING or DESCENDING"
		}
	}
	return ""
}

type match struct {
	id    string
	props Props
	key   sortKey
}

// sortKey is a value read once for sorting: as a number when the
// property is a number or datetime, else as lower-case text.
type sortKey struct {
	set   bool
	isNum bool
	num   float64
	text  string
}

func keyOf(p *Property, v string, c cell) sortKey {
	if v == "" {
		return sortKey{}
	}
	if c.isNum {
		return sortKey{set: true, isNum: true, num: c.num}
	}
	return sortKey{set: true, text: strings.ToLower(v)}
}

// matches are the indexed contacts matching b, in its order (by id when
// it names none: HubSpot does not document its default order). Callers
// hold s.mu.
func (s *Server) matches(b searchBody) []match {
	now := s.now()
	var sortBy *Property
	if len(b.Sorts) == 1 {
		sortBy = s.props[b.Sorts[0].PropertyName]
	}
	var out []match
	for _, c := range s.contacts {
		v, ok := c.indexed(now)
		if ok && s.matchesGroups(v, b) && matchesQuery(v.props, b.Query) {
			m := match{id: c.id, props: v.props}
			if sortBy != nil {
				m.key = keyOf(sortBy, v.props[sortBy.Name], v.cells[sortBy.Name])
			}
			out = append(out, m)
		}
	}
	desc := len(b.Sorts) == 1 && b.Sorts[0].Direction == "DESCENDING"
	slices.SortFunc(out, func(x, y match) int {
		return cmp.Or(compareKeys(x.key, y.key, desc), cmp.Compare(len(x.id), len(y.id)), cmp.Compare(x.id, y.id))
	})
	return out
}

// compareKeys orders two sort keys; unset values go last either way
// (the fake's reading: HubSpot does not say), ties fall to the id.
func compareKeys(a, b sortKey, desc bool) int {
	switch {
	case !a.set && !b.set:
		return 0
	case !a.set:
		return 1
	case !b.set:
		return -1
	}
	c := strings.Compare(a.text, b.text)
	if a.isNum && b.isNum {
		c = cmp.Compare(a.num, b.num)
	}
	if desc {
		return -c
	}
	return c
}

func (s *Server) matchesGroups(v version, b searchBody) bool {
	if len(b.FilterGroups) == 0 {
		return true
	}
	for _, g := range b.FilterGroups {
		all := true
		for _, f := range g.Filters {
			if !matchesFilter(s.props[f.PropertyName], v.props[f.PropertyName], v.cells[f.PropertyName], f) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// matchesQuery is the free-text query over the default searchable
// properties, by word prefix.
func matchesQuery(p Props, q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return true
	}
	for _, n := range []string{"firstname", "lastname", "email", "phone", "company"} {
		if strings.Contains(strings.ToLower(p[n]), q) {
			return true
		}
	}
	return false
}
