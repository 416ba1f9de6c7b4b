package hubspot_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/hubspot"
)

func TestNoteBody(t *testing.T) {
	at := time.Date(2026, 12, 4, 14, 30, 0, 0, time.UTC)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	for _, tc := range []struct {
		name string
		move hubspot.Move
		loc  *time.Location
		want []string
		not  []string
	}{
		{"accepted", hubspot.Move{HandoffID: 42, Kind: "accepted", Actor: "Bob Smith", At: at}, nil,
			[]string{"<strong>Handoff #42 accepted</strong> by Bob Smith on Fri 4 Dec 2026 14:30 UTC"}, []string{"Reason", "Note"}},
		{"in the team's zone", hubspot.Move{HandoffID: 1, Kind: "won", At: at}, berlin,
			[]string{"on Fri 4 Dec 2026 15:30 CET"}, nil},
		{"rejected with reason and typed note", hubspot.Move{HandoffID: 7, Kind: "rejected", Actor: "Eve <admin>", At: at,
			Reason: "No budget", Note: "Call <b>me</b> & \"them\"\nnext Q", Link: "https://slack.example/a?b=1&c=2"}, nil,
			[]string{"by Eve &lt;admin&gt;", "<p>Reason: No budget</p>",
				"<p>Note: Call &lt;b&gt;me&lt;/b&gt; &amp; &#34;them&#34;<br>next Q</p>",
				`<a href="https://slack.example/a?b=1&amp;c=2">`},
			[]string{"<b>me</b>", "<admin>"}},
		{"reassigned names the new owner", hubspot.Move{HandoffID: 3, Kind: "reassigned", Actor: "Ann", To: "Carl", At: at}, nil,
			[]string{"Handoff #3 reassigned</strong> to Carl by Ann"}, nil},
	} {
		got := hubspot.NoteBody(tc.move, tc.loc)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %s\nlacks %s", tc.name, got, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: %s\nhas %s", tc.name, got, w)
			}
		}
	}
}

func TestNoteBodyStaysUnderHubSpotsLimit(t *testing.T) {
	for _, note := range []string{strings.Repeat("&", 40_000), strings.Repeat("é\n", 40_000), strings.Repeat("a", 70_000)} {
		got := hubspot.NoteBody(hubspot.Move{HandoffID: 1, Kind: "lost", At: time.Unix(0, 0), Note: note}, nil)
		if len(got) > hubspot.MaxNoteBody || !utf8.ValidString(got) || !strings.HasSuffix(got, "…</p>") {
			t.Errorf("body of %d bytes, valid UTF-8 %v, ends %q", len(got), utf8.ValidString(got), got[len(got)-12:])
		}
		if i := strings.LastIndexByte(got, '&'); i >= 0 && !strings.Contains(got[i:], ";") {
			t.Errorf("an HTML entity was cut: …%s", got[len(got)-20:])
		}
		if strings.Contains(got[len(got)-12:], "<br…") || strings.Contains(got[len(got)-12:], "<…") {
			t.Errorf("a tag was cut: …%s", got[len(got)-20:])
		}
	}
}
