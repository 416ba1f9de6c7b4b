package fakeslack

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

var gridInstall = Installation{TeamID: "T0GRID", EnterpriseID: "E0ORG", AppID: "A0HANDOFF"}

// A workspace-level install in an Enterprise Grid organization: hello,
// events, commands and interactions all name the team, the enterprise and
// the app, and so does auth.test.
func TestEveryEnvelopeNamesItsInstallation(t *testing.T) {
	s := newServer(t, WithInstallation(gridInstall))
	b := startBot(t, s, nil)
	if hello := b.next(socketmode.EventTypeHello); hello.Request.ConnectionInfo.AppID != "A0HANDOFF" {
		t.Errorf("hello connection_info.app_id = %q", hello.Request.ConnectionInfo.AppID)
	}
	a := s.User(alice)
	a.Mention(t, general, "hi")
	ev := b.next(socketmode.EventTypeEventsAPI).Data.(slackevents.EventsAPIEvent)
	if ev.TeamID != "T0GRID" || ev.APIAppID != "A0HANDOFF" || ev.EnterpriseID != "E0ORG" {
		t.Errorf("events_api payload: team %q app %q enterprise %q", ev.TeamID, ev.APIAppID, ev.EnterpriseID)
	}
	auths := mustAuthorizations(t, b.next(socketmode.EventTypeEventsAPI))
	if len(auths) != 1 || auths[0].TeamID != "T0GRID" || auths[0].EnterpriseID != "E0ORG" || auths[0].UserID != s.BotUserID() || !auths[0].IsBot {
		t.Errorf("authorizations: %+v", auths)
	}

	a.Slash(t, general, "/handoff")
	cmd := b.next(socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand)
	if cmd.TeamID != "T0GRID" || cmd.EnterpriseID != "E0ORG" || cmd.APIAppID != "A0HANDOFF" || cmd.EnterpriseName == "" {
		t.Errorf("slash command: %+v", cmd)
	}

	a.GlobalShortcut(t, "handoff_global")
	cb := b.next(socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	if cb.Team.ID != "T0GRID" || cb.User.TeamID != "T0GRID" || cb.APIAppID != "A0HANDOFF" || cb.Enterprise.ID != "E0ORG" {
		t.Errorf("interaction: team %q user.team_id %q app %q enterprise %q", cb.Team.ID, cb.User.TeamID, cb.APIAppID, cb.Enterprise.ID)
	}

	auth, err := newAPI(s, s.BotToken()).AuthTestContext(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if auth.TeamID != "T0GRID" || auth.EnterpriseID != "E0ORG" || auth.UserID != s.BotUserID() ||
		auth.BotID != s.BotID() || auth.Team == "" || auth.URL == "" {
		t.Errorf("auth.test: %+v", auth)
	}
}

// Outside Grid there is no enterprise anywhere: no enterprise_id in
// auth.test or events, a null enterprise in interactions.
func TestNoEnterpriseOutsideGrid(t *testing.T) {
	s := newServer(t)
	b := startBot(t, s, nil)
	s.User(alice).Mention(t, general, "hi")
	raw := b.next(socketmode.EventTypeEventsAPI).Request.Payload
	var cb map[string]any
	if err := json.Unmarshal(raw, &cb); err != nil {
		t.Fatal(err)
	}
	if _, has := cb["enterprise_id"]; has || cb["team_id"] != s.TeamID() || cb["api_app_id"] != s.AppID() {
		t.Errorf("events_api payload: %v", cb)
	}
	s.User(alice).GlobalShortcut(t, "handoff_global")
	if ic := b.next(socketmode.EventTypeInteractive).Data.(slack.InteractionCallback); ic.Enterprise.ID != "" {
		t.Errorf("enterprise outside Grid: %+v", ic.Enterprise)
	}
	auth, err := newAPI(s, s.BotToken()).AuthTestContext(testCtx(t))
	if err != nil || auth.EnterpriseID != "" || auth.TeamID != s.TeamID() {
		t.Errorf("auth.test: %+v %v", auth, err)
	}
}

// A person acting through another installation: the bot sees another
// app's or another team's identity and can refuse it.
func TestUserSimForAnotherInstallation(t *testing.T) {
	s := newServer(t, WithInstallation(gridInstall))
	b := startBot(t, s, nil)
	other := s.User(alice).For(Installation{AppID: "A0OTHERAPP"})
	other.Slash(t, general, "/handoff")
	cmd := b.next(socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand)
	if cmd.APIAppID != "A0OTHERAPP" || cmd.TeamID != "T0GRID" || cmd.EnterpriseID != "E0ORG" {
		t.Errorf("slash command for another app: %+v", cmd)
	}
	s.User(alice).For(Installation{TeamID: "T0ELSEWHERE"}).Mention(t, general, "hi")
	ev := b.next(socketmode.EventTypeEventsAPI).Data.(slackevents.EventsAPIEvent)
	if ev.TeamID != "T0ELSEWHERE" || ev.APIAppID != "A0HANDOFF" {
		t.Errorf("event for another team: team %q app %q", ev.TeamID, ev.APIAppID)
	}
	d, err := s.SendEventFor(testCtx(t), Installation{AppID: "A0OTHERAPP", EnterpriseID: "E0OTHER"}, "EvForeign",
		map[string]any{"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home", "event_ts": "1.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitAck(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	for {
		e := b.next(socketmode.EventTypeEventsAPI)
		if ev := e.Data.(slackevents.EventsAPIEvent); ev.APIAppID == "A0OTHERAPP" {
			if auths := mustAuthorizations(t, e); ev.EnterpriseID != "E0OTHER" || auths[0].EnterpriseID != "E0OTHER" {
				t.Errorf("SendEventFor: enterprise %q, authorizations %+v", ev.EnterpriseID, auths)
			}
			break
		}
	}
}

func mustAuthorizations(t *testing.T, e socketmode.Event) []slack.EventAuthorization {
	t.Helper()
	var cb slackevents.EventsAPICallbackEvent
	if err := json.Unmarshal(e.Request.Payload, &cb); err != nil {
		t.Fatal(err)
	}
	return cb.Authorizations
}
