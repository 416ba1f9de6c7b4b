package fakeslack

import (
	"fmt"
)

// nextEventID returns a fresh Slack-shaped event id. Call with s.mu held.
func (s *Server) nextEventID() string {
	return fmt.Sprintf("Ev%09dFAKE", s.nextSeq())
}

// messageSubscribed reports whether the app receives `message` events for
// conversation c: it must subscribe to the matching message.* event and,
// outside DMs, be a member. Call with s.mu held.
func (s *Server) messageSubscribed(c *chanRec) bool {
	if c == nil {
		return false
	}
	subs := s.cfg.subscriptions
	switch c.channelType() {
	case "im":
		return subs["message.im"]
	case "group":
		return subs["message.groups"] && c.BotIsMember
	default:
		return subs["message.channels"] && c.BotIsMember
	}
}

// userMessageEvent is the `message` event for a message a person posted.
// Call with s.mu held.
func (s *Server) userMessageEvent(r *msgRec) map[string]any {
	ch := s.ws.channels[r.channel]
	e := map[string]any{
		"type": "message", "channel": r.channel, "user": r.user, "text": r.versions[0].text,
		"ts": r.ts, "event_ts": r.ts, "channel_type": ch.channelType(), "team": s.userTeam(r.user),
		"client_msg_id": fmt.Sprintf("fake-%s", r.ts),
	}
	if team := s.userTeam(r.user); team != s.cfg.inst.TeamID {
		e["user_team"], e["source_team"] = team, team
	}
	if r.threadTS != "" {
		e["thread_ts"] = r.threadTS
		if root := s.msgs.get(r.channel, r.threadTS); root != nil {
			e["parent_user_id"] = root.user
		}
	}
	return e
}

// botMessageEvent sends, with WithBotMessageEvents, the `message` event
// Slack emits for the bot's own post (v == 0) or a message_changed event
// for an update. Call with s.mu held; the send happens asynchronously.
func (s *Server) botMessageEvent(r *msgRec, v int) {
	ch := s.ws.channels[r.channel]
	if !s.cfg.botMessageEvents || r.ephemeral || !s.messageSubscribed(ch) {
		return
	}
	var e map[string]any
	if v == 0 {
		e = s.msgJSON(r, 0)
		e["channel"], e["event_ts"], e["channel_type"] = r.channel, r.ts, ch.channelType()
	} else {
		ts := s.nextTS()
		e = map[string]any{
			"type": "message", "subtype": "message_changed", "hidden": true,
			"channel": r.channel, "ts": ts, "event_ts": ts, "channel_type": ch.channelType(),
			"message": s.msgJSON(r, v), "previous_message": s.msgJSON(r, v-1),
		}
	}
	s.enqueueEvent(e)
}

// queuedEvent is an event waiting for the dispatcher.
type queuedEvent struct {
	id    string
	event map[string]any
	inst  Installation
}

// enqueueEvent queues an event caused by a person or by the bot's own
// calls. Events go out in order, one at a time, whenever a socket is open,
// so a person's action never blocks on the bot being connected, just as in
// Slack. Call with s.mu held.
func (s *Server) enqueueEvent(event map[string]any) string {
	return s.enqueueEventFor(s.cfg.inst, event)
}

// enqueueEventFor is enqueueEvent for an installation (see UserSim.For);
// it returns the event id. Call with s.mu held.
func (s *Server) enqueueEventFor(inst Installation, event map[string]any) string {
	id := s.nextEventID()
	s.evq = append(s.evq, queuedEvent{id: id, event: event, inst: inst})
	select {
	case s.evWake <- struct{}{}:
	default:
	}
	return id
}

// dispatchEvents sends queued events in order until the server closes.
func (s *Server) dispatchEvents() {
	for {
		select {
		case <-s.evWake:
		case <-s.done:
			return
		}
		s.mu.Lock()
		batch := s.evq
		s.evq = nil
		s.mu.Unlock()
		for _, q := range batch {
			if _, err := s.SendEventFor(s.ctx, q.inst, q.id, q.event); err != nil {
				s.log.Debug("fakeslack: event not delivered", "event_id", q.id, "error", err)
			}
		}
	}
}
