package fakeslack

import (
	"fmt"
	"time"
)

// trigger is a trigger_id handed to the bot with an interaction. Slack
// lets it open one view within 3 seconds; the fake enforces both rules so
// that a slow or repeated views.open fails in tests as it would for users.
type trigger struct {
	id     string
	user   string
	viewID string // the modal it was issued from, if any
	issued time.Time
	usedBy string // the method that exchanged it
}

// issueTrigger creates a fresh trigger_id for user. Call with s.mu held.
func (s *Server) issueTrigger(user, viewID string) string {
	n, now := s.nextSeq(), s.now()
	id := fmt.Sprintf("%d.%d.%08x", now.Unix(), n, uint32(n)*2654435761)
	s.trig[id] = &trigger{id: id, user: user, viewID: viewID, issued: now}
	return id
}

// exchangeTrigger spends a trigger_id for method: unknown →
// invalid_trigger_id, already used → exchanged_trigger_id, older than the
// TTL → expired_trigger_id. Call with s.mu held.
func (s *Server) exchangeTrigger(id, method string) (*trigger, error) {
	tr, ok := s.trig[id]
	switch {
	case id == "" || !ok:
		return nil, apiErr("invalid_trigger_id")
	case tr.usedBy != "":
		return nil, apiErr("exchanged_trigger_id", fmt.Sprintf("[ERROR] trigger_id already used by %s", tr.usedBy))
	case s.now().Sub(tr.issued) > s.cfg.triggerTTL:
		return nil, apiErr("expired_trigger_id", fmt.Sprintf("[ERROR] trigger_id is %v old; it expires after %v",
			s.now().Sub(tr.issued).Round(time.Millisecond), s.cfg.triggerTTL))
	}
	tr.usedBy = method
	return tr, nil
}
