package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/metrics"
)

// Only our app and our installation. Slack names the app every envelope
// is for (api_app_id) and the app a connection belongs to (hello's
// connection_info.app_id): an envelope for another app is dropped here,
// acked so that it is not delivered again, counted as "foreign" and logged
// without its payload. Envelopes for another workspace, or caused by
// someone from outside the installation, are the router's Admit's to
// refuse (handlers.App.Admit), before any handler runs.

// learnApp records the app a connection's hello names: the first one, as
// every connection of our app token belongs to the same app. Called from
// the loop only.
func (r *Runtime) learnApp(evt socketmode.Event) {
	if evt.Request == nil || evt.Request.ConnectionInfo.AppID == "" {
		return
	}
	switch id := evt.Request.ConnectionInfo.AppID; {
	case r.appID == "":
		r.appID = id
		r.log.Info("connected as Slack app", "app_id", id)
	case id != r.appID:
		r.log.Warn("a connection names another app; keeping the first", "app_id", id, "first_app_id", r.appID)
	}
}

// dropForeign acks and drops an envelope that names another app than the
// connection's, and reports whether it did. Called from the loop only.
func (r *Runtime) dropForeign(envelopeID, kind string, evt socketmode.Event) bool {
	app := appOf(evt.Data)
	if r.appID == "" || app == "" || app == r.appID {
		return false
	}
	r.ack(envelopeID, nil)
	r.opts.Metrics.Handled(envelopeID, kind, time.Now(), metrics.OutcomeForeign)
	r.log.Warn("envelope for another app dropped", "envelope_id", envelopeID, "type", kind, "api_app_id", app)
	return true
}

// appOf is the api_app_id an envelope's payload names ("" when none).
func appOf(data any) string {
	switch d := data.(type) {
	case slack.SlashCommand:
		return d.APIAppID
	case slack.InteractionCallback:
		return d.APIAppID
	case slackevents.EventsAPIEvent:
		return d.APIAppID
	}
	return ""
}

// admitted runs the router's Admit for o before run: someone from outside
// the installation is refused in words and nothing else happens.
func (r *Runtime) admitted(o handlers.Origin, run func(ctx context.Context) error) func(ctx context.Context) error {
	if r.router.Admit == nil {
		return run
	}
	return func(ctx context.Context) error {
		if err := r.router.Admit(ctx, o); err != nil {
			return err
		}
		return run(ctx)
	}
}

// interactionOrigin is where an interaction comes from: its installation,
// and the person with their home team.
func interactionOrigin(cb slack.InteractionCallback) handlers.Origin {
	return handlers.Origin{TeamID: cb.Team.ID, EnterpriseID: cb.Enterprise.ID, UserID: cb.User.ID, UserTeamID: cb.User.TeamID}
}

// commandOrigin is where a slash command comes from. Its team_id is the
// installation's, not necessarily the person's (a Slack Connect guest's
// command in a shared channel), so the person's team is left to Admit to
// look up.
func commandOrigin(c slack.SlashCommand) handlers.Origin {
	return handlers.Origin{TeamID: c.TeamID, EnterpriseID: c.EnterpriseID, UserID: c.UserID}
}

// RemovedError says Slack took the app's access away: it was uninstalled
// or its bot token revoked. serve exits with it, so that whoever runs the
// bot sees that it stopped and why.
type RemovedError struct {
	Event string // app_uninstalled or tokens_revoked
}

func (e *RemovedError) Error() string {
	if e.Event == string(slackevents.AppUninstalled) {
		return "Slack uninstalled the app from the workspace (app_uninstalled)"
	}
	return "Slack revoked the app's bot token (tokens_revoked), as it does when the app is uninstalled or an admin revokes the token"
}

// advice is the one line logged when the app's access is taken away:
// what happened and what to do.
func (e *RemovedError) advice() string {
	return fmt.Sprintf("%s: handoffbot can no longer act in Slack and is stopping. "+
		"Reinstall the app to the workspace (from its manifest, see README: Creating the Slack app), "+
		"set SLACK_BOT_TOKEN to the new bot token, and start handoffbot again.", e.Error())
}

// removalJob handles app_uninstalled and tokens_revoked for our
// installation (Admit checks it is ours): once handled, the runtime
// drains and Run returns a *RemovedError. A tokens_revoked naming no bot
// token (only people's tokens, which the bot does not use) changes
// nothing.
func (r *Runtime) removalJob(o handlers.Origin, e slackevents.EventsAPIInnerEvent) func(ctx context.Context) error {
	if ev, ok := e.Data.(*slackevents.TokensRevokedEvent); ok && len(ev.Tokens.Bot) == 0 {
		return nil
	}
	return r.admitted(o, func(context.Context) error {
		select {
		case r.removed <- &RemovedError{Event: e.Type}:
		default: // already stopping: both events of an uninstall arrived
		}
		return nil
	})
}
