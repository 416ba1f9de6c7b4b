package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/avast/retry-go/v4"
	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// Workspace is the installation the bot serves, as auth.test names it:
// only its people (and, on Enterprise Grid, its organization's) may use
// the bot.
type Workspace struct {
	TeamID       string
	EnterpriseID string // "" outside Enterprise Grid
	Name         string // the workspace's name, for refusals
}

// Includes reports whether a workspace (and its Grid organization) is this
// installation: the same team, or a team of the same Enterprise Grid
// organization (an org-wide install).
func (w Workspace) Includes(teamID, enterpriseID string) bool {
	if w.TeamID == "" {
		return false
	}
	return teamID == w.TeamID || (w.EnterpriseID != "" && enterpriseID == w.EnterpriseID)
}

// Origin is who and where an envelope comes from, as Slack stamped it.
type Origin struct {
	// TeamID and EnterpriseID are the installation the envelope is for.
	TeamID, EnterpriseID string
	// UserID is the person who caused it; "" for an event nobody caused.
	UserID string
	// UserTeamID is the person's home workspace when the payload says it
	// (interactions' user.team_id, messages' user_team), else "".
	UserTeamID string
}

// tokenErrors are auth.test's answers that no retry will change.
var tokenErrors = []string{"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"}

// Prepare readies the App before the first envelope: it learns the
// workspace from auth.test (retrying while Slack is unreachable, failing
// at once on a token Slack refuses) and loads the teams into the
// directory, so that submissions find it filled.
func (a *App) Prepare(ctx context.Context) error {
	me, err := retry.DoWithData(func() (*slack.AuthTestResponse, error) { return a.slack.AuthTestContext(ctx) },
		retry.Context(ctx), retry.Attempts(0), retry.LastErrorOnly(true),
		retry.Delay(500*time.Millisecond), retry.MaxDelay(30*time.Second), retry.DelayType(retry.BackOffDelay),
		retry.RetryIf(func(err error) bool { return !isSlackError(err, tokenErrors...) }),
		retry.OnRetry(func(_ uint, err error) { a.log.WarnContext(ctx, "auth.test failed; trying again", "error", err) }))
	if err != nil {
		return fmt.Errorf("learn the workspace (auth.test): %w", err)
	}
	ws := Workspace{TeamID: me.TeamID, EnterpriseID: me.EnterpriseID, Name: me.Team}
	a.workspace.Store(&ws)
	a.log.InfoContext(ctx, "serving the workspace", "team_id", ws.TeamID, "enterprise_id", ws.EnterpriseID)
	if err := a.refreshDirectory(ctx); err != nil {
		a.log.WarnContext(ctx, "directory not fully loaded; the next refresh tries again", "error", err)
	}
	return nil
}

// Workspace is the installation learned by Prepare; zero before.
func (a *App) Workspace() Workspace {
	if ws := a.workspace.Load(); ws != nil {
		return *ws
	}
	return Workspace{}
}

// Admit refuses an envelope that comes from outside the installation:
// one for another workspace (outside the installation's Grid
// organization), or caused by a person from one, such as a Slack Connect
// guest. Everything else goes on to its handler.
func (a *App) Admit(ctx context.Context, o Origin) error {
	ws := a.Workspace()
	if ws.TeamID == "" {
		return domain.Errorf(domain.EUNAVAIL, "handoffbot is still starting.")
	}
	if o.TeamID != "" && !ws.Includes(o.TeamID, o.EnterpriseID) {
		return a.outsider(ws)
	}
	if o.UserID == "" {
		return nil
	}
	ok, err := a.insider(ctx, o.UserID, o.UserTeamID)
	if err != nil {
		return err
	}
	if !ok {
		return a.outsider(ws)
	}
	return nil
}

func (a *App) outsider(ws Workspace) error {
	name := ws.Name
	if name == "" {
		name = "this workspace"
	}
	return forbidden("handoffbot only works for people of %s, and your account belongs to another workspace or organization. Ask someone at %s to do this for you.",
		escape(name), escape(name))
}

// insider reports whether a person belongs to the installation: their
// home team (as the payload says, else as Slack's directory says) is the
// workspace or, on Grid, one of its organization's. Someone Slack does not
// know is not.
func (a *App) insider(ctx context.Context, userID, teamHint string) (bool, error) {
	ws := a.Workspace()
	switch {
	case ws.TeamID == "":
		return false, nil
	case teamHint == ws.TeamID:
		return true, nil
	case teamHint != "" && ws.EnterpriseID == "":
		return false, nil // another workspace, and no organization to share
	}
	u, err := a.dir.user(ctx, userID)
	if isSlackError(err, "user_not_found") {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return ws.Includes(u.TeamID, u.Enterprise.EnterpriseID), nil
}

// inTeam reports whether user is in a team setting (user and user-group
// IDs); an empty setting means everyone of the installation, never
// someone from outside it.
func (a *App) inTeam(ctx context.Context, user string, team []string) (bool, error) {
	if len(team) == 0 {
		return a.insider(ctx, user, "")
	}
	return a.dir.in(ctx, user, team)
}
