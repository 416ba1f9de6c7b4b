package e2e

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/cli"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// People from outside the installation.
const (
	guest    = "UGUEST"    // a Slack Connect guest from Acme, in the handoff channel
	sibling  = "WSIBLING"  // a member of another workspace of the same Grid organization
	stranger = "USTRANGER" // a member of another organization's Grid workspace
)

// outsiderRefusal is how a refusal of someone from outside begins.
const outsiderRefusal = "handoffbot only works for people of Fake Workspace"

// withGuest adds a Slack Connect guest from Acme to the handoff channel,
// which becomes a shared channel.
func withGuest() e2etest.Option {
	return e2etest.Workspace(func(fs *fakeslack.Server) {
		fs.AddUser(fakeslack.User{ID: guest, Name: "guest", RealName: "Acme Guest", TeamID: "T0ACME"})
		fs.AddChannel(fakeslack.Channel{ID: handoffChannel, Name: "handoffs", BotIsMember: true,
			Members: []string{monica, john, fox, walter, skinner, krycek, guest}})
	})
}

// An envelope for another app (api_app_id not the one hello named) is
// dropped unread: acked, nothing done, counted under its own outcome and
// logged without what was typed.
func TestEnvelopesForAnotherAppAreDropped(t *testing.T) {
	t.Parallel()
	w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.HTTPAddr = "127.0.0.1:0" }))
	other := fakeslack.Installation{AppID: "A0OTHERAPP"}
	w.User(skinner).For(other).Slash(t, handoffChannel, "/handoff stats Zanzibar Quokka")
	w.User(skinner).For(other).Mention(t, handoffChannel, "stats 7d")
	w.User(skinner).Slash(t, handoffChannel, "/handoff help") // ours, after them: answered
	w.User(skinner).ExpectEphemeral(t, "/handoff list")
	mfs := scrape(t, w.httpBase())
	for kind, want := range map[string]float64{"slash_commands": 1, "events_api": 2} { // a mention is app_mention and message
		if got, _ := series(mfs, "handoffbot_envelopes_total", map[string]string{"type": kind, "outcome": "foreign"}); got != want {
			t.Errorf("%s foreign: %v, want %v", kind, got, want)
		}
	}
	w.Finish() // nothing was posted for the other app's envelopes
	dropped := 0
	for line := range strings.Lines(w.Logs.String()) {
		if strings.Contains(line, "envelope for another app dropped") {
			dropped++
			mustContain(t, "drop line", line, "api_app_id=A0OTHERAPP", "envelope_id=")
			if strings.Contains(line, "Zanzibar") || strings.Contains(line, "stats") {
				t.Errorf("the drop line carries the payload: %s", line)
			}
		}
	}
	if dropped != 3 {
		t.Errorf("%d drop lines, want 3:\n%s", dropped, w.Logs)
	}
}

// People from outside the installation are refused in words wherever they
// act, and never count as "everyone" when a team setting is empty: a
// Slack Connect guest in the shared handoff channel, and someone whose
// envelope is for another workspace. Here MANAGERS and MARKETING_TEAM are
// empty, so everyone of the workspace may ask for stats and acknowledge
// feedback; the guest may not.
func permOutsiders(t *testing.T) {
	w := newFeedbackWorld(t, withGuest(), e2etest.Configure(func(c *config.Config) { c.Managers, c.MarketingTeam = nil, nil }))
	w.Slack.AddChannel(fakeslack.Channel{ID: feedbackChannel, Name: "feedback", BotIsMember: true,
		Members: []string{monica, john, fox, walter, skinner, krycek, guest}})
	for _, text := range []string{"/handoff stats", "/handoff", "/handoff list"} {
		w.User(guest).Slash(t, handoffChannel, text)
		w.User(guest).ExpectEphemeral(t, outsiderRefusal)
	}
	w.User(guest).Mention(t, handoffChannel, "stats 7d")
	w.User(guest).ExpectEphemeral(t, outsiderRefusal)
	w.User(fox).For(fakeslack.Installation{TeamID: "T0ELSEWHERE"}).Slash(t, handoffChannel, "/handoff help")
	w.User(fox).ExpectEphemeral(t, outsiderRefusal)

	card := w.HandOffToFox(lead)
	w.refusedClicks(card, "Accept", outsiderRefusal, w.onlyHandoff().ID, guest)
	root := w.sendFeedback(fox, "Pricing", "too expensive")
	w.User(guest).Click(t, root, "Acknowledge")
	w.User(guest).ExpectEphemeral(t, outsiderRefusal)
	w.User(guest).Reply(t, root, "we agree")
	w.User(krycek).Slash(t, handoffChannel, "/handoff stats") // everyone of the workspace may
	w.Channel().ExpectMessage(t, "Alignment stats")
	w.Channel().ExpectMessage(t, "[file: ")
	w.Finish()
	if got := w.feedbackEvents(w.lastFeedback().ID); got != "created:"+fox {
		t.Errorf("the guest's responses counted: %s", got)
	}
}

