package fakeslack

import (
	"fmt"
	"slices"
	"strings"
)

// Changes an administrator (or a person editing their profile) makes to
// the workspace, each with the event Slack sends the app about it. The
// events go out like people's: queued, in order, redelivered if unacked,
// and only when the app subscribes to them (all are subscribed by
// default; see WithEventSubscriptions).

// ChangeUser replaces an existing user, as when they edit their profile
// or an admin deactivates them (Deleted), so that users.info answers the
// new record, and sends user_change with the full user object as
// users.info shows it. An unknown user is an error: a new user would be
// team_join, which the fake does not send.
func (s *Server) ChangeUser(u User) error {
	u = withUserDefaults(u)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ws.users[u.ID]; !ok {
		return fmt.Errorf("fakeslack: change user %s: no such user; add it with AddUser", u.ID)
	}
	s.ws.putUser(u)
	if s.cfg.subscriptions["user_change"] {
		s.enqueueEvent(map[string]any{
			"type": "user_change", "user": s.userJSON(s.ws.users[u.ID]),
			"cache_ts": s.now().Unix(), "event_ts": s.nextTS(),
		})
	}
	s.logEntry("admin", "admin", fmt.Sprintf("changed user @%s", u.Name))
	s.notify()
	return nil
}

// SetUserGroupMembers replaces a user group's members, as when someone
// edits the group, so that usergroups.users.list answers the new list,
// and sends subteam_members_changed with the users added and removed.
// Nothing is sent when the members are unchanged. The counts are numbers,
// as Slack sends them (its documentation's example shows strings, which
// slack-go could not decode).
func (s *Server) SetUserGroupMembers(id string, members ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.ws.groups[id]
	if !ok {
		return fmt.Errorf("fakeslack: set members of %s: no such user group; add it with AddUserGroup", id)
	}
	added := slices.DeleteFunc(slices.Clone(members), func(m string) bool { return slices.Contains(g.members, m) })
	removed := slices.DeleteFunc(slices.Clone(g.members), func(m string) bool { return slices.Contains(members, m) })
	if len(added) == 0 && len(removed) == 0 {
		return nil
	}
	prev, now := g.updated, s.now().Unix()
	g.members, g.updated = slices.Clone(members), now
	if s.cfg.subscriptions["subteam_members_changed"] {
		s.enqueueEvent(map[string]any{
			"type": "subteam_members_changed", "subteam_id": id, "team_id": s.cfg.inst.TeamID,
			"date_previous_update": prev, "date_update": now,
			"added_users": added, "added_users_count": len(added),
			"removed_users": removed, "removed_users_count": len(removed), "event_ts": s.nextTS(),
		})
	}
	s.logEntry("admin", "admin", fmt.Sprintf("changed @%s: added %s, removed %s", g.handle,
		strings.Join(added, ", "), strings.Join(removed, ", ")))
	s.notify()
	return nil
}

// RevokeBotToken revokes the bot token, as an admin or auth.revoke does:
// later calls with it (and with any custom step's token) answer
// token_revoked, and the app gets tokens_revoked naming the bot user
// under "bot". The app-level token and the open sockets are unaffected,
// so the event can still arrive.
func (s *Server) RevokeBotToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revokeBotTokens("token_revoked")
	s.logEntry("admin", "admin", "revoked the app's bot token")
	s.notify()
}

// UninstallApp removes the app from the workspace: the bot token (and
// any custom step's token) stops working, and the app gets tokens_revoked
// then app_uninstalled. Slack's error reference says a bot token "for a
// deleted user or workspace" answers account_inactive, and that is what
// apps report after an uninstall, so later calls answer account_inactive.
// The app-level token belongs to the app, not the installation, so
// Socket Mode keeps working and the events arrive.
func (s *Server) UninstallApp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revokeBotTokens("account_inactive")
	if s.cfg.subscriptions["app_uninstalled"] {
		s.enqueueEvent(map[string]any{"type": "app_uninstalled", "event_ts": s.nextTS()})
	}
	s.logEntry("admin", "admin", "removed the app from the workspace")
	s.notify()
}

// revokeBotTokens makes the bot's tokens answer code and queues
// tokens_revoked. Call with s.mu held.
func (s *Server) revokeBotTokens(code string) {
	s.flt.revoked[s.cfg.botToken] = code
	for _, r := range s.execs {
		s.flt.revoked[r.token] = code
	}
	if s.cfg.subscriptions["tokens_revoked"] {
		s.enqueueEvent(map[string]any{
			"type": "tokens_revoked", "tokens": map[string]any{"oauth": []string{}, "bot": []string{botUserID}},
			"event_ts": s.nextTS(),
		})
	}
}
