package fakeslack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// A response_url accepts at most 5 posts within 30 minutes of the
// interaction, on the fake's clock. Slack documents both limits but not
// what an expired URL answers; the fake answers 404
// {"ok":false,"error":"expired_url"}, as it answers 404 used_url after the
// fifth post.
const (
	maxResponseURLUses = 5
	responseURLTTL     = 30 * time.Minute
)

// responseURL is a response_url handed to the bot with a slash command,
// shortcut or block action.
type responseURL struct {
	id      string
	user    string
	channel string
	source  *msgRec // the message the interaction came from, if any
	last    *msgRec // the last message posted through this URL
	uses    int
	issued  time.Time
}

// newResponseURL creates a response_url on the API host. Call with s.mu
// held.
func (s *Server) newResponseURL(user, channel string, source *msgRec) string {
	id := s.nextID("R")
	s.rurls[id] = &responseURL{id: id, user: user, channel: channel, source: source, issued: s.now()}
	return s.base + "/response/" + id
}

// responseMsg is what slack-go posts to a response_url (slack.Msg).
type responseMsg struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/response/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	call := Call{Method: "response_url", Params: map[string]string{"id": id}, Body: body, At: s.now()}
	var status int
	var err error
	if s.serveFaulted(w, r, &call, func() error { status, err = s.respond(id, body); return err }) {
		return
	}
	call.Status = status
	out := map[string]any{"ok": err == nil}
	if err != nil {
		call.Error = err.Error()
		out["error"] = err.Error()
		if ae, ok := err.(*apiError); ok && len(ae.details) > 0 {
			out["response_metadata"] = map[string]any{"messages": ae.details}
		}
		s.log.Warn("fakeslack: response_url error", "status", status, "error", err.Error())
	}
	s.record(call)
	writeJSON(w, status, out)
}

// respond applies one post to a response_url: it replaces or deletes the
// original message, or posts a new ephemeral (default) or in_channel
// message, optionally in a thread.
func (s *Server) respond(id string, body []byte) (int, error) {
	var m responseMsg
	if err := json.Unmarshal(body, &m); err != nil {
		return http.StatusBadRequest, apiErr("invalid_json")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ru, ok := s.rurls[id]
	if !ok {
		return http.StatusNotFound, apiErr("invalid_url")
	}
	if age := s.now().Sub(ru.issued); age > responseURLTTL {
		return http.StatusNotFound, apiErr("expired_url", fmt.Sprintf("[ERROR] the response_url is %v old; it expires after %v",
			age.Round(time.Second), responseURLTTL))
	}
	if ru.uses >= maxResponseURLUses {
		return http.StatusNotFound, apiErr("used_url", fmt.Sprintf("[ERROR] a response_url accepts %d posts", maxResponseURLUses))
	}
	ru.uses++
	c := content{text: m.Text}
	if len(m.Blocks) > 0 && !bytes.Equal(m.Blocks, []byte("null")) {
		blocks, err := decodeBlocks(m.Blocks)
		if err != nil {
			return http.StatusOK, apiErr("invalid_blocks_format", err.Error())
		}
		c.blocks = blocks
	}
	target := ru.source
	if target == nil {
		target = ru.last // a slash command's earlier reply
	}
	if m.DeleteOriginal {
		if target == nil || target.deleted {
			return http.StatusOK, apiErr("message_not_found")
		}
		s.deleteMessage(target)
		return http.StatusOK, nil
	}
	if err := s.checkContent(&c, false); err != nil {
		return http.StatusOK, err
	}
	if m.ReplaceOriginal && target != nil && !target.deleted {
		s.updateMessage(target, c.text, c.blocks)
		return http.StatusOK, nil
	}
	return http.StatusOK, s.postResponse(ru, m, c)
}

// postResponse posts a new message through a response_url. Call with s.mu
// held.
func (s *Server) postResponse(ru *responseURL, m responseMsg, c content) error {
	root, err := s.threadRoot(ru.channel, m.ThreadTS)
	if err != nil {
		return err
	}
	r := &msgRec{
		channel: ru.channel, ts: s.nextTS(), threadTS: root, user: botUserID, bot: true,
		versions: []msgVersion{{text: c.text, blocks: c.blocks, at: s.now()}},
	}
	if m.ResponseType != "in_channel" {
		r.ephemeral, r.ephemeralTo = true, ru.user
	}
	ru.last = r
	s.storeMessage(r)
	return nil
}
