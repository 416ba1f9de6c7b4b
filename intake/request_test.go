package intake

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func mustTree(t *testing.T, body string) any {
	t.Helper()
	tree, err := parseJSON([]byte(body))
	if err != nil {
		t.Fatalf("parse %s: %v", body, err)
	}
	return tree
}

// TestParseRequestRules: each case is one field breaking one rule (or
// keeping to it at the edge), answered with exactly that field's problem.
func TestParseRequestRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes, are counted
	for _, tc := range []struct {
		name, body string
		field      string // "" for a valid body
		message    string
	}{
		{"name at its limit", `{"lead":{"name":"` + long(200) + `"}}`, "", ""},
		{"name too long", `{"lead":{"name":"` + long(201) + `"}}`, "lead.name", "at most 200 characters (this is 201)"},
		{"no lead", `{}`, "lead.name", "Required"},
		{"null lead", `{"lead":null}`, "lead.name", "Required"},
		{"lead not an object", `{"lead":"Dana"}`, "lead", "Must be an object"},
		{"blank name", `{"lead":{"name":"   "}}`, "lead.name", "Required"},
		{"name not a string", `{"lead":{"name":7}}`, "lead.name", "Must be a string"},
		{"body not an object", `[{"lead":{"name":"Dana"}}]`, "", "JSON object"},
		{"unknown field", `{"lead":{"name":"D"},"Priority":"hot"}`, "Priority", "Unknown field"},
		{"unknown lead field", `{"lead":{"name":"D","title":"Agent"}}`, "lead.title", "Unknown field"},
		{"direction", `{"lead":{"name":"D"},"direction":"to_finance"}`, "direction", "one of to_sales, to_marketing"},
		{"direction not a string", `{"lead":{"name":"D"},"direction":1}`, "direction", "one of"},
		{"priority", `{"lead":{"name":"D"},"priority":"Hot"}`, "priority", "one of hot, warm, cold"},
		{"country lower case", `{"lead":{"name":"D","country":"de"}}`, "", ""},
		{"country reserved", `{"lead":{"name":"D","country":"UK"}}`, "lead.country", "ISO 3166-1 alpha-2"},
		{"country alpha-3", `{"lead":{"name":"D","country":"USA"}}`, "lead.country", "at most 2"},
		{"employees zero", `{"lead":{"name":"D","employees":0}}`, "", ""},
		{"employees as 1.0e3", `{"lead":{"name":"D","employees":1.0e3}}`, "", ""},
		{"employees negative", `{"lead":{"name":"D","employees":-1}}`, "lead.employees", "whole number from 0"},
		{"employees fraction", `{"lead":{"name":"D","employees":2.5}}`, "lead.employees", "whole number"},
		{"employees a string", `{"lead":{"name":"D","employees":"35000"}}`, "lead.employees", "whole number"},
		{"employees huge", `{"lead":{"name":"D","employees":1e400}}`, "lead.employees", "whole number"},
		{"email", `{"lead":{"name":"D","email":"Dana <dana@fbi.example>"}}`, "lead.email", "email address"},
		{"occurred_at within skew", `{"lead":{"name":"D"},"occurred_at":"2026-12-04T10:05:00Z"}`, "", ""},
		{"occurred_at in the future", `{"lead":{"name":"D"},"occurred_at":"2026-12-04T10:05:01Z"}`, "occurred_at", "future"},
		{"occurred_at no zone", `{"lead":{"name":"D"},"occurred_at":"2026-12-04T09:00:00"}`, "occurred_at", "RFC 3339"},
		{"occurred_at a date", `{"lead":{"name":"D"},"occurred_at":"2026-12-04"}`, "occurred_at", "RFC 3339"},
		{"assignee user", `{"lead":{"name":"D"},"assignee":"W0123ABCD"}`, "", ""},
		{"assignee email", `{"lead":{"name":"D"},"assignee":"fox@fbi.example"}`, "", ""},
		{"assignee mention", `{"lead":{"name":"D"},"assignee":"<@U0123ABCD>"}`, "assignee", "user ID"},
		{"crm_url", `{"lead":{"name":"D"},"crm_url":"javascript:alert(1)"}`, "crm_url", "web link"},
		{"notes at limit", `{"lead":{"name":"D"},"notes":"` + long(3000) + `"}`, "", ""},
		{"notes too long", `{"lead":{"name":"D"},"notes":"` + long(3001) + `"}`, "notes", "at most 3000"},
		{"NUL", `{"lead":{"name":"D\u0000"}}`, "lead.name", "NUL"},
		{"allow_duplicate a string", `{"lead":{"name":"D"},"allow_duplicate":"yes"}`, "allow_duplicate", "true or false"},
		{"external_id reserved", `{"lead":{"name":"D"},"external_id":"hb-12"}`, "external_id", `"hb-"`},
		{"external_id too long", `{"lead":{"name":"D"},"external_id":"` + long(201) + `"}`, "external_id", "at most 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := parseRequest(mustTree(t, tc.body), testNow)
			if tc.field == "" && tc.message == "" {
				if len(errs) > 0 {
					t.Errorf("refused: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field || !strings.Contains(errs[0].Message, tc.message) {
				t.Errorf("problems %v, want one for %q containing %q", errs, tc.field, tc.message)
			}
		})
	}
}

