package handlers

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/domain"
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

// FuzzParseDraft: whatever follows /handoff, the New handoff form it
// prefills is one Slack opens and the person can submit: every input
// within its max_length, valid UTF-8 without NUL, the assignee a user ID;
// and nothing typed is lost silently: long text is kept in the notes.
func FuzzParseDraft(f *testing.F) {
	for _, s := range []string{
		"Dana Scully (FBI) dana@fbi.example", "<@U1|x> <mailto:a@b.c|a@b.c>", "((((", "\xff\xfe",
		"Jane\x00 Doe jane@acme.example\x00", strings.Repeat("a", 300) + "@acme.example",
		"+1 " + strings.Repeat("5", 400), "<@U0REP|fox> <@W123> <#C1|general> <!here> <https://x.example|a|b>",
		"Dana (FBI) (CIA)", "ſ@aK.example", "Name (\n)", // 40 KB inputs: TestParseDraftKeepsEveryInputWithinItsLimit
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := ParseDraft(s)
		v := handoffModal(form{Draft: d, Direction: domain.ToSales, Priority: domain.Warm}, formMeta{}, nil)
		if problems := modalProblems(v); len(problems) > 0 {
			t.Fatalf("ParseDraft(%q) prefills a form Slack would not take: %v\n%+v", s, problems, d)
		}
		if d.Assignee != "" && !userIDish.MatchString(d.Assignee) {
			t.Fatalf("ParseDraft(%q): assignee %q is not a user ID", s, d.Assignee)
		}
		if utf8.RuneCountInString(d.Name) > maxNameFromText && d.Notes == "" {
			t.Fatalf("ParseDraft(%q): name %q cut without keeping the text in the notes", s, d.Name)
		}
	})
}

// userIDish is the shape of a mentioned user's ID: never markup.
var userIDish = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

// 40 KB after /handoff, in each of the shapes the parser picks out: the
// form still fits Slack.
func TestParseDraftKeepsEveryInputWithinItsLimit(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("a", 40_000) + "@acme.example",
		"+1 " + strings.Repeat("5", 40_000),
		"https://crm.example/" + strings.Repeat("x", 40_000),
		"Jane Doe (" + strings.Repeat("Acme ", 8_000) + ")",
		strings.Repeat("Jane Doe\x00 ", 4_000),
	} {
		d := ParseDraft(s)
		v := handoffModal(form{Draft: d, Direction: domain.ToSales, Priority: domain.Warm}, formMeta{}, nil)
		if problems := modalProblems(v); len(problems) > 0 {
			t.Errorf("ParseDraft(%.40q…): %v", s, problems)
		}
		if d.Notes == "" {
			t.Errorf("ParseDraft(%.40q…) kept nothing in the notes: %+v", s, d)
		}
	}
}
