package handlers

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// Once Prepare has loaded the teams, the rotation picks from what the
// directory knows with Slack answering nothing at all: the deactivated
// member and the bot of the group are skipped, and so is the creator.
func TestRotationAsksSlackNothing(t *testing.T) {
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	for _, u := range []fakeslack.User{{ID: "UREP1"}, {ID: "UREP2"}, {ID: "UGONE", Deleted: true}, {ID: "UBOTREP", IsBot: true}} {
		fs.AddUser(u)
	}
	fs.AddUserGroup("SSALES", "sales", "UREP1", "UREP2", "UGONE", "UBOTREP")
	a := New(Deps{Slack: slackClient(fs), Store: storagetest.New(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Settings: Settings{SalesTeam: []string{"SSALES"}}})
	ctx := context.Background()
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	fs.Fault("*", fakeslack.Fault{Error: "fatal_error"})
	before := len(fs.Calls(""))
	route, err := a.route(ctx, domain.Handoff{Direction: domain.ToSales, CreatedBy: "UREP1", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	routed, err := route.Decide(domain.RouteFacts{})
	if err != nil || routed.Assignee != "UREP2" {
		t.Errorf("picked %q, %v; want UREP2, the only other active person", routed.Assignee, err)
	}
	if n := len(fs.Calls("")) - before; n != 0 {
		t.Errorf("%d Slack calls while picking", n)
	}
}

// Changes Slack announces reach the directory: a group's delta applies
// to a group it knows (one it never loaded is left to be read whole), and
// a user_change keeps what the event lacks (the enterprise) for someone
// it knows, and is taken for a newcomer of the workspace only.
func TestDirectoryTakesAnnouncedChanges(t *testing.T) {
	d := newDirectory(nil, time.Now)
	if d.changeGroup("SNEW", []string{"U1"}, nil) {
		t.Error("a delta applied to a group never loaded")
	}
	d.group["SSALES"] = cached[[]string]{[]string{"U1", "U2"}, time.Now()}
	if !d.changeGroup("SSALES", []string{"U3", "U1"}, []string{"U2"}) {
		t.Error("a known group's delta refused")
	}
	if got := d.knownMembers([]string{"SSALES", "U9"}); !slices.Equal(got, []string{"U1", "U3", "U9"}) {
		t.Errorf("members after the delta: %v", got)
	}

	sibling := &slack.User{ID: "W1", TeamID: "T2", Name: "sib"}
	sibling.Enterprise.EnterpriseID = "E1"
	d.putUser(sibling)
	d.applyChange(&slack.User{ID: "W1", TeamID: "T2", Name: "sib", Deleted: true}, "T1")
	if u, _ := d.known("W1"); !u.Deleted || u.Enterprise.EnterpriseID != "E1" {
		t.Errorf("after user_change: %+v", u)
	}
	if u, _ := d.known("W1"); activeHuman(u) == nil {
		t.Error("a deactivated account is taken for an active person")
	}
	d.applyChange(&slack.User{ID: "UNEW", TeamID: "T1", Name: "new"}, "T1")
	d.applyChange(&slack.User{ID: "UOUT", TeamID: "T9", Name: "out"}, "T1")
	if _, ok := d.known("UNEW"); !ok {
		t.Error("a newcomer of the workspace not taken")
	}
	if _, ok := d.known("UOUT"); ok {
		t.Error("a stranger taken without their enterprise")
	}
}
