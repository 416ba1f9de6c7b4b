package hubspot

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"
)

// Move is one thing that happened to a handoff, as its timeline note on
// the contact tells it. Names are display names; text is as typed.
type Move struct {
	HandoffID int64
	// Kind is the event kind (domain.Event.Kind): created, accepted,
	// rejected, contacted, qualified, won, lost, returned, reassigned, …
	Kind   string
	Actor  string    // who did it
	To     string    // for reassigned and created: the new owner
	At     time.Time // when
	Reason string    // the reason's label, for rejected, returned and lost
	Note   string    // free text the person typed
	Link   string    // the handoff's card in Slack
}

// NoteBody is the HTML of the timeline note for m. hs_note_body is rich
// text, so everything a person typed is HTML-escaped and line breaks
// become <br>; times are shown in loc (TIMEZONE). The body stays under
// MaxNoteBody however long the note is.
func NoteBody(m Move, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	esc := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, "<p><strong>Handoff #%d %s</strong>", m.HandoffID, esc(m.Kind))
	if m.To != "" {
		fmt.Fprintf(&b, " to %s", esc(m.To))
	}
	if m.Actor != "" {
		fmt.Fprintf(&b, " by %s", esc(m.Actor))
	}
	fmt.Fprintf(&b, " on %s</p>", esc(m.At.In(loc).Format("Mon 2 Jan 2006 15:04 MST")))
	if m.Reason != "" {
		fmt.Fprintf(&b, "<p>Reason: %s</p>", esc(m.Reason))
	}
	if m.Link != "" {
		fmt.Fprintf(&b, `<p><a href="%s">Open the handoff in Slack</a></p>`, esc(m.Link))
	}
	if m.Note != "" {
		room := MaxNoteBody - b.Len() - len("<p>Note: </p>")
		fmt.Fprintf(&b, "<p>Note: %s</p>", escapeWithin(m.Note, room))
	}
	return b.String()
}

// escapeWithin escapes s, keeps its line breaks, and cuts it (with …) so
// the result takes at most room bytes.
func escapeWithin(s string, room int) string {
	out := strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
	if len(out) <= room {
		return out
	}
	cut := max(room-len("…"), 0)
	for cut > 0 && !utf8.RuneStart(out[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(out[:cut], '&'); i >= 0 && !strings.Contains(out[i:cut], ";") {
		cut = i // do not split an entity
	}
	if i := strings.LastIndex(out[:cut], "<br"); i >= 0 && !strings.Contains(out[i:cut], ">") {
		cut = i
	}
	return out[:cut] + "…"
}
