package handlers

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/fakeslack"
)

// A clock within a minute of its due time reads "< 1 m" in Slack without
// a bare "<", which would swallow the text up to the next ">".
func TestClockTextIsValidMrkdwn(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c := Cards{Now: func() time.Time { return now }}
	for _, due := range []time.Duration{10 * time.Second, -10 * time.Second, 90 * time.Minute, -26 * time.Hour} {
		text := c.clockText(now.Add(due)) + " " + link("https://example.slack.com/archives/C1/p1", "Open the card")
		if p := fakeslack.MrkdwnProblems(text); len(p) > 0 {
			t.Errorf("due in %v: %q: %v", due, text, p)
		}
	}
}

// Cutting escaped text to Slack's limit never leaves half an entity or
// half a mention behind.
func TestTruncateMrkdwnKeepsEntitiesAndTokensWhole(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("&amp;&gt;&lt;", 400),
		strings.Repeat("a", 2995) + "<@UFOX> and more text after it",
		strings.Repeat("é", 2990) + "&amp;&amp;&amp;&amp;",
	} {
		got := truncateMrkdwn(s, maxSectionText)
		if n := utf8.RuneCountInString(got); n > maxSectionText {
			t.Errorf("%d characters, over %d", n, maxSectionText)
		}
		if p := fakeslack.MrkdwnProblems(got); len(p) > 0 {
			t.Errorf("cut text: %v", p)
		}
	}
}
