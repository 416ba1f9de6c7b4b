package fakeslack

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
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

// apiConversationsHistory lists a conversation's top-level messages (and
// thread replies sent to the channel too), newest first, one page at a
// time, as conversations.history does:
//
//   - oldest and latest bound the page by timestamp, exclusive unless
//     inclusive is set; latest defaults to the newest message, oldest to
//     the first. The fake pages from latest backwards whichever bounds are
//     given (Slack's documentation describes no other order).
//   - limit is 100 by default and at most 999; has_more and
//     response_metadata.next_cursor say whether another page follows, and
//     cursor=next_cursor fetches it.
//   - metadata is shown only with include_all_metadata.
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
	q, err := parsePageQuery(req, 100, 999)
	if err != nil {
		return nil, err
	}
	all := s.msgs.byChannel[ch.ID]
	var page []*msgRec
	hasMore := false
	for i := len(all) - 1; i >= 0; i-- {
		r := all[i]
		if r.deleted || r.ephemeral || (r.threadTS != "" && !r.broadcast) || !q.in(r.ts) || !q.before(r.ts) {
			continue
		}
		if len(page) == q.limit {
			hasMore = true
			break
		}
		page = append(page, r)
	}
	return s.historyPage(page, hasMore, req.flag("include_all_metadata")), nil
}

// apiConversationsReplies lists a thread, oldest first, one page at a
// time: ts names the parent or any reply of the thread; the parent comes
// first on the first page only (continuation pages hold replies alone,
// as Slack's do) and counts against limit; oldest, latest and inclusive
// bound the replies. limit is 1000 by default and at most 1000.
func (s *Server) apiConversationsReplies(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.resolveChannel(req.params["channel"])
	if err != nil {
		return nil, err
	}
	root := s.msgs.get(ch.ID, req.params["ts"])
	if root != nil && root.threadTS != "" {
		root = s.msgs.get(ch.ID, root.threadTS)
	}
	if root == nil || root.deleted || root.ephemeral {
		return nil, apiErr("thread_not_found")
	}
	q, err := parsePageQuery(req, 1000, 1000)
	if err != nil {
		return nil, err
	}
	var page []*msgRec
	if q.cursor == 0 {
		page = append(page, root)
	}
	hasMore := false
	for _, r := range s.msgs.byChannel[ch.ID] {
		if r.threadTS != root.ts || r.deleted || r.ephemeral || !q.in(r.ts) || !q.after(r.ts) {
			continue
		}
		if len(page) == q.limit {
			hasMore = true
			break
		}
		page = append(page, r)
	}
	return s.historyPage(page, hasMore, req.flag("include_all_metadata")), nil
}

// historyPage renders a page of messages with Slack's paging fields. Call
// with s.mu held.
func (s *Server) historyPage(page []*msgRec, hasMore, withMetadata bool) map[string]any {
	out := []any{}
	for _, r := range page {
		m := s.msgJSON(r, len(r.versions)-1)
		if !withMetadata {
			delete(m, "metadata")
		}
		out = append(out, m)
	}
	next := ""
	if hasMore {
		next = encodeCursor(page[len(page)-1].ts)
	}
	return map[string]any{
		"messages": out, "has_more": hasMore, "pin_count": 0,
		"response_metadata": map[string]any{"next_cursor": next},
	}
}

// pageQuery is a history request's bounds: oldest and latest in
// microseconds, and the cursor (the timestamp the previous page ended at;
// 0 for the first page).
type pageQuery struct {
	oldest, latest, cursor int64
	inclusive              bool
	limit                  int
}

func parsePageQuery(req *apiRequest, defLimit, maxLimit int) (pageQuery, error) {
	q := pageQuery{latest: math.MaxInt64, inclusive: req.flag("inclusive"), limit: defLimit}
	var ok bool
	if v := req.params["oldest"]; v != "" {
		if q.oldest, ok = parseTS(v); !ok {
			return q, apiErr("invalid_ts_oldest")
		}
	}
	if v := req.params["latest"]; v != "" {
		if q.latest, ok = parseTS(v); !ok {
			return q, apiErr("invalid_ts_latest")
		}
	}
	if v := req.params["cursor"]; v != "" {
		if q.cursor, ok = decodeCursor(v); !ok {
			return q, apiErr("invalid_cursor")
		}
	}
	if n, err := strconv.Atoi(req.params["limit"]); err == nil && n > 0 {
		q.limit = min(n, maxLimit)
	}
	return q, nil
}

// in reports whether ts lies between oldest and latest.
func (q pageQuery) in(ts string) bool {
	t, _ := parseTS(ts)
	if q.inclusive {
		return t >= q.oldest && t <= q.latest
	}
	return t > q.oldest && t < q.latest
}

// before and after apply the cursor for newest-first and oldest-first
// paging.
func (q pageQuery) before(ts string) bool {
	t, _ := parseTS(ts)
	return q.cursor == 0 || t < q.cursor
}

func (q pageQuery) after(ts string) bool {
	t, _ := parseTS(ts)
	return q.cursor == 0 || t > q.cursor
}

// parseTS reads a Slack timestamp ("1764190000.000100", or whole seconds)
// as microseconds.
func parseTS(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	if len(frac) > 6 {
		return 0, false
	}
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s < 0 {
		return 0, false
	}
	us := int64(0)
	if frac != "" {
		f, err := strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
		if err != nil || f < 0 {
			return 0, false
		}
		us = f
	}
	return s*1e6 + us, true
}

// encodeCursor and decodeCursor make the opaque next_cursor, shaped like
// Slack's (base64 of "next_ts:<ts>").
func encodeCursor(ts string) string {
	return base64.StdEncoding.EncodeToString([]byte("next_ts:" + ts))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	ts, ok := strings.CutPrefix(string(b), "next_ts:")
	if !ok {
		return 0, false
	}
	us, ok := parseTS(ts)
	return us, ok && us > 0
}