// TestCanonicalHash: JSON-equal bodies hash the same, others differently.
func TestCanonicalHash(t *testing.T) {
	base := `{"a":"x","b":{"c":[1,2],"d":35000},"e":null,"f":true}`
	for _, tc := range []struct {
		name, body string
		equal      bool
	}{
		{"same", base, true},
		{"spacing", "{ \"a\" : \"x\",\n\t\"b\" : { \"c\" : [ 1 , 2 ] , \"d\" : 35000 } , \"e\" : null , \"f\" : true }", true},
		{"member order", `{"f":true,"e":null,"b":{"d":35000,"c":[1,2]},"a":"x"}`, true},
		{"string escapes", `{"a":"\u0078","b":{"c":[1,2],"d":35000},"e":null,"f":true}`, true},
		{"number spelling", `{"a":"x","b":{"c":[1.0,2e0],"d":3.5E4},"e":null,"f":true}`, true},
		{"negative zero", `{"a":"x","b":{"c":[1,-0.0],"d":35000},"e":null,"f":true}`, false},
		{"an extra member", `{"a":"x","b":{"c":[1,2],"d":35000},"e":null,"f":true,"g":0}`, false},
		{"array order", `{"a":"x","b":{"c":[2,1],"d":35000},"e":null,"f":true}`, false},
		{"null is not absent", `{"a":"x","b":{"c":[1,2],"d":35000},"f":true}`, false},
		{"string case", `{"a":"X","b":{"c":[1,2],"d":35000},"e":null,"f":true}`, false},
		{"number as string", `{"a":"x","b":{"c":[1,2],"d":"35000"},"e":null,"f":true}`, false},
		{"spaces inside a string", `{"a":" x","b":{"c":[1,2],"d":35000},"e":null,"f":true}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := canonicalHash(mustTree(t, tc.body)) == canonicalHash(mustTree(t, base))
			if got != tc.equal {
				t.Errorf("equal hashes = %v, want %v", got, tc.equal)
			}
		})
	}
}

func TestCountries(t *testing.T) {
	if len(countries) != 249 || !slices.IsSorted(countries) {
		t.Fatalf("%d codes, sorted %v; ISO 3166-1 assigns 249 and the search needs them sorted", len(countries), slices.IsSorted(countries))
	}
	for _, c := range countries {
		if len(c) != 2 || strings.ToUpper(c) != c {
			t.Errorf("code %q", c)
		}
	}
	for code, want := range map[string]bool{"US": true, "GB": true, "SS": true, "AX": true, "UK": false, "EU": false, "SU": false, "us": false, "": false} {
		if ValidCountry(code) != want {
			t.Errorf("ValidCountry(%q) = %v", code, !want)
		}
	}
}

func TestTokens(t *testing.T) {
	token, hash := NewToken()
	other, _ := NewToken()
	if !strings.HasPrefix(token, "hbk_") || len(token) != tokenLen || token == other {
		t.Fatalf("tokens %q, %q", token, other)
	}
	if Hash(token) != hash || !MatchHash(token, hash) || MatchHash(other, hash) || MatchHash(token, "zz") || strings.Contains(hash, token[4:]) {
		t.Error("hash does not identify its token alone")
	}
	for header, want := range map[string]string{
		"Bearer " + token:          token,
		"bearer " + token:          token,
		"Bearer  " + token + " ":   token,
		"Basic " + token:           "",
		"Bearer":                   "",
		"Bearer " + token[:40]:     "",
		"Bearer xyz_" + token[4:]:  "",
		"Bearer " + token + "!":    "",
		"Bearer hbk_" + bad43Chars: "",
	} {
		r := httptestRequest(header)
		if got := bearer(r); got != want {
			t.Errorf("bearer(%q) = %q, want %q", header, got, want)
		}
	}
}

// bad43Chars has the right length but a character outside base64url.
var bad43Chars = strings.Repeat("A", 42) + "+"

// TestHugeNumbersAreJSON: a number beyond a double is valid JSON; the field
// that holds it refuses it (422), not the parser (400).
func TestHugeNumbersAreJSON(t *testing.T) {
	for _, body := range []string{`{"lead":{"employees":1e400}}`, `{"n":123456789012345678901234567890}`} {
		if _, err := parseJSON([]byte(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func httptestRequest(authorization string) *http.Request {
	r := httptest.NewRequest("GET", "/v1/handoffs/1", nil)
	r.Header.Set("Authorization", authorization)
	return r
}

func TestCanonicalHashZero(t *testing.T) {
	if canonicalHash(mustTree(t, `{"n":-0}`)) != canonicalHash(mustTree(t, `{"n":0.0}`)) {
		t.Error("-0 and 0 are the same number")
	}
}
