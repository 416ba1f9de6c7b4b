package fakeslack

import (
	"strings"
)

// Installation names the workspace (and Enterprise Grid organization) an
// app is installed in, and the app itself. Slack stamps it on every
// envelope, so that an app can tell which installation a request is for
// and refuse one that is not its own.
type Installation struct {
	TeamID       string // "T…"
	EnterpriseID string // "E…"; "" outside Enterprise Grid
	AppID        string // "A…"
}

// Default identities of the fake workspace and app. They look like
// Slack's so that code which sniffs prefixes (T…, A…) behaves as in
// production.
const (
	defaultTeamID  = "TFAKE"
	defaultAppID   = "AFAKEAPP"
	teamDomain     = "fake"
	teamName       = "Fake Workspace"
	enterpriseName = "Fake Enterprise"
)

// WithInstallation sets the team, Enterprise Grid organization and app
// the fake's workspace and app have; zero fields keep the defaults (team
// TFAKE, no enterprise, app AFAKEAPP). With an EnterpriseID, payloads
// carry it the way Slack does for a workspace-level install in a Grid
// organization: enterprise_id in events and slash commands, an
// enterprise object in interactions, enterprise_id in auth.test.
func WithInstallation(inst Installation) Option {
	return func(c *config) {
		c.inst = inst.or(c.inst)
	}
}

// or fills inst's zero fields from def.
func (inst Installation) or(def Installation) Installation {
	if inst.TeamID == "" {
		inst.TeamID = def.TeamID
	}
	if inst.EnterpriseID == "" {
		inst.EnterpriseID = def.EnterpriseID
	}
	if inst.AppID == "" {
		inst.AppID = def.AppID
	}
	return inst
}

// Installation is the fake's own installation: its team, enterprise and
// app IDs.
func (s *Server) Installation() Installation { return s.cfg.inst }

// TeamID is the workspace id carried by every payload.
func (s *Server) TeamID() string { return s.cfg.inst.TeamID }

// EnterpriseID is the Enterprise Grid organization id carried by every
// payload, or "" outside Grid.
func (s *Server) EnterpriseID() string { return s.cfg.inst.EnterpriseID }

// AppID is the app id carried as api_app_id by every payload.
func (s *Server) AppID() string { return s.cfg.inst.AppID }

// nullable renders "" as JSON null, as Slack renders an absent id.
func nullable(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// teamObj is the team object of interaction payloads.
func teamObj(inst Installation) map[string]any {
	t := map[string]any{"id": inst.TeamID, "domain": domainOf(inst.TeamID)}
	if inst.EnterpriseID != "" {
		t["enterprise_id"], t["enterprise_name"] = inst.EnterpriseID, enterpriseName
	}
	return t
}

// enterpriseObj is the enterprise object of interaction payloads, null
// outside Grid.
func enterpriseObj(inst Installation) any {
	if inst.EnterpriseID == "" {
		return nil
	}
	return map[string]any{"id": inst.EnterpriseID, "name": enterpriseName}
}

// domainOf is the workspace domain the fake gives a team.
func domainOf(team string) string {
	if team == defaultTeamID {
		return teamDomain
	}
	return strings.ToLower(team)
}

// interaction is the part every interactive payload shares: its type, the
// installation it is for and the person acting. Call with s.mu held.
func (s *Server) interaction(typ string, inst Installation, user string) jmap {
	return jmap{
		"type": typ, "token": "fake-verification-token", "api_app_id": inst.AppID,
		"team": teamObj(inst), "user": s.userObj(user), "enterprise": enterpriseObj(inst),
		"is_enterprise_install": false,
	}
}

// authorizations is the authorizations field of an events_api payload:
// the one installation (the bot's) the event is delivered for.
func authorizations(inst Installation) []any {
	return []any{map[string]any{
		"enterprise_id": nullable(inst.EnterpriseID), "team_id": inst.TeamID, "user_id": botUserID,
		"is_bot": true, "is_enterprise_install": false,
	}}
}

// For returns the same person acting through another installation: every
// envelope their actions cause (commands, shortcuts, clicks, the events of
// their posts) names inst's team, enterprise and app instead of the
// fake's, as if Slack had routed another workspace's or another app's
// request to this socket. Zero fields keep the fake's own. Use it to prove
// that the bot drops or refuses what is not meant for it. (Submitting or
// closing a modal carries the fake's own installation: a foreign request
// should not have opened one.)
func (u *UserSim) For(inst Installation) *UserSim {
	return &UserSim{s: u.s, id: u.id, inst: inst.or(u.s.cfg.inst)}
}

// installation is the identity this person's envelopes carry.
func (u *UserSim) installation() Installation {
	return u.inst.or(u.s.cfg.inst)
}
