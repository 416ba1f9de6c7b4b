package fakehubspot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakehubspot"
)

func mql(s *fakehubspot.Server, email string, at time.Time) string {
	id := s.AddContact(fakehubspot.Props{"email": email})
	s.MoveToStage(id, "marketingqualifiedlead", at)
	return id
}

func entered(from, to time.Time) []any {
	return []any{map[string]any{"filters": []any{
		map[string]string{"propertyName": "hs_v2_date_entered_marketingqualifiedlead", "operator": "GTE", "value": itoa(int(from.UnixMilli()))},
		map[string]string{"propertyName": "hs_v2_date_entered_marketingqualifiedlead", "operator": "LT", "value": from.Add(to.Sub(from)).Format(time.RFC3339)},
	}}}
}

func TestSearchLimits(t *testing.T) {
	s, _ := mustServer(t, fakehubspot.WithSearchRateLimit(0))
	filter := map[string]string{"propertyName": "email", "operator": "HAS_PROPERTY"}
	group := func(n int) map[string]any {
		fs := make([]any, n)
		for i := range fs {
			fs[i] = filter
		}
		return map[string]any{"filters": fs}
	}
	for name, body := range map[string]any{
		"limit over 200":   map[string]any{"limit": 201},
		"limit 0":          map[string]any{"limit": 0},
		"after past cap":   map[string]any{"after": "10000"},
		"six groups":       map[string]any{"filterGroups": []any{group(1), group(1), group(1), group(1), group(1), group(1)}},
		"seven in a group": map[string]any{"filterGroups": []any{group(7)}},
		"nineteen in all":  map[string]any{"filterGroups": []any{group(6), group(6), group(6), group(1)}},
		"two sorts":        map[string]any{"sorts": []any{map[string]string{"propertyName": "email", "direction": "ASCENDING"}, map[string]string{"propertyName": "email", "direction": "ASCENDING"}}},
		"unknown operator": map[string]any{"filterGroups": []any{map[string]any{"filters": []any{map[string]string{"propertyName": "email", "operator": "LIKE"}}}}},
		"unknown property": map[string]any{"filterGroups": []any{map[string]any{"filters": []any{map[string]string{"propertyName": "nope", "operator": "HAS_PROPERTY"}}}}},
		"unknown field":    map[string]any{"filterGroupz": []any{}},
	} {
		if a := mustCall(t, s, s.Token(), "POST", search, body); a.status != 400 || a.body["category"] != "VALIDATION_ERROR" {
			t.Errorf("%s: %d %v, want 400 VALIDATION_ERROR", name, a.status, a.body)
		}
	}
	if a := mustCall(t, s, s.Token(), "POST", search, map[string]any{"filterGroups": []any{group(6), group(6), group(6)}, "limit": 200}); a.status != 200 {
		t.Errorf("18 filters in 3 groups and limit 200 are allowed: %d %v", a.status, a.body)
	}
}

func TestSearchPagesUpToTheCap(t *testing.T) {
	s, clock := mustServer(t, fakehubspot.WithSearchRateLimit(0))
	for i := range 10_100 {
		mql(s, "p"+itoa(i)+"@acme.example", t0.Add(time.Duration(i)*time.Second))
	}
	clock.Advance(4 * time.Hour)
	body := map[string]any{"filterGroups": entered(t0, clock.Now()), "limit": 200, "after": "9800",
		"sorts": []any{map[string]string{"propertyName": "hs_v2_date_entered_marketingqualifiedlead", "direction": "ASCENDING"}}}
	a := mustCall(t, s, s.Token(), "POST", search, body)
	if a.status != 200 || a.body["total"] != float64(10_100) || len(a.body["results"].([]any)) != 200 {
		t.Fatalf("page at 9800: %d, total %v", a.status, a.body["total"])
	}
	next := a.body["paging"].(map[string]any)["next"].(map[string]any)["after"]
	if next != "10000" {
		t.Fatalf("next after %v", next)
	}
	body["after"] = next
	wantError(t, mustCall(t, s, s.Token(), "POST", search, body), 400, "VALIDATION_ERROR")
}

