package fakeslack

import (
	"unicode/utf8"
)

// content is the visible part of a chat.* request.
type content struct {
	text      string
	blocks    []any
	hasBlocks bool // the request carried a blocks field, possibly []
}

// parseContent reads text and blocks the way chat.postMessage does (blocks
// as a JSON string), fills Slack's generated ids, and applies the limits.
// Call with s.mu held.
func (s *Server) parseContent(req *apiRequest) (content, error) {
	c := content{text: req.params["text"]}
	if raw, ok := req.params["blocks"]; ok {
		c.hasBlocks = true
		blocks, err := decodeBlocks([]byte(raw))
		if err != nil {
			return c, apiErr("invalid_blocks_format", err.Error())
		}
		c.blocks = blocks
	}
	return c, s.checkContent(&c, req.params["attachments"] != "")
}

// checkContent normalizes and validates message content, whatever route
// it came by (Web API, response_url, ack payload). Call with s.mu held.
func (s *Server) checkContent(c *content, hasAttachments bool) error {
	s.normalizeBlocks(c.blocks)
	if problems := checkBlocks(c.blocks, maxMessageBlocks); len(problems) > 0 {
		return apiErr("invalid_blocks", problems...)
	}
	if utf8.RuneCountInString(c.text) > maxMessageText {
		return apiErr("msg_too_long")
	}
	if c.text == "" && len(c.blocks) == 0 && !hasAttachments {
		return apiErr("no_text")
	}
	return nil
}

// threadRoot resolves thread_ts to the root of the thread (a reply's ts
// threads under its root, as in Slack). The fake is stricter than Slack
// about unknown roots: it answers thread_not_found, because posting into a
// thread that does not exist is always a bug. Call with s.mu held.
func (s *Server) threadRoot(channel, threadTS string) (string, error) {
	if threadTS == "" {
		return "", nil
	}
	root := s.msgs.get(channel, threadTS)
	if root == nil || root.ephemeral {
		return "", apiErr("thread_not_found")
	}
	if root.threadTS != "" {
		return root.threadTS, nil
	}
	return root.ts, nil
}

func (s *Server) apiPostMessage(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.resolveChannel(req.params["channel"])
	if err != nil {
		return nil, err
	}
	if err := s.takePostingSlot(ch.ID); err != nil {
		return nil, err
	}
	if err := s.checkCanPost(ch); err != nil {
		return nil, err
	}
	c, err := s.parseContent(req)
	if err != nil {
		return nil, err
	}
	root, err := s.threadRoot(ch.ID, req.params["thread_ts"])
	if err != nil {
		return nil, err
	}
	meta, err := parseMetadata(req.params["metadata"])
	if err != nil {
		return nil, err
	}
	r := &msgRec{
		channel: ch.ID, ts: s.nextTS(), threadTS: root, user: botUserID, bot: true,
		broadcast: root != "" && req.flag("reply_broadcast"), metadata: meta,
		versions: []msgVersion{{text: c.text, blocks: c.blocks, at: s.now()}},
	}
	s.storeMessage(r)
	s.botMessageEvent(r, 0)
	return map[string]any{"channel": ch.ID, "ts": r.ts, "message": s.msgJSON(r, 0)}, nil
}

func (s *Server) apiPostEphemeral(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.resolveChannel(req.params["channel"])
	if err != nil {
		return nil, err
	}
	if err := s.checkCanPost(ch); err != nil {
		return nil, err
	}
	user := req.params["user"]
	if u, ok := s.ws.users[user]; !ok || u.Deleted {
		return nil, apiErr("user_not_found")
	}
	if !s.isMember(ch, user) {
		return nil, apiErr("user_not_in_channel")
	}
	c, err := s.parseContent(req)
	if err != nil {
		return nil, err
	}
	root, err := s.threadRoot(ch.ID, req.params["thread_ts"])
	if err != nil {
		return nil, err
	}
	r := &msgRec{
		channel: ch.ID, ts: s.nextTS(), threadTS: root, user: botUserID, bot: true,
		ephemeral: true, ephemeralTo: user,
		versions: []msgVersion{{text: c.text, blocks: c.blocks, at: s.now()}},
	}
	s.storeMessage(r)
	return map[string]any{"message_ts": r.ts}, nil
}

// botMessage finds a message the bot may edit or delete. Call with s.mu
// held.
func (s *Server) botMessage(req *apiRequest, notMine string) (*msgRec, error) {
	ch, err := s.resolveChannel(req.params["channel"])
	if err != nil {
		return nil, err
	}
	r := s.msgs.get(ch.ID, req.params["ts"])
	if r == nil || r.deleted || r.ephemeral {
		return nil, apiErr("message_not_found")
	}
	if !r.bot {
		return nil, apiErr(notMine)
	}
	return r, nil
}

// apiUpdate replaces a message's text and blocks. A request without a
// blocks field leaves the message without blocks: the fake does not keep
// the old ones, so an update that means to keep buttons must resend them.
func (s *Server) apiUpdate(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.botMessage(req, "cant_update_message")
	if err != nil {
		return nil, err
	}
	c, err := s.parseContent(req)
	if err != nil {
		return nil, err
	}
	h := s.updateMessage(r, c.text, c.blocks)
	s.botMessageEvent(r, h.Version)
	return map[string]any{
		"channel": r.channel, "ts": r.ts, "text": c.text, "message": s.msgJSON(r, h.Version),
	}, nil
}

func (s *Server) apiDelete(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.botMessage(req, "cant_delete_message")
	if err != nil {
		return nil, err
	}
	s.deleteMessage(r)
	return map[string]any{"channel": r.channel, "ts": r.ts}, nil
}

func (s *Server) apiPermalink(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.ws.channels[req.params["channel"]]
	if !ok {
		return nil, apiErr("channel_not_found")
	}
	r := s.msgs.get(ch.ID, req.params["message_ts"])
	if r == nil || r.deleted {
		return nil, apiErr("message_not_found")
	}
	return map[string]any{"channel": ch.ID, "permalink": s.permalink(ch.ID, r.ts, r.threadTS)}, nil
}
