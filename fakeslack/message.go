package fakeslack

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// msgRec is the life of one message in the fake workspace: every version
// it had, its thread, its files, whether it was deleted.
type msgRec struct {
	channel     string
	ts          string
	threadTS    string // root ts when this is a thread reply
	user        string // author
	bot         bool   // posted by the bot (via the Web API or a response_url)
	ephemeral   bool
	ephemeralTo string
	broadcast   bool // a thread reply also shown in the channel
	versions    []msgVersion
	deleted     bool
	files       []*fileRec
	metadata    map[string]any // chat.postMessage's metadata (event_type, event_payload)
}

type msgVersion struct {
	text   string
	blocks []any
	at     time.Time
}

type messageStore struct {
	byKey     map[string]*msgRec   // channel + "/" + ts
	byChannel map[string][]*msgRec // in ts order
	order     []*msgRec
}

func (m *messageStore) init() {
	m.byKey = map[string]*msgRec{}
	m.byChannel = map[string][]*msgRec{}
}

func (m *messageStore) get(channel, ts string) *msgRec { return m.byKey[channel+"/"+ts] }

func (m *messageStore) put(r *msgRec) {
	m.byKey[r.channel+"/"+r.ts] = r
	m.byChannel[r.channel] = append(m.byChannel[r.channel], r)
	m.order = append(m.order, r)
}

// Message is one version of a message as a person saw it. Handles are
// cheap snapshots: Latest returns the current version, ExpectUpdate waits
// for the next one.
type Message struct {
	TS        string
	Channel   string
	ThreadTS  string // root ts for a thread reply, else ""
	User      string // author; the bot's user id for the bot's messages
	Ephemeral bool   // visible only to one user
	Version   int    // 0 for the original, n for the n-th update

	s   *Server
	rec *msgRec
}

// File is a file shared in a message through the upload flow.
type File struct {
	ID      string
	Name    string
	Title   string
	Content []byte
}

// handle builds the Message for version v of r.
func (s *Server) handle(r *msgRec, v int) *Message {
	return &Message{
		TS: r.ts, Channel: r.channel, ThreadTS: r.threadTS, User: r.user,
		Ephemeral: r.ephemeral, Version: v, s: s, rec: r,
	}
}

func (m *Message) version() msgVersion { return m.rec.versions[m.Version] }