func TestSearchSeesWritesAfterTheIndexLag(t *testing.T) {
	s, clock := mustServer(t, fakehubspot.WithIndexLag(10*time.Second))
	id := mql(s, "ada@acme.example", t0)
	body := map[string]any{"filterGroups": entered(t0.Add(-time.Hour), t0.Add(time.Hour))}
	if a := mustCall(t, s, s.Token(), "POST", search, body); a.body["total"] != float64(0) {
		t.Errorf("searchable before the lag: %v", a.body)
	}
	if a := mustCall(t, s, s.Token(), "GET", "/crm/objects/2026-09/contacts/"+id, nil); a.status != 200 {
		t.Errorf("a read by id does not lag: %d", a.status)
	}
	clock.Advance(10 * time.Second)
	if a := mustCall(t, s, s.Token(), "POST", search, body); a.body["total"] != float64(1) {
		t.Errorf("not searchable after the lag: %v", a.body)
	}
	s.MoveToStage(id, "lead", clock.Now()) // leaves: still an MQL to search until indexed
	if a := mustCall(t, s, s.Token(), "POST", search, map[string]any{"filterGroups": []any{map[string]any{"filters": []any{
		map[string]string{"propertyName": "lifecyclestage", "operator": "EQ", "value": "MarketingQualifiedLead"}}}}}); a.body["total"] != float64(1) {
		t.Errorf("the old version should still be indexed (and EQ case-insensitive): %v", a.body)
	}
}

func TestSearchOperatorsAndSort(t *testing.T) {
	s, _ := mustServer(t, fakehubspot.WithSearchRateLimit(0))
	a := s.AddContact(fakehubspot.Props{"email": "ada@acme.example", "firstname": "Ada", "numemployees": "25-50"})
	b := s.AddContact(fakehubspot.Props{"email": "bob@beta.example", "firstname": "Bob"})
	c := s.AddContact(fakehubspot.Props{"email": "cy@acme.example", "firstname": "Cy"})
	for name, tc := range map[string]struct {
		filter map[string]any
		want   string
	}{
		"IN":                   {map[string]any{"propertyName": "firstname", "operator": "IN", "values": []string{"ada", "cy"}}, a + "," + c},
		"NOT_IN":               {map[string]any{"propertyName": "firstname", "operator": "NOT_IN", "values": []string{"ada"}}, b + "," + c},
		"NEQ":                  {map[string]any{"propertyName": "firstname", "operator": "NEQ", "value": "Bob"}, a + "," + c},
		"CONTAINS_TOKEN *":     {map[string]any{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@acme.example"}, a + "," + c},
		"NOT_HAS_PROPERTY":     {map[string]any{"propertyName": "numemployees", "operator": "NOT_HAS_PROPERTY"}, b + "," + c},
		"BETWEEN ids":          {map[string]any{"propertyName": "hs_object_id", "operator": "BETWEEN", "value": a, "highValue": b}, a + "," + b},
		"GT numeric, not text": {map[string]any{"propertyName": "hs_object_id", "operator": "GT", "value": "99"}, a + "," + b + "," + c},
	} {
		got := mustCall(t, s, s.Token(), "POST", search, map[string]any{"filterGroups": []any{map[string]any{"filters": []any{tc.filter}}}})
		if ids := idsOf(got); ids != tc.want {
			t.Errorf("%s: %s, want %s (%v)", name, ids, tc.want, got.body)
		}
	}
	sorted := mustCall(t, s, s.Token(), "POST", search, map[string]any{"sorts": []any{map[string]string{"propertyName": "firstname", "direction": "DESCENDING"}}})
	if ids := idsOf(sorted); ids != c+","+b+","+a {
		t.Errorf("sorted: %s", ids)
	}
}

func idsOf(a answer) string {
	var ids []string
	results, _ := a.body["results"].([]any)
	for _, r := range results {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	return strings.Join(ids, ",")
}
