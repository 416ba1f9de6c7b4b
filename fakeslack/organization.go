package fakeslack

import "slices"

// Users of other teams: a Slack Connect guest from another company, or a
// member of a sibling workspace of the same Enterprise Grid organization.
// The readings of Slack's user object taken here:
//
//   - team_id (and profile.team) is the user's home workspace.
//   - enterprise_user is present for a user whose team belongs to a Grid
//     organization: {id, enterprise_id, enterprise_name, is_admin,
//     is_owner, is_primary_owner, teams}.
//   - is_stranger is true for a user of another workspace who is in no
//     shared channel visible to the app; false (Slack also omits it) when
//     the user is in such a channel or belongs to the installation's
//     workspace. So is_stranger alone does not tell an external user
//     apart: compare team_id and enterprise_user.enterprise_id with the
//     installation's (auth.test).

// userTeam is the team a user belongs to; unknown users and the bot
// belong to the installation's. Call with s.mu held.
func (s *Server) userTeam(id string) string {
	if u, ok := s.ws.users[id]; ok && u.TeamID != "" {
		return u.TeamID
	}
	return s.cfg.inst.TeamID
}

// userEnterprise is the Grid organization a user belongs to, or "". Call
// with s.mu held.
func (s *Server) userEnterprise(id string) string {
	u, ok := s.ws.users[id]
	switch {
	case ok && u.EnterpriseID != "":
		return u.EnterpriseID
	case ok && u.TeamID != "" && u.TeamID != s.cfg.inst.TeamID:
		return ""
	default:
		return s.cfg.inst.EnterpriseID
	}
}

// orgOf classifies a user: "" for the installation's own team, "org" for a
// sibling workspace of the same Grid organization, "ext" for another
// organization. Call with s.mu held.
func (s *Server) orgOf(id string) string {
	inst := s.cfg.inst
	switch {
	case s.userTeam(id) == inst.TeamID:
		return ""
	case inst.EnterpriseID != "" && s.userEnterprise(id) == inst.EnterpriseID:
		return "org"
	default:
		return "ext"
	}
}

// isStranger applies Slack's is_stranger rule: another workspace's user
// in no channel the app can see. Call with s.mu held.
func (s *Server) isStranger(id string) bool {
	if s.userTeam(id) == s.cfg.inst.TeamID {
		return false
	}
	for _, c := range s.ws.channels {
		visible := c.BotIsMember || !c.Private
		if visible && c.Members != nil && slices.Contains(c.Members, id) {
			return false
		}
	}
	return true
}

// userJSON renders a user as users.info returns it. Call with s.mu held.
func (s *Server) userJSON(u *User) map[string]any {
	team := s.userTeam(u.ID)
	m := map[string]any{
		"id": u.ID, "team_id": team, "name": u.Name, "deleted": u.Deleted,
		"real_name": u.RealName, "tz": u.TZ, "tz_label": u.TZ, "tz_offset": 0,
		"is_bot": u.IsBot, "is_app_user": false, "is_admin": false, "is_owner": false,
		"profile": map[string]any{
			"real_name": u.RealName, "real_name_normalized": u.RealName,
			"display_name": u.Name, "display_name_normalized": u.Name,
			"email": u.Email, "team": team,
		},
	}
	if team != s.cfg.inst.TeamID {
		m["is_stranger"] = s.isStranger(u.ID)
	}
	if ent := s.userEnterprise(u.ID); ent != "" {
		name := enterpriseName
		if ent != s.cfg.inst.EnterpriseID {
			name = ent
		}
		m["enterprise_user"] = map[string]any{
			"id": u.ID, "enterprise_id": ent, "enterprise_name": name,
			"is_admin": false, "is_owner": false, "is_primary_owner": false, "teams": []string{team},
		}
	}
	return m
}

// sharing says how a channel is shared: with a sibling Grid workspace
// (org) and/or another organization (ext), from its members. Call with
// s.mu held.
func (s *Server) sharing(c *chanRec) (org, ext bool) {
	for _, id := range c.Members {
		switch s.orgOf(id) {
		case "org":
			org = true
		case "ext":
			ext = true
		}
	}
	return org, ext
}
