package fakeslack

import (
	"strings"
)

// Post has the user post text in a channel (or a D… DM). The message is
// stored and, when the app is subscribed (message.channels /
// message.groups for channels the bot is in, message.im for DMs), a
// `message` event is queued; events go out in order as soon as a socket is
// open, and Post does not wait for the bot's ack (an unacked event is
// redelivered). A mention of the bot in a channel also sends app_mention,
// so the bot receives both events, as from real Slack.
func (u *UserSim) Post(t TB, channelID, text string) *Message {
	t.Helper()
	return u.post(t, channelID, "", text)
}

// Reply has the user reply in parent's thread; the `message` event carries
// thread_ts and parent_user_id.
func (u *UserSim) Reply(t TB, parent *Message, text string) *Message {
	t.Helper()
	if parent == nil {
		t.Fatalf("fakeslack: Reply to a nil message")
		return nil
	}
	root := parent.TS
	if parent.ThreadTS != "" {
		root = parent.ThreadTS
	}
	return u.post(t, parent.Channel, root, text)
}

// Mention has the user post a message mentioning the bot (<@UBOT> is
// prepended unless text already contains it), which sends app_mention.
// The bot must be in the channel: Slack offers to invite it instead.
func (u *UserSim) Mention(t TB, channelID, text string) *Message {
	t.Helper()
	tag := "<@" + botUserID + ">"
	if !strings.Contains(text, tag) {
		text = tag + " " + text
	}
	u.s.mu.Lock()
	ch := u.s.ws.channels[channelID]
	member := ch != nil && (ch.BotIsMember || ch.im)
	u.s.mu.Unlock()
	if !member {
		t.Fatalf("fakeslack: @%s mentions the bot in %s, which the bot is not in; Slack would not deliver app_mention", u.id, channelID)
		return nil
	}
	return u.post(t, channelID, "", text)
}

// PostDM has the user write to the bot in their DM with it.
func (u *UserSim) PostDM(t TB, text string) *Message {
	t.Helper()
	return u.post(t, u.DMChannel(), "", text)
}

func (u *UserSim) post(t TB, channelID, threadTS, text string) *Message {
	t.Helper()
	if !u.check(t) {
		return nil
	}
	s := u.s
	s.mu.Lock()
	ch, ok := s.ws.channels[channelID]
	switch {
	case !ok:
		s.mu.Unlock()
		t.Fatalf("fakeslack: @%s cannot post in unknown channel %s", u.id, channelID)
		return nil
	case !s.isMember(ch, u.id) && !(ch.im && ch.imUser == u.id):
		s.mu.Unlock()
		t.Fatalf("fakeslack: @%s is not a member of %s", u.id, s.channelName(channelID))
		return nil
	}
	r := &msgRec{
		channel: channelID, ts: s.nextTS(), threadTS: threadTS, user: u.id,
		versions: []msgVersion{{text: text, at: s.now()}},
	}
	h := s.storeMessage(r)
	var events []map[string]any
	if strings.Contains(text, "<@"+botUserID+">") && !ch.im && ch.BotIsMember && s.cfg.subscriptions["app_mention"] {
		e := map[string]any{
			"type": "app_mention", "user": u.id, "text": text, "ts": r.ts, "channel": channelID,
			"event_ts": r.ts, "team": s.userTeam(u.id),
		}
		if threadTS != "" {
			e["thread_ts"] = threadTS
		}
		events = append(events, e)
	}
	if s.messageSubscribed(ch) {
		events = append(events, s.userMessageEvent(r))
	}
	for _, e := range events {
		s.enqueueEventFor(u.installation(), e)
	}
	s.mu.Unlock()
	return h
}

// OpenHome has the user open the app's Home tab: an app_home_opened event
// (tab "home", with the current view if one was published), then it waits
// for the bot's views.publish for this user and returns that view.
func (u *UserSim) OpenHome(t TB) *View {
	t.Helper()
	if !u.check(t) {
		return nil
	}
	s := u.s
	s.mu.Lock()
	if !s.cfg.subscriptions["app_home_opened"] {
		s.mu.Unlock()
		t.Fatalf("fakeslack: the app is not subscribed to app_home_opened")
		return nil
	}
	e := map[string]any{
		"type": "app_home_opened", "user": u.id, "channel": s.imFor(u.id), "tab": "home",
		"event_ts": s.nextTS(),
	}
	if r := s.vs.homes[u.id]; r != nil {
		e["view"] = s.viewPayload(r)
	}
	s.enqueueEventFor(u.installation(), e)
	s.logAction(u.id, "open_home", "opened the app's Home tab")
	s.mu.Unlock()
	return u.ExpectHomeUpdate(t)
}

// ExpectHomeUpdate waits for the bot's next views.publish for this user,
// consumes it and returns the view.
func (u *UserSim) ExpectHomeUpdate(t TB) *View {
	t.Helper()
	it := u.s.await(t, "a Home tab published for "+u.id, func(it *item) bool {
		return it.kind == kindHome && it.user == u.id
	})
	if it == nil {
		return nil
	}
	return it.view.withT(t)
}

// Home returns the user's current Home tab, or nil if the bot never
// published one. Failures in its methods panic (it has no TB); prefer
// OpenHome or ExpectHomeUpdate in tests.
func (u *UserSim) Home() *View {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	r := u.s.vs.homes[u.id]
	if r == nil {
		return nil
	}
	return u.s.viewHandle(r, len(r.versions)-1, nil)
}

// Modal is the modal on top of the user's stack, as it is now, or nil. It
// does not wait or consume anything: for interactive use (the demo's
// prompt), where nobody knows in advance whether a modal will open.
func (u *UserSim) Modal(t TB) *View {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	stack := u.s.vs.stacks[u.id]
	if len(stack) == 0 {
		return nil
	}
	r := stack[len(stack)-1]
	return u.s.viewHandle(r, len(r.versions)-1, t)
}