// Text is what Slack shows for this version: the text field followed by
// every block's text, one per line, mrkdwn untouched.
func (m *Message) Text() string {
	if m == nil {
		return ""
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return m.textLocked()
}

func (m *Message) textLocked() string {
	v := m.version()
	parts := append([]string{v.text}, flattenText(v.blocks)...)
	for _, f := range m.rec.files {
		parts = append(parts, "[file: "+f.displayName()+"]")
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

// Blocks returns this version's blocks, with the block_id and action_id
// values Slack filled in.
func (m *Message) Blocks() slack.Blocks {
	if m == nil {
		return slack.Blocks{}
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return toSlackBlocks(m.version().blocks)
}

// Buttons lists the visible texts of this version's buttons.
func (m *Message) Buttons() []string {
	if m == nil {
		return nil
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return buttonTexts(m.version().blocks)
}

// Permalink is the URL chat.getPermalink returns for this message.
func (m *Message) Permalink() string {
	if m == nil {
		return ""
	}
	return m.s.permalink(m.Channel, m.TS, m.ThreadTS)
}

// Latest returns the current version of the message, after any updates.
func (m *Message) Latest() *Message {
	if m == nil {
		return nil
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return m.s.handle(m.rec, len(m.rec.versions)-1)
}

// Deleted reports whether the message has been deleted since.
func (m *Message) Deleted() bool {
	if m == nil {
		return false
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return m.rec.deleted
}

// Files lists the files shared in the message.
func (m *Message) Files() []File {
	if m == nil {
		return nil
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	out := make([]File, 0, len(m.rec.files))
	for _, f := range m.rec.files {
		out = append(out, File{ID: f.id, Name: f.name, Title: f.title, Content: append([]byte(nil), f.content...)})
	}
	return out
}

// ExpectUpdate waits for the next update of this message after this
// version (chat.update or a response_url replace_original), consumes it
// and returns the new version.
func (m *Message) ExpectUpdate(t TB) *Message {
	t.Helper()
	if m == nil {
		t.Fatalf("fakeslack: ExpectUpdate on a nil message")
		return nil
	}
	it := m.s.await(t, fmt.Sprintf("an update of %s", m.describe()), func(it *item) bool {
		return it.kind == kindUpdate && it.msg.rec == m.rec && it.msg.Version > m.Version
	})
	if it == nil {
		return nil
	}
	return it.msg
}

// ExpectDeleted waits until the message is deleted (chat.delete or a
// response_url delete_original) and consumes that.
func (m *Message) ExpectDeleted(t TB) {
	t.Helper()
	if m == nil {
		t.Fatalf("fakeslack: ExpectDeleted on a nil message")
		return
	}
	m.s.await(t, fmt.Sprintf("deletion of %s", m.describe()), func(it *item) bool {
		return it.kind == kindDelete && it.msg.rec == m.rec
	})
}

// ExpectThreadReply waits for the next reply in this message's thread
// containing contains, and consumes it.
func (m *Message) ExpectThreadReply(t TB, contains string) *Message {
	t.Helper()
	if m == nil {
		t.Fatalf("fakeslack: ExpectThreadReply on a nil message")
		return nil
	}
	root := m.TS
	if m.ThreadTS != "" {
		root = m.ThreadTS
	}
	desc := fmt.Sprintf("a thread reply containing %q under %s", contains, m.describe())
	it := m.s.await(t, desc, func(it *item) bool {
		if it.kind != kindReply {
			return false
		}
		r := it.msg.rec
		return r.channel == m.Channel && r.threadTS == root && strings.Contains(it.msg.textLocked(), contains)
	})
	if it == nil {
		return nil
	}
	return it.msg
}

// String describes the message for failure output.
func (m *Message) String() string {
	if m == nil {
		return "<nil message>"
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return m.describe() + ": " + quote(m.textLocked())
}

func (m *Message) describe() string {
	return fmt.Sprintf("message ts=%s in %s", m.TS, m.Channel)
}

// quote shortens text for failure messages.
func quote(s string) string {
	s = strings.ReplaceAll(s, "\n", " ⏎ ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:157]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

// msgJSON renders a message version as Slack returns it in API replies and
// interaction payloads. Call with s.mu held.
func (s *Server) msgJSON(r *msgRec, v int) map[string]any {
	ver := r.versions[v]
	m := map[string]any{"type": "message", "text": ver.text, "user": r.user, "ts": r.ts, "team": s.userTeam(r.user)}
	if len(ver.blocks) > 0 {
		m["blocks"] = ver.blocks
	}
	if r.threadTS != "" {
		m["thread_ts"] = r.threadTS
	}
	if r.bot {
		m["bot_id"], m["app_id"] = botID, s.cfg.inst.AppID
		m["bot_profile"] = map[string]any{"id": botID, "app_id": s.cfg.inst.AppID, "name": botName, "team_id": s.cfg.inst.TeamID}
	}
	if v > 0 {
		m["edited"] = map[string]any{"user": r.user, "ts": r.ts}
	}
	if r.metadata != nil {
		m["metadata"] = r.metadata
	}
	if len(r.files) > 0 {
		var files []any
		for _, f := range r.files {
			files = append(files, f.json(s))
		}
		m["files"], m["upload"] = files, true
	}
	return m
}

// storeMessage records a new message, makes it observable (an item for the
// Expect helpers when the bot wrote it) and adds it to the transcript.
// Call with s.mu held.
func (s *Server) storeMessage(r *msgRec) *Message {
	s.msgs.put(r)
	h := s.handle(r, 0)
	kind := kindMessage
	switch {
	case r.ephemeral:
		kind = kindEphemeral
	case r.threadTS != "":
		kind = kindReply
	}
	if r.bot {
		s.addItem(&item{kind: kind, msg: h, user: r.ephemeralTo})
	}
	s.logEntry(s.audienceOf(r), kindName(kind, r.bot), s.entryText(r, 0))
	s.notify()
	return h
}

// updateMessage appends a version and records an update. Call with s.mu
// held.
func (s *Server) updateMessage(r *msgRec, text string, blocks []any) *Message {
	r.versions = append(r.versions, msgVersion{text: text, blocks: blocks, at: s.now()})
	h := s.handle(r, len(r.versions)-1)
	s.addItem(&item{kind: kindUpdate, msg: h, user: r.ephemeralTo})
	s.logEntry(s.audienceOf(r), "update", s.entryText(r, h.Version))
	s.notify()
	return h
}

// deleteMessage marks r deleted and records it. Call with s.mu held.
func (s *Server) deleteMessage(r *msgRec) {
	r.deleted = true
	s.addItem(&item{kind: kindDelete, msg: s.handle(r, len(r.versions)-1), user: r.ephemeralTo})
	s.logEntry(s.audienceOf(r), "delete", "(message deleted)")
	s.notify()
}
