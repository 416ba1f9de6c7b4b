package fakeslack

import (
	"slices"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// innerEvents collects the inner events the bot receives, decoded by
// slack-go, in order.
func innerEvents(t *testing.T, s *Server) <-chan any {
	t.Helper()
	got := make(chan any, 16)
	startBot(t, s, func(_ *testBot, e socketmode.Event) bool {
		if e.Type == socketmode.EventTypeEventsAPI {
			got <- e.Data.(slackevents.EventsAPIEvent).InnerEvent.Data
		}
		return false
	})
	return got
}

func TestChangeUserSendsUserChange(t *testing.T) {
	s := newServer(t)
	got := innerEvents(t, s)
	if err := s.ChangeUser(User{ID: alice, Name: "alice", RealName: "Alice Adams-Baker", Email: "alice@example.com", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	ev, ok := recv(t, got).(*slackevents.UserChangeEvent)
	if !ok || ev.User.ID != alice || ev.User.RealName != "Alice Adams-Baker" || !ev.User.Deleted || ev.User.TeamID != s.TeamID() {
		t.Fatalf("user_change: %+v", ev)
	}
	u, err := newAPI(s, s.BotToken()).GetUserInfoContext(testCtx(t), alice)
	if err != nil || u.RealName != "Alice Adams-Baker" || !u.Deleted {
		t.Errorf("users.info after the change: %+v %v", u, err)
	}
	if err := s.ChangeUser(User{ID: "UNOBODY"}); err == nil {
		t.Error("changing an unknown user should fail")
	}
}

func TestSetUserGroupMembersSendsTheDelta(t *testing.T) {
	s := newServer(t)
	s.AddUser(User{ID: "UCAROL", Name: "carol"})
	s.AddUserGroup("SMANAGERS", "managers", alice, bob)
	got := innerEvents(t, s)
	if err := s.SetUserGroupMembers("SMANAGERS", bob, "UCAROL"); err != nil {
		t.Fatal(err)
	}
	ev, ok := recv(t, got).(*slackevents.SubteamMembersChangedEvent)
	if !ok || ev.SubteamID != "SMANAGERS" || ev.TeamID != s.TeamID() || !slices.Equal(ev.AddedUsers, []string{"UCAROL"}) ||
		ev.AddedUsersCount != 1 || !slices.Equal(ev.RemovedUsers, []string{alice}) || ev.RemovedUsersCount != 1 {
		t.Fatalf("subteam_members_changed: %+v", ev)
	}
	members, err := newAPI(s, s.BotToken()).GetUserGroupMembersContext(testCtx(t), "SMANAGERS")
	if err != nil || !slices.Equal(members, []string{bob, "UCAROL"}) {
		t.Errorf("usergroups.users.list: %v %v", members, err)
	}
	if err := s.SetUserGroupMembers("SNOPE"); err == nil {
		t.Error("an unknown group should fail")
	}
}

// Revoking the bot token: calls answer token_revoked and the app hears
// of it; the socket stays up.
func TestRevokeBotTokenSendsTokensRevoked(t *testing.T) {
	s := newServer(t)
	got := innerEvents(t, s)
	s.RevokeBotToken()
	ev, ok := recv(t, got).(*slackevents.TokensRevokedEvent)
	if !ok || !slices.Equal(ev.Tokens.Bot, []string{s.BotUserID()}) || len(ev.Tokens.Oauth) != 0 {
		t.Fatalf("tokens_revoked: %+v", ev)
	}
	_, err := newAPI(s, s.BotToken()).AuthTestContext(testCtx(t))
	wantSlackError(t, err, "token_revoked")
}

// Uninstalling: tokens_revoked then app_uninstalled; the bot token (and a
// custom step's) answer account_inactive.
func TestUninstallAppRevokesAndTells(t *testing.T) {
	s := newServer(t)
	s.AddFunction(handoffStep)
	got := innerEvents(t, s)
	run := s.RunFunction(t, "hand_off_lead", map[string]any{"lead": "Ada", "assignee": bob})
	if _, ok := recv(t, got).(*slackevents.FunctionExecutedEvent); !ok {
		t.Fatal("no function_executed")
	}
	s.UninstallApp()
	if _, ok := recv(t, got).(*slackevents.TokensRevokedEvent); !ok {
		t.Fatal("tokens_revoked should come first")
	}
	if _, ok := recv(t, got).(*slackevents.AppUninstalledEvent); !ok {
		t.Fatal("no app_uninstalled")
	}
	for _, token := range []string{s.BotToken(), run.Token} {
		_, _, err := slack.New(token, slack.OptionAPIURL(s.APIURL())).PostMessageContext(testCtx(t), general, slack.MsgOptionText("x", false))
		wantSlackError(t, err, "account_inactive")
	}
}
