package handlers

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseDraft(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Draft
	}{
		{"Dana Scully (FBI)", Draft{Name: "Dana Scully", Company: "FBI"}},
		{"Dana Scully dana@fbi.example +1 (202) 555-0143 https://crm.example/lead/7",
			Draft{Name: "Dana Scully", Email: "dana@fbi.example", Phone: "+1 (202) 555-0143", CRMURL: "https://crm.example/lead/7"}},
		{"Jane Doe <mailto:jane@acme.example|jane@acme.example> for <@U0REP|fox>",
			Draft{Name: "Jane Doe for", Email: "jane@acme.example", Assignee: "U0REP"}},
		{"<https://crm.example/x|CRM> Walter Skinner", Draft{Name: "Walter Skinner", CRMURL: "https://crm.example/x"}},
		{"", Draft{}},
		{"<!channel> Acme", Draft{Name: "Acme"}},
		{"Suite 1204 Acme", Draft{Name: "Suite 1204 Acme"}}, // too few digits for a phone
		{"Call 555-0143", Draft{Name: "Call", Phone: "555-0143"}},
	} {
		if got := ParseDraft(tc.text); got != tc.want {
			t.Errorf("ParseDraft(%q)\n got %+v\nwant %+v", tc.text, got, tc.want)
		}
	}
}

func TestParseDraftLongTextGoesToNotes(t *testing.T) {
	text := "Monica Reyes met us at the Chicago summit and wants a demo of the reporting module for her team of forty analysts next quarter."
	d := ParseDraft(text)
	if d.Name != "Monica Reyes met us at the Chicago summit and wants a demo of the reporting" {
		t.Errorf("name %q", d.Name)
	}
	if d.Notes != text {
		t.Errorf("notes %q", d.Notes)
	}
}

func TestParseDraftBounds(t *testing.T) {
	d := ParseDraft(strings.Repeat("x", 50_000) + "\xff")
	if utf8.RuneCountInString(d.Name) > 200 || utf8.RuneCountInString(d.Notes) > 3000 || !utf8.ValidString(d.Notes) {
		t.Errorf("unbounded draft: name %d runes, notes %d runes", utf8.RuneCountInString(d.Name), utf8.RuneCountInString(d.Notes))
	}
}

func FuzzParseDraft(f *testing.F) {
	for _, s := range []string{"Dana Scully (FBI) dana@fbi.example", "<@U1|x> <mailto:a@b.c|a@b.c>", "((((", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := ParseDraft(s)
		for _, v := range []string{d.Name, d.Company, d.Email, d.Phone, d.CRMURL, d.Notes} {
			if !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 in %+v", d)
			}
		}
		if utf8.RuneCountInString(d.Name) > 200 || utf8.RuneCountInString(d.Notes) > 3000 {
			t.Fatalf("over limits: %+v", d)
		}
	})
}
