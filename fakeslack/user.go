package fakeslack

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
)

// UserSim is a person in the fake workspace; its methods are the things a
// person does in Slack, so tests read like user stories.
type UserSim struct {
	s    *Server
	id   string
	inst Installation // see For; zero: the fake's own
}

// User returns the simulator for a workspace user (add it first with
// AddUser; an unknown id fails the first action).
func (s *Server) User(id string) *UserSim { return &UserSim{s: s, id: id} }

// ID is the user's id.
func (u *UserSim) ID() string { return u.id }

// Invocation is what the fake handed the bot for one user action and how
// the bot acked it.
type Invocation struct {
	EnvelopeID  string
	TriggerID   string
	ResponseURL string // "" when the action has none (global shortcut, views)
	Ack         Ack
}

// check fails the test unless the user exists and is active. Call without
// s.mu.
func (u *UserSim) check(t TB) bool {
	t.Helper()
	u.s.mu.Lock()
	usr, ok := u.s.ws.users[u.id]
	u.s.mu.Unlock()
	switch {
	case !ok:
		t.Fatalf("fakeslack: unknown user %s; add it with AddUser", u.id)
	case usr.Deleted:
		t.Fatalf("fakeslack: user %s is deactivated and cannot act", u.id)
	default:
		return true
	}
	return false
}

// userObj is the user object of interaction payloads; team_id is the
// user's home team. Call with s.mu held.
func (s *Server) userObj(id string) map[string]any {
	n := s.userName(id)
	return map[string]any{"id": id, "username": n, "name": n, "team_id": s.userTeam(id)}
}

// interact sends an envelope on the user's behalf and waits for the bot's
// ack within the ack timeout, as Slack does before showing the user an
// error.
func (s *Server) interact(t TB, env Envelope, desc string) (*Delivery, Ack, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.waitTimeout)
	defer cancel()
	d, err := s.Send(ctx, env)
	if err != nil {
		t.Fatalf("fakeslack: %s: %v", desc, err)
		return nil, Ack{}, false
	}
	actx, acancel := context.WithTimeout(s.ctx, s.cfg.ackTimeout)
	defer acancel()
	ack, err := d.WaitAck(actx)
	if err != nil {
		t.Fatalf("fakeslack: %s: the bot did not ack within %v (Slack shows the user an error): %v%s",
			desc, s.cfg.ackTimeout, err, s.refusedAcks(d.EnvelopeID))
		return d, Ack{}, false
	}
	return d, ack, true
}

// refusedAcks explains acks of envelopeID that Slack would have refused.
func (s *Server) refusedAcks(envelopeID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := ""
	for _, a := range s.sock.acks {
		if a.EnvelopeID == envelopeID && a.Invalid != "" {
			out += "; an ack arrived but was refused: " + a.Invalid
		}
	}
	return out
}

// Slash runs a slash command such as "/handoff help" in a channel. The
// slash_commands envelope carries a fresh trigger_id and response_url; the
// bot must ack within the ack timeout. Text or blocks in the ack payload
// are shown to the user (ephemeral by default, in the channel with
// response_type in_channel).
func (u *UserSim) Slash(t TB, channelID, commandLine string) *Invocation {
	t.Helper()
	if !u.check(t) {
		return nil
	}
	cmd, text, _ := strings.Cut(strings.TrimSpace(commandLine), " ")
	s := u.s
	s.mu.Lock()
	ch, ok := s.ws.channels[channelID]
	if !ok {
		s.mu.Unlock()
		t.Fatalf("fakeslack: %s: unknown channel %s", commandLine, channelID)
		return nil
	}
	name := ch.Name
	if ch.im {
		name = "directmessage"
	}
	inv := &Invocation{TriggerID: s.issueTrigger(u.id, ""), ResponseURL: s.newResponseURL(u.id, channelID, nil)}
	inst := u.installation()
	payload := map[string]any{
		"token": "fake-verification-token", "team_id": inst.TeamID, "team_domain": domainOf(inst.TeamID),
		"channel_id": channelID, "channel_name": name, "user_id": u.id, "user_name": s.userName(u.id),
		"command": cmd, "text": strings.TrimSpace(text), "api_app_id": inst.AppID,
		"is_enterprise_install": false, "response_url": inv.ResponseURL, "trigger_id": inv.TriggerID,
	}
	if inst.EnterpriseID != "" {
		payload["enterprise_id"], payload["enterprise_name"] = inst.EnterpriseID, enterpriseName
	}
	s.logAction(u.id, "command", commandLine+" (in "+s.channelName(channelID)+")")
	s.mu.Unlock()
	d, ack, ok := s.interact(t, Envelope{Type: "slash_commands", Payload: payload, AcceptsResponsePayload: true}, commandLine)
	if !ok {
		return nil
	}
	inv.EnvelopeID, inv.Ack = d.EnvelopeID, ack
	u.showAckMessage(t, inv, channelID, ack.Payload)
	return inv
}

