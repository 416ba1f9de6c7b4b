package fakeslack

import (
	"encoding/json"
	"strconv"
)

// parseMetadata reads chat.postMessage's metadata field: a JSON object
// with an event_type and an event_payload object.
func parseMetadata(raw string) (map[string]any, error) {
	if raw == "" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, apiErr("invalid_metadata_format", err.Error())
	}
	if t, _ := m["event_type"].(string); t == "" {
		return nil, apiErr("invalid_metadata_schema", "metadata needs an event_type")
	}
	if _, ok := m["event_payload"].(map[string]any); !ok {
		return nil, apiErr("invalid_metadata_schema", "metadata needs an event_payload object")
	}
	return m, nil
}

// apiConversationsHistory lists a conversation's top-level messages, newest
// first, as conversations.history does (one page; metadata only with
// include_all_metadata).
func (s *Server) apiConversationsHistory(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.resolveChannel(req.params["channel"])
	if err != nil {
		return nil, err
	}
	if !ch.im && !ch.BotIsMember {
		return nil, apiErr("not_in_channel")
	}
	var out []any
	for i := len(s.msgs.order) - 1; i >= 0 && len(out) < historyLimit(req); i-- {
		r := s.msgs.order[i]
		if r.channel != ch.ID || r.deleted || r.ephemeral || (r.threadTS != "" && !r.broadcast) {
			continue
		}
		out = append(out, s.historyJSON(r, req.flag("include_all_metadata")))
	}
	return map[string]any{"messages": out, "has_more": false, "response_metadata": map[string]any{"next_cursor": ""}}, nil
}

// apiConversationsReplies lists a thread, root first.
func (s *Server) apiConversationsReplies(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.resolveChannel(req.params["channel"])
	if err != nil {
		return nil, err
	}
	root := s.msgs.get(ch.ID, req.params["ts"])
	if root == nil || root.deleted || root.ephemeral {
		return nil, apiErr("thread_not_found")
	}
	out := []any{s.historyJSON(root, req.flag("include_all_metadata"))}
	for _, r := range s.msgs.order {
		if r.channel == ch.ID && r.threadTS == root.ts && !r.deleted && !r.ephemeral && len(out) < historyLimit(req) {
			out = append(out, s.historyJSON(r, req.flag("include_all_metadata")))
		}
	}
	return map[string]any{"messages": out, "has_more": false, "response_metadata": map[string]any{"next_cursor": ""}}, nil
}

func (s *Server) historyJSON(r *msgRec, withMetadata bool) map[string]any {
	m := s.msgJSON(r, len(r.versions)-1)
	if !withMetadata {
		delete(m, "metadata")
	}
	return m
}

func historyLimit(req *apiRequest) int {
	if n, err := strconv.Atoi(req.params["limit"]); err == nil && n > 0 && n <= 1000 {
		return n
	}
	return 100
}
