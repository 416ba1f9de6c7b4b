package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
)

// A New handoff form makes one handoff. "Hand off anyway" clicked twice at
// once (the real click and the same click replayed with the form's view
// ID) saves one handoff with one card and one DM; the person is told the
// form was already handed off, with the first one's number and card. The
// same view replayed later, as a click or as a submission, creates nothing
// either.
func TestAFormMakesOneHandoff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.HandOffToFox("Jane Doe jane@acme.example")
	w.User(john).Slash(t, handoffChannel, "/handoff Jane D. jane@acme.example")
	warning := w.User(john).ExpectModal(t).SelectUser("Assignee", walter).Submit(t).View
	if warning == nil || !strings.Contains(warning.Text(), "already has an open handoff") {
		t.Fatalf("no duplicate warning: %v", warning)
	}
	var wg sync.WaitGroup
	wg.Go(func() { w.User(john).Click(t, warning, "Hand off anyway") })
	wg.Go(func() { w.replayAnyway(john, warning) })
	wg.Wait()
	w.Channel().ExpectMessage(t, "Jane D.")
	w.User(walter).ExpectDM(t, "handed you a lead")
	w.User(john).ExpectEphemeral(t, "Handed off *Jane D.*")
	h := w.handoffNamed("Jane D.")
	mustContain(t, "the second click's answer", w.User(john).ExpectEphemeral(t, "already handed off").Text(),
		fmt.Sprintf("#%d", h.ID), "<@"+walter+">", "Nothing new was created")

	w.replayAnyway(john, warning)
	w.User(john).ExpectEphemeral(t, fmt.Sprintf("#%d", h.ID))
	errs, answer := w.replaySubmit(john, warning)
	if len(errs) > 0 || !strings.Contains(answer, "already handed off") {
		t.Errorf("the form submitted again: errors %v, view %q", errs, answer)
	}
	w.Finish()
	if got := w.handoffsNamed("Jane D."); got != 1 {
		t.Errorf("%d handoffs of Jane D., want 1", got)
	}
}

// formState is the New handoff form's inputs as Slack sends them in a
// view's state.
func formState(name, email, assignee string) map[string]any {
	return map[string]any{"values": map[string]any{
		"lead_name": map[string]any{"value": typed(name)}, "email": map[string]any{"value": typed(email)},
		"direction": map[string]any{"value": pickedOption("to_sales")}, "priority": map[string]any{"value": pickedOption("warm")},
		"assignee": map[string]any{"value": pickedUser(assignee)},
	}}
}

// replayAnyway sends "Hand off anyway" again on v's view ID, as a replayed
// click would arrive, with what the form held.
func (w *world) replayAnyway(userID string, v *fakeslack.View) {
	w.T.Helper()
	w.forge(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": userID}, "trigger_id": "replayed-trigger",
		"container": map[string]any{"type": "view", "view_id": v.ID},
		"view": map[string]any{"id": v.ID, "type": "modal", "callback_id": handlers.CallbackHandoff, "hash": v.Hash,
			"private_metadata": v.PrivateMetadata, "state": formState("Jane D.", "jane@acme.example", walter)},
		"actions": []map[string]any{{"action_id": handlers.ActionAnyway, "block_id": "duplicate_actions", "type": "button"}},
	}, false)
}

// replaySubmit submits v's view ID again and returns the answer's errors
// and the text of the view it shows.
func (w *world) replaySubmit(userID string, v *fakeslack.View) (map[string]string, string) {
	w.T.Helper()
	ack := w.forge(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": userID}, "trigger_id": "replayed-trigger",
		"view": map[string]any{"id": v.ID, "type": "modal", "callback_id": handlers.CallbackHandoff, "hash": v.Hash,
			"private_metadata": v.PrivateMetadata, "state": formState("Jane D.", "jane@acme.example", walter)},
	}, true)
	var resp struct {
		Errors map[string]string `json:"errors"`
		View   json.RawMessage   `json:"view"`
	}
	if err := json.Unmarshal(ack.Payload, &resp); err != nil {
		w.T.Fatalf("ack %s: %v", ack.Payload, err)
	}
	return resp.Errors, string(resp.View)
}

// handoffsNamed counts the handoffs of a lead.
func (w *world) handoffsNamed(name string) int {
	w.T.Helper()
	var n int
	if err := w.DB.SQL().QueryRow(`SELECT count(*) FROM handoffs h JOIN leads l ON l.id = h.lead_id WHERE l.name = $1`, name).Scan(&n); err != nil {
		w.T.Fatal(err)
	}
	return n
}