// On Enterprise Grid the installation is the organization: a member of a
// sibling workspace is served, and an envelope for a sibling workspace
// too; someone of another organization is refused.
func TestGridOrganizationIsOneInstallation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, e2etest.SlackOptions(fakeslack.WithInstallation(fakeslack.Installation{EnterpriseID: "E0ORG"})),
		e2etest.Workspace(func(fs *fakeslack.Server) {
			fs.AddUser(fakeslack.User{ID: sibling, Name: "sib", TeamID: "T0SALES", EnterpriseID: "E0ORG"})
			fs.AddUser(fakeslack.User{ID: stranger, Name: "stranger", TeamID: "T0GLOBEX", EnterpriseID: "E0GLOBEX"})
			fs.AddChannel(fakeslack.Channel{ID: handoffChannel, Name: "handoffs", BotIsMember: true,
				Members: []string{monica, john, fox, walter, skinner, krycek, sibling, stranger}})
		}))
	w.User(sibling).Slash(t, handoffChannel, "/handoff help")
	w.User(sibling).ExpectEphemeral(t, "/handoff list")
	w.User(fox).For(fakeslack.Installation{TeamID: "T0SALES"}).Slash(t, handoffChannel, "/handoff help")
	w.User(fox).ExpectEphemeral(t, "/handoff list")
	w.User(stranger).Slash(t, handoffChannel, "/handoff help")
	w.User(stranger).ExpectEphemeral(t, outsiderRefusal)
	w.User(fox).For(fakeslack.Installation{TeamID: "T0GLOBEX", EnterpriseID: "E0GLOBEX"}).Slash(t, handoffChannel, "/handoff help")
	w.User(fox).ExpectEphemeral(t, outsiderRefusal)
	w.Finish()
}

// When Slack takes the app's access away (uninstalled, or its bot token
// revoked) the bot finishes what it was doing, logs one line saying what
// happened and what to do, and serve exits non-zero. The same events for
// another workspace, or a revocation of people's tokens only, change
// nothing.
func TestRemovedAppStopsServe(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		events []string // what the line may name: an uninstall sends both
		remove func(*fakeslack.Server)
	}{
		{"uninstalled", []string{"tokens_revoked", "app_uninstalled"}, (*fakeslack.Server).UninstallApp},
		{"token revoked", []string{"tokens_revoked"}, (*fakeslack.Server).RevokeBotToken},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			sendEvent(ctx, t, w, fakeslack.Installation{TeamID: "T0ELSEWHERE"}, "EvOTHERTEAM", map[string]any{"type": "app_uninstalled"})
			sendEvent(ctx, t, w, fakeslack.Installation{}, "EvUSERTOKENS",
				map[string]any{"type": "tokens_revoked", "tokens": map[string]any{"oauth": []string{fox}, "bot": []string{}}})
			w.User(fox).Slash(t, handoffChannel, "/handoff help") // still serving
			w.User(fox).ExpectEphemeral(t, "/handoff list")

			c.remove(w.Slack)
			err := w.ExitError()
			removed, ok := errors.AsType[*bot.RemovedError](err)
			if !ok || !slices.Contains(c.events, removed.Event) {
				t.Fatalf("serve ended with %v, want a *bot.RemovedError for %v", err, c.events)
			}
			if code := cli.ExitCode(err, io.Discard); code == 0 {
				t.Errorf("exit status %d", code)
			}
			var lines []string
			for line := range strings.Lines(w.Logs.String()) {
				if strings.Contains(line, "can no longer act in Slack") {
					lines = append(lines, line)
				}
			}
			if len(lines) != 1 {
				t.Fatalf("%d lines say the bot stops, want 1:\n%s", len(lines), w.Logs)
			}
			mustContain(t, "the line", lines[0], "level=ERROR", removed.Event, "Reinstall the app", "SLACK_BOT_TOKEN")
		})
	}
}

