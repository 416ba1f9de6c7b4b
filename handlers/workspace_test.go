package handlers

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
)

func TestWorkspaceIncludes(t *testing.T) {
	plain := Workspace{TeamID: "T1"}
	grid := Workspace{TeamID: "T1", EnterpriseID: "E1"}
	for _, c := range []struct {
		ws        Workspace
		team, ent string
		want      bool
		why       string
	}{
		{plain, "T1", "", true, "the workspace"},
		{plain, "T2", "", false, "another workspace"},
		{plain, "T2", "E1", false, "another workspace's organization, when we are in none"},
		{plain, "", "", false, "no team at all"},
		{grid, "T1", "E1", true, "the workspace in its organization"},
		{grid, "T2", "E1", true, "a sibling workspace of the organization"},
		{grid, "T2", "E2", false, "another organization"},
		{grid, "T2", "", false, "a workspace outside any organization"},
		{Workspace{}, "", "", false, "an unknown installation includes nobody"},
	} {
		if got := c.ws.Includes(c.team, c.ent); got != c.want {
			t.Errorf("%s: %+v includes %s/%s = %v", c.why, c.ws, c.team, c.ent, got)
		}
	}
}

// Admit, on a Grid installation: people of the workspace and of its
// organization's other workspaces are admitted, a Slack Connect guest, a
// member of another organization, someone Slack does not know and any
// envelope for a workspace outside the organization are refused in words.
// A payload that names the person's team as the workspace costs no
// users.info call; before Prepare, nobody is admitted.
func TestAdmitOnlyTheInstallation(t *testing.T) {
	fs, err := fakeslack.New(fakeslack.WithInstallation(fakeslack.Installation{EnterpriseID: "E0ORG"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: "UMEMBER", Name: "member"})
	fs.AddUser(fakeslack.User{ID: "WSIBLING", Name: "sibling", TeamID: "T0SALES", EnterpriseID: "E0ORG"})
	fs.AddUser(fakeslack.User{ID: "UGUEST", Name: "guest", TeamID: "T0ACME"})
	fs.AddUser(fakeslack.User{ID: "USTRANGER", Name: "stranger", TeamID: "T0GLOBEX", EnterpriseID: "E0GLOBEX"})
	a := New(Deps{Slack: slackClient(fs), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()
	if err := a.Admit(ctx, Origin{TeamID: fs.TeamID(), UserID: "UMEMBER"}); domain.ErrorCode(err) != domain.EUNAVAIL {
		t.Errorf("before Prepare: %v", err)
	}
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	team, org := fs.TeamID(), "E0ORG"
	for _, c := range []struct {
		o     Origin
		admit bool
	}{
		{Origin{TeamID: team, EnterpriseID: org, UserID: "UMEMBER"}, true},
		{Origin{TeamID: team, EnterpriseID: org, UserID: "WSIBLING"}, true},
		{Origin{TeamID: "T0SALES", EnterpriseID: org, UserID: "WSIBLING", UserTeamID: "T0SALES"}, true},
		{Origin{TeamID: team, EnterpriseID: org}, true}, // an event nobody caused
		{Origin{TeamID: team, EnterpriseID: org, UserID: "UGUEST"}, false},
		{Origin{TeamID: team, EnterpriseID: org, UserID: "UGUEST", UserTeamID: "T0ACME"}, false},
		{Origin{TeamID: team, EnterpriseID: org, UserID: "USTRANGER"}, false},
		{Origin{TeamID: team, EnterpriseID: org, UserID: "UNOBODY"}, false},
		{Origin{TeamID: "T0GLOBEX", EnterpriseID: "E0GLOBEX", UserID: "UMEMBER"}, false},
		{Origin{TeamID: "T0ELSEWHERE"}, false},
	} {
		err := a.Admit(ctx, c.o)
		switch {
		case c.admit && err != nil:
			t.Errorf("%+v refused: %v", c.o, err)
		case !c.admit && (domain.ErrorCode(err) != domain.EFORBIDDEN || !strings.Contains(domain.ErrorMessage(err), "only works for people of Fake Workspace")):
			t.Errorf("%+v: %v, want a refusal naming the workspace", c.o, err)
		}
	}
	before := len(fs.Calls("users.info"))
	if err := a.Admit(ctx, Origin{TeamID: team, UserID: "UNEWCOMER", UserTeamID: team}); err != nil || len(fs.Calls("users.info")) != before {
		t.Errorf("a person the payload places in the workspace: %v, %d users.info calls", err, len(fs.Calls("users.info"))-before)
	}
}

// An empty team setting means everyone of the installation, never someone
// from outside it.
func TestEmptyTeamIsEveryoneOfTheInstallationOnly(t *testing.T) {
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: "UMEMBER", Name: "member"})
	fs.AddUser(fakeslack.User{ID: "UGUEST", Name: "guest", TeamID: "T0ACME"})
	a := New(Deps{Slack: slackClient(fs), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	for user, want := range map[string]bool{"UMEMBER": true, "UGUEST": false} {
		manager, err1 := a.isManager(ctx, user)
		marketer, err2 := a.isMarketer(ctx, user)
		if err1 != nil || err2 != nil || manager != want || marketer != want {
			t.Errorf("%s with MANAGERS and MARKETING_TEAM empty: manager %v (%v), marketer %v (%v); want %v",
				user, manager, err1, marketer, err2, want)
		}
	}
}