// showAckMessage shows a slash command's ack payload to the user.
func (u *UserSim) showAckMessage(t TB, inv *Invocation, channelID string, payload json.RawMessage) {
	t.Helper()
	if len(payload) == 0 {
		return
	}
	var m responseMsg
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatalf("fakeslack: ack payload of a slash command is not a message object: %s", payload)
		return
	}
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := content{text: m.Text}
	if len(m.Blocks) > 0 && string(m.Blocks) != "null" {
		blocks, err := decodeBlocks(m.Blocks)
		if err != nil {
			t.Fatalf("fakeslack: ack payload blocks: %v", err)
			return
		}
		c.blocks = blocks
	}
	if c.text == "" && len(c.blocks) == 0 {
		return
	}
	if err := s.checkContent(&c, false); err != nil {
		t.Fatalf("fakeslack: ack payload refused by Slack: %v", errDetails(err))
		return
	}
	ru := s.rurls[strings.TrimPrefix(inv.ResponseURL, s.base+"/response/")]
	m.ThreadTS = ""
	if err := s.postResponse(ru, m, c); err != nil {
		t.Fatalf("fakeslack: ack payload: %v", err)
	}
}

// MessageShortcut runs a message shortcut (callback_id from the manifest)
// on msg, as a user does from the message's "More actions" menu.
func (u *UserSim) MessageShortcut(t TB, msg *Message, callbackID string) *Invocation {
	t.Helper()
	if msg == nil {
		t.Fatalf("fakeslack: MessageShortcut on a nil message")
		return nil
	}
	if !u.check(t) {
		return nil
	}
	s := u.s
	s.mu.Lock()
	r := msg.rec
	inv := &Invocation{TriggerID: s.issueTrigger(u.id, ""), ResponseURL: s.newResponseURL(u.id, r.channel, r)}
	payload := s.interaction("message_action", u.installation(), u.id)
	maps.Copy(payload, map[string]any{
		"action_ts": s.nextTS(), "callback_id": callbackID,
		"channel":    map[string]any{"id": r.channel, "name": s.ws.channels[r.channel].Name},
		"trigger_id": inv.TriggerID, "response_url": inv.ResponseURL,
		"message_ts": r.ts, "message": s.msgJSON(r, len(r.versions)-1),
	})
	s.logAction(u.id, "shortcut", fmt.Sprintf("%s on a message in %s", callbackID, s.channelName(r.channel)))
	s.mu.Unlock()
	return u.finish(t, Envelope{Type: "interactive", Payload: payload}, inv, "message shortcut "+callbackID)
}

// GlobalShortcut runs a global shortcut (callback_id from the manifest).
// It carries a trigger_id but no channel and no response_url.
func (u *UserSim) GlobalShortcut(t TB, callbackID string) *Invocation {
	t.Helper()
	if !u.check(t) {
		return nil
	}
	s := u.s
	s.mu.Lock()
	inv := &Invocation{TriggerID: s.issueTrigger(u.id, "")}
	payload := s.interaction("shortcut", u.installation(), u.id)
	payload["action_ts"], payload["callback_id"], payload["trigger_id"] = s.nextTS(), callbackID, inv.TriggerID
	s.logAction(u.id, "shortcut", callbackID)
	s.mu.Unlock()
	return u.finish(t, Envelope{Type: "interactive", Payload: payload}, inv, "global shortcut "+callbackID)
}

// finish sends an interaction and fills in the Invocation.
func (u *UserSim) finish(t TB, env Envelope, inv *Invocation, desc string) *Invocation {
	t.Helper()
	d, ack, ok := u.s.interact(t, env, desc)
	if !ok {
		return nil
	}
	inv.EnvelopeID, inv.Ack = d.EnvelopeID, ack
	return inv
}

// ExpectModal waits for the next modal the bot opened (views.open or
// views.push) for this user, and consumes it.
func (u *UserSim) ExpectModal(t TB) *View {
	t.Helper()
	it := u.s.await(t, "a modal for "+u.id, func(it *item) bool {
		return it.kind == kindModal && it.user == u.id
	})
	if it == nil {
		return nil
	}
	return it.view.withT(t)
}

// ExpectEphemeral waits for the next private reply to this user containing
// contains, whatever its route (chat.postEphemeral, a response_url, a
// slash command's ack payload), and consumes it.
func (u *UserSim) ExpectEphemeral(t TB, contains string) *Message {
	t.Helper()
	it := u.s.await(t, fmt.Sprintf("an ephemeral message to %s containing %q", u.id, contains), func(it *item) bool {
		return it.kind == kindEphemeral && it.user == u.id && strings.Contains(it.msg.textLocked(), contains)
	})
	if it == nil {
		return nil
	}
	return it.msg
}

// ExpectDM waits for the next message from the bot in this user's DM with
// the bot containing contains, and consumes it.
func (u *UserSim) ExpectDM(t TB, contains string) *Message {
	t.Helper()
	it := u.s.await(t, fmt.Sprintf("a DM to %s containing %q", u.id, contains), func(it *item) bool {
		im, ok := u.s.ws.ims[u.id]
		return ok && (it.kind == kindMessage || it.kind == kindReply) && it.msg.rec.channel == im &&
			strings.Contains(it.msg.textLocked(), contains)
	})
	if it == nil {
		return nil
	}
	return it.msg
}

// DMChannel returns the id of this user's DM with the bot (the D… id
// conversations.open returns), creating it if needed.
func (u *UserSim) DMChannel() string {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.imFor(u.id)
}