// The built binary exits non-zero when the app is uninstalled, so that
// an orchestrator shows it stopped.
func TestUninstalledBinaryExitsNonZero(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t)
	p := e2etest.StartProcess(t, e2etest.BotEnv(fs, storagetest.URL(t)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fs.WaitConnections(ctx, 1); err != nil {
		t.Fatalf("binary did not connect: %v", err)
	}
	fs.UninstallApp()
	if code := p.Wait(t, 15*time.Second); code != 1 {
		t.Errorf("exit %d after an uninstall, want 1", code)
	}
	mustContain(t, "output", p.Output.String(), "can no longer act in Slack", "Reinstall the app")
}

// sendEvent sends an Events API event for inst and waits for its ack.
func sendEvent(ctx context.Context, t *testing.T, w *world, inst fakeslack.Installation, id string, event map[string]any) {
	t.Helper()
	d, err := w.Slack.SendEventFor(ctx, inst, id, event)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitAck(ctx); err != nil {
		t.Fatal(err)
	}
}

// A user_change or subteam_members_changed for another workspace changes
// nothing: here one claims Fox was deactivated, yet the rotation still
// gives him the lead; the same news for this workspace takes him out of it.
func permDirectoryEvents(t *testing.T) {
	w := newWorld(t, e2etest.Workspace(func(fs *fakeslack.Server) {
		fs.AddUserGroup(e2etest.SalesGroup, "sales", fox) // Fox alone in the rotation
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gone := map[string]any{"id": fox, "team_id": w.Slack.TeamID(), "name": "fox", "deleted": true}
	sendEvent(ctx, t, w, fakeslack.Installation{TeamID: "T0ELSEWHERE"}, "EvFOXGONE", map[string]any{"type": "user_change", "user": gone})
	sendEvent(ctx, t, w, fakeslack.Installation{AppID: "A0OTHERAPP"}, "EvFOXGONE2", map[string]any{"type": "user_change", "user": gone})
	sendEvent(ctx, t, w, fakeslack.Installation{TeamID: "T0ELSEWHERE"}, "EvSALESEMPTY", map[string]any{"type": "subteam_members_changed",
		"subteam_id": e2etest.SalesGroup, "removed_users": []string{fox}, "removed_users_count": 1})
	w.HandOff(monica, "Dana Scully", nil)
	if h := w.onlyHandoff(); h.Assignee != fox {
		t.Fatalf("rotated to %s, want Fox", h.Assignee)
	}
	w.User(fox).ExpectDM(t, "handed you a lead")
	w.User(monica).ExpectEphemeral(t, "Handed off")
	looked := w.lookups(fox)
	if err := w.Slack.ChangeUser(fakeslack.User{ID: fox, Name: "fox", RealName: "Fox Mulder", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	// The bot reads the whole profile again once it has taken the change.
	w.eventually("Fox's deactivation taken", func() bool { return w.lookups(fox) > looked })
	w.User(monica).Slash(t, handoffChannel, "/handoff Fox Mulder Jr")
	sub := w.User(monica).ExpectModal(t).Select("Hand off to", "Sales").Submit(t)
	mustContain(t, "the rotation without Fox", sub.Errors["Assignee"], "nobody else in Sales is available")
	w.Finish()
}

// lookups counts the bot's users.info calls about user.
func (w *world) lookups(user string) int {
	n := 0
	for _, c := range w.Slack.Calls("users.info") {
		if c.Params["user"] == user {
			n++
		}
	}
	return n
}