// The New handoff form is answered within Slack's 3 seconds whatever the
// directory costs: with 40 reps in Sales and users.info taking 5 s, a
// submission that rotates through them is answered (the fake enforces the
// deadline) without a single users.info call, because the directory was
// loaded before the first envelope. A change to the group
// (subteam_members_changed) or to a rep (user_change) is known to the
// rotation by the next submission, still without users.info on its path.
func TestFormAnswerAsksSlackNothingAboutTheTeam(t *testing.T) {
	t.Parallel()
	reps := make([]string, 40)
	w := newWorld(t, e2etest.Workspace(func(fs *fakeslack.Server) {
		for i := range reps {
			reps[i] = fmt.Sprintf("UREP%02d", i+1)
			fs.AddUser(fakeslack.User{ID: reps[i], Name: fmt.Sprintf("rep%02d", i+1)})
		}
		fs.AddUser(fakeslack.User{ID: "UNEWREP", Name: "newrep"})
		fs.AddUserGroup(e2etest.SalesGroup, "sales", reps...)
	}))
	slowDirectory := func() { w.Slack.Fault("users.info", fakeslack.Fault{Latency: 5 * time.Second}) }
	submit := func(lead string) map[string]string {
		t.Helper()
		slowDirectory()
		defer w.Slack.ClearFaults()
		before := len(w.Slack.Calls("users.info"))
		w.User(monica).Slash(t, handoffChannel, "/handoff "+lead)
		sub := w.User(monica).ExpectModal(t).Submit(t) // to Sales, no assignee: the rotation
		if n := len(w.Slack.Calls("users.info")) - before; n != 0 {
			t.Errorf("%s: %d users.info calls while the form was answered", lead, n)
		}
		return sub.Errors
	}
	handedTo := func(lead string) string {
		t.Helper()
		owner := w.handoffNamed(lead).Assignee
		w.Channel().ExpectMessage(t, lead)
		w.User(owner).ExpectDM(t, "handed you a lead")
		w.User(monica).ExpectEphemeral(t, "Handed off")
		return owner
	}

	if errs := submit("Dana Scully"); len(errs) > 0 {
		t.Fatalf("refused: %v", errs)
	}
	if owner := handedTo("Dana Scully"); !strings.HasPrefix(owner, "UREP") {
		t.Errorf("rotated to %s", owner)
	}
	if err := w.Slack.SetUserGroupMembers(e2etest.SalesGroup, "UNEWREP"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the new rep known", func() bool { return w.lookups("UNEWREP") > 0 })
	if errs := submit("Alex Krycek"); len(errs) > 0 {
		t.Fatalf("refused: %v", errs)
	}
	if owner := handedTo("Alex Krycek"); owner != "UNEWREP" {
		t.Errorf("rotated to %s, want the new rep, alone in Sales now", owner)
	}
	looked := w.lookups("UNEWREP")
	if err := w.Slack.ChangeUser(fakeslack.User{ID: "UNEWREP", Name: "newrep", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	w.eventually("the deactivation taken", func() bool { return w.lookups("UNEWREP") > looked })
	mustContain(t, "a form with nobody left", submit("Jeffrey Spender")["Assignee"], "nobody else in Sales is available")
	w.Finish()
}

// handoffNamed is the newest handoff of a lead.
func (w *world) handoffNamed(name string) domain.Handoff {
	w.T.Helper()
	var id int64
	if err := w.DB.SQL().QueryRow(`SELECT max(h.id) FROM handoffs h JOIN leads l ON l.id = h.lead_id WHERE l.name = $1`, name).Scan(&id); err != nil {
		w.T.Fatal(err)
	}
	h, err := w.DB.Handoff(context.Background(), id)
	if err != nil {
		w.T.Fatal(err)
	}
	return h
}

// A form Slack no longer lets the bot open (its trigger expired while the
// bot was busy) is never lost silently: the person is told through the
// command's response_url, with what they typed so they can send it again.
func TestExpiredTriggerIsToldThroughResponseURL(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.Slack.Fault("views.open", fakeslack.Fault{Times: 1, Error: "expired_trigger_id"})
	w.User(monica).Slash(t, handoffChannel, "/handoff Dana Scully (FBI) dana@fbi.example")
	told := w.User(monica).ExpectEphemeral(t, "it was too busy")
	mustContain(t, "the busy answer", told.Text(),
		"Here is what you typed, to send again: `/handoff Dana Scully (FBI) dana@fbi.example`")
	if calls := w.Slack.Calls("chat.postEphemeral"); len(calls) != 0 {
		t.Errorf("told with chat.postEphemeral, want the command's response_url")
	}
	w.Finish()
}
