package fakeslack

import (
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Users of other teams as users.info shows them, from a Grid install:
// a member of a sibling workspace (same enterprise), a Slack Connect
// guest in a shared channel, and one the app shares no channel with.
func TestUsersOfOtherTeams(t *testing.T) {
	s := newServer(t, WithInstallation(gridInstall))
	s.AddUser(User{ID: "WSIBLING", Name: "sib", TeamID: "T0SALES", EnterpriseID: "E0ORG"})
	s.AddUser(User{ID: "UGUEST", Name: "guest", TeamID: "T0ACME"})
	s.AddUser(User{ID: "USTRANGER", Name: "stranger", TeamID: "T0GLOBEX", EnterpriseID: "E0GLOBEX"})
	s.AddChannel(Channel{ID: "CSHARED", Name: "acme-deal", Members: []string{alice, "UGUEST"}, BotIsMember: true})
	s.AddChannel(Channel{ID: "CORG", Name: "org-wide", Members: []string{alice, "WSIBLING"}, BotIsMember: true})
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	info := func(id string) *slack.User {
		t.Helper()
		u, err := api.GetUserInfoContext(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	for _, tc := range []struct {
		id, team, enterprise string
		stranger             bool
	}{
		{alice, "T0GRID", "E0ORG", false},
		{"WSIBLING", "T0SALES", "E0ORG", false},
		{"UGUEST", "T0ACME", "", false},
		{"USTRANGER", "T0GLOBEX", "E0GLOBEX", true},
	} {
		u := info(tc.id)
		if u.TeamID != tc.team || u.Profile.Team != tc.team || u.Enterprise.EnterpriseID != tc.enterprise || u.IsStranger != tc.stranger {
			t.Errorf("%s: team %q/%q enterprise %q stranger %v; want %+v", tc.id, u.TeamID, u.Profile.Team, u.Enterprise.EnterpriseID, u.IsStranger, tc)
		}
		if tc.enterprise != "" && (len(u.Enterprise.Teams) != 1 || u.Enterprise.Teams[0] != tc.team) {
			t.Errorf("%s: enterprise_user.teams = %v", tc.id, u.Enterprise.Teams)
		}
	}
	for id, want := range map[string][2]bool{"CSHARED": {false, true}, "CORG": {true, false}, general: {false, false}} {
		c, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
		if err != nil {
			t.Fatal(err)
		}
		if c.IsOrgShared != want[0] || c.IsExtShared != want[1] || c.IsShared != (want[0] || want[1]) {
			t.Errorf("%s: org %v ext %v shared %v, want %v", id, c.IsOrgShared, c.IsExtShared, c.IsShared, want)
		}
	}
}

// A guest is in the shared channel only: not in a channel that lists
// every member of the workspace. Their message event names their team.
func TestGuestActsInSharedChannelOnly(t *testing.T) {
	s := newServer(t)
	s.AddUser(User{ID: "UGUEST", Name: "guest", TeamID: "T0ACME"})
	s.AddChannel(Channel{ID: "CSHARED", Name: "acme-deal", Members: []string{alice, "UGUEST"}, BotIsMember: true})
	b := startBot(t, s, nil)
	guest := s.User("UGUEST")
	tb := &recordingTB{}
	guest.Post(tb, general, "hello")
	mustContain(t, tb.only(t), "is not a member of #general")
	guest.Post(t, "CSHARED", "hello from Acme")
	e := b.next(socketmode.EventTypeEventsAPI)
	ev := e.Data.(slackevents.EventsAPIEvent)
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || !ev.IsExtSharedChannel || msg.UserTeam != "T0ACME" || msg.SourceTeam != "T0ACME" || msg.User != "UGUEST" {
		t.Fatalf("message event: ext shared %v, %+v", ev.IsExtSharedChannel, ev.InnerEvent.Data)
	}
	if members, _, err := newAPI(s, s.BotToken()).GetUsersInConversationContext(testCtx(t),
		&slack.GetUsersInConversationParameters{ChannelID: general}); err != nil || len(members) != 3 {
		t.Errorf("#general members %v (%v): the guest is not one", members, err)
	}
}
