package fakeslack

import (
	"slices"
	"strings"
	"time"
)

// Entry is one thing a person could see (or did), in order, for the demo's
// narration of a session.
//
// Audience says who saw it: "#channel-name", "DM @user", "@user (only
// you)", "@user modal", "@user App Home", "@user" for what a person did,
// "Workflow Builder" for custom steps and "admin" for administrators'
// changes. Kind is one of: message, reply, ephemeral, update, delete,
// modal, view_update, home (from the bot); user_message, user_reply,
// command, shortcut, click, select, submit, close, open_home (from
// people); step_started, step_completed, step_failed (custom steps);
// admin.
type Entry struct {
	At       time.Time
	Audience string
	Kind     string
	Text     string
}

// Transcript returns every entry so far, oldest first.
func (s *Server) Transcript() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.entries)
}

// logEntry appends to the transcript. Call with s.mu held.
func (s *Server) logEntry(audience, kind, text string) {
	s.entries = append(s.entries, Entry{At: s.now(), Audience: audience, Kind: kind, Text: text})
}

// audienceOf names who sees a message. Call with s.mu held.
func (s *Server) audienceOf(r *msgRec) string {
	if r.ephemeral {
		return "@" + s.userName(r.ephemeralTo) + " (only you)"
	}
	return s.channelName(r.channel)
}

// kindName is the transcript kind of a new message.
func kindName(k itemKind, bot bool) string {
	if bot {
		return k.String()
	}
	if k == kindReply {
		return "user_reply"
	}
	return "user_message"
}

// entryText renders version v of a message as its reader sees it: the
// blocks when there are any (Slack then shows the text only in
// notifications), else the text; then any files. People's messages are
// prefixed with their handle. Call with s.mu held.
func (s *Server) entryText(r *msgRec, v int) string {
	ver := r.versions[v]
	text := ver.text
	if len(ver.blocks) > 0 {
		text = renderBlocks(ver.blocks, nil)
	}
	for _, f := range r.files {
		text = strings.TrimSpace(text + "\n[file: " + f.displayName() + "]")
	}
	if !r.bot {
		text = "@" + s.userName(r.user) + ": " + text
	}
	return text
}

// renderView renders a view's current version with the user's input.
// Call with s.mu held.
func (s *Server) renderView(r *viewRec) string {
	v := r.latest().view
	var lines []string
	if t := textOf(v["title"]); t != "" {
		lines = append(lines, "[ "+t+" ]")
	}
	if body := renderBlocks(asSlice(v["blocks"]), r.state); body != "" {
		lines = append(lines, body)
	}
	var btns []string
	for _, k := range []string{"close", "submit"} {
		if t := textOf(v[k]); t != "" {
			btns = append(btns, "["+t+"]")
		}
	}
	if len(btns) > 0 {
		lines = append(lines, strings.Join(btns, " "))
	}
	return strings.Join(lines, "\n")
}

// logAction records what a person did. Call with s.mu held.
func (s *Server) logAction(user, kind, text string) {
	s.logEntry("@"+s.userName(user), kind, text)
}
