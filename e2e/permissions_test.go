package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
)

// permissionRow is one row of the README's "Permissions" table: what a
// person can do (the routes of bot/routes.go it covers) and the test that
// tries it as someone allowed and, unless anyone may, as someone refused,
// who is told why while nothing changes.
type permissionRow struct {
	name   string   // TestPermissions/<name>, cited in the README
	routes []string // keys of bot.Routes: subcommands as "/handoff word", "/handoff" for the default
	run    func(t *testing.T)
}

// permissionRows is the table, in the README's order.
var permissionRows = []permissionRow{
	{"new_handoff", []string{"/handoff", handlers.ShortcutHandoffNew, handlers.ShortcutHandoffFromMessage, handlers.CallbackHandoff}, permNewHandoff},
	{"hand_off_anyway", []string{handlers.ActionAnyway}, permHandOffAnyway},
	{"accept", []string{handlers.ActionAccept}, permAccept},
	{"reject", []string{handlers.ActionReject, handlers.CallbackReason}, permReject},
	{"reassign", []string{handlers.ActionReassign, handlers.CallbackReassign}, permReassign},
	{"first_touch", []string{handlers.ActionTouch}, permOwnerMove("Log first touch", "Contacted", "logged the first touch", "", "Accept")},
	{"qualify", []string{handlers.ActionQualify}, permOwnerMove("Qualified", "Qualified", "qualified it", "", "Accept", "Log first touch")},
	{"win", []string{handlers.ActionWin}, permOwnerMove("Won", "Won", "won it", "won your handoff", "Accept", "Log first touch", "Qualified")},
	{"lose", []string{handlers.ActionLose}, permLose},
	{"return", []string{handlers.ActionReturn}, permReturn},
	{"snooze", []string{handlers.ActionSnooze}, permSnooze},
	{"list", []string{"/handoff list"}, permList},
	{"app_home", []string{"app_home_opened"}, permAppHome},
	{"directory_events", []string{"user_change", "subteam_members_changed"}, permDirectoryEvents},
	{"give_feedback", []string{"/handoff feedback", handlers.ShortcutFeedbackFromMessage, handlers.ActionFeedbackGive,
		handlers.CallbackFeedback, handlers.ActionFeedbackHandoff}, permGiveFeedback},
	{"feedback_list", []string{"/handoff feedback"}, permFeedbackList},
	{"acknowledge", []string{handlers.ActionFeedbackAcknowledge, "message"}, permAcknowledge},
	{"resolve", []string{handlers.ActionFeedbackResolve, handlers.CallbackFeedbackResolve}, permResolve},
	{"stats", []string{"/handoff stats", "app_mention"}, permStats},
	{"export", []string{"/handoff export"}, permExport},
	{"digest", []string{"/handoff digest", handlers.ActionDigestToggle}, permDigest},
	{"survey", []string{"/handoff survey", handlers.ActionSurveyAnswer, handlers.CallbackSurvey}, permSurvey},
	{"survey_start", []string{"/handoff survey"}, permSurveyStart},
	{"survey_results", []string{"/handoff survey"}, permSurveyResults},
	{"help", []string{"/handoff help"}, permHelp},
	{"workflow_step", []string{"function_executed"}, permWorkflowStep},
	{"outsiders", nil, permOutsiders},
}

// TestPermissions runs the README's permissions table, a fresh bot and
// workspace per row: MANAGERS is Skinner, SALES_TEAM Fox and Walter,
// MARKETING_TEAM Monica and John; Krycek is in none of them.
func TestPermissions(t *testing.T) {
	t.Parallel()
	for _, row := range permissionRows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			row.run(t)
		})
	}
}

// The table covers every route, and the README shows the same table: every
// route named in it, one row per test, each test named.
func TestPermissionsTableCoversEveryRoute(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, row := range permissionRows {
		for _, r := range row.routes {
			covered[r] = true
		}
	}
	section := readmeSection(t, "## Permissions")
	for _, key := range routeKeys() {
		if !covered[key] {
			t.Errorf("route %q is in bot/routes.go but in no row of permissionRows", key)
		}
		if !strings.Contains(section, "`"+key) {
			t.Errorf("route %q is not named in the README's Permissions table", key)
		}
	}
	var cited []string
	for _, m := range regexp.MustCompile("`TestPermissions/([a-z_]+)`").FindAllStringSubmatch(section, -1) {
		cited = append(cited, m[1])
	}
	var names []string
	for _, row := range permissionRows {
		names = append(names, row.name)
	}
	if !slices.Equal(cited, names) {
		t.Errorf("the README's Permissions table cites\n  %v\nbut the rows are\n  %v", cited, names)
	}
}

// routeKeys lists everything bot.Routes routes, subcommands written as
// typed ("/handoff list"; "/handoff" for the default, the New handoff form).
func routeKeys() []string {
	r := bot.Routes(handlers.New(handlers.Deps{}))
	keys := []string{"/handoff"}
	for k := range r.Commands {
		keys = append(keys, "/handoff "+k)
	}
	for _, m := range []map[string]struct{}{
		keysOf(r.Actions), keysOf(r.Shortcuts), keysOf(r.Submissions), keysOf(r.Suggestions), keysOf(r.Events),
	} {
		for k := range m {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func keysOf[V any](m map[string]V) map[string]struct{} {
	out := map[string]struct{}{}
	for k := range m {
		out[k] = struct{}{}
	}
	return out
}

// readmeSection is the README from heading to the next heading of the same
// level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// snapshot is what a refused action must leave as it was: the handoff's
// state, owner and events.
func (w *world) snapshot(id int64) string {
	w.T.Helper()
	h, err := w.DB.Handoff(context.Background(), id)
	if err != nil {
		w.T.Fatal(err)
	}
	return fmt.Sprintf("%s owned by %s, events %q", h.State, h.Assignee, w.events(id))
}

func (w *world) expectUnchanged(id int64, before string) {
	w.T.Helper()
	if now := w.snapshot(id); now != before {
		w.T.Errorf("a refused action changed the handoff: %s, was %s", now, before)
	}
}

// refusedClicks has each person press button on msg and checks they are
// told want privately; the handoff stays as it was.
func (w *world) refusedClicks(msg *fakeslack.Message, button, want string, id int64, who ...string) {
	w.T.Helper()
	before := w.snapshot(id)
	for _, u := range who {
		w.User(u).Click(w.T, msg, button)
		w.User(u).ExpectEphemeral(w.T, want)
	}
	w.expectUnchanged(id, before)
}

// press has the owner press buttons on the card in order, taking in what
// each shows, to bring the handoff to the state a row needs.
func (w *world) press(owner string, card *fakeslack.Message, buttons ...string) {
	w.T.Helper()
	for _, b := range buttons {
		w.User(owner).Click(w.T, card.Latest(), b)
		card.ExpectUpdate(w.T)
		card.ExpectThreadReply(w.T, "<@"+owner+">")
		if b == "Accept" || b == "Won" {
			w.User(monica).ExpectDM(w.T, "your handoff")
		}
	}
}

// forge sends an interaction payload by hand and returns the bot's ack:
// Slack delivers whatever a client sends, so nothing ties it to a button
// or modal the bot showed.
func (w *world) forge(payload map[string]any, acceptsPayload bool) fakeslack.Ack {
	w.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, ok := payload["user"]; !ok {
		w.T.Fatal("forge: payload without a user")
	}
	payload["team"] = map[string]any{"id": w.Slack.TeamID()}
	d, err := w.Slack.Send(ctx, fakeslack.Envelope{Type: "interactive", Payload: payload, AcceptsResponsePayload: acceptsPayload})
	if err != nil {
		w.T.Fatal(err)
	}
	ack, err := d.WaitAck(ctx)
	if err != nil {
		w.T.Fatal(err)
	}
	return ack
}

// forgeClick is a block_actions payload for a button in the handoff
// channel with any action_id and value; answers come as ephemerals there.
func (w *world) forgeClick(userID, actionID, value string) {
	w.T.Helper()
	w.forgeAction(userID, map[string]any{"action_id": actionID, "block_id": "forged", "type": "button", "value": value})
}

// forgeChoice is the same for a menu choice (the Snooze menu).
func (w *world) forgeChoice(userID, actionID, value string) {
	w.T.Helper()
	w.forgeAction(userID, map[string]any{"action_id": actionID, "block_id": "forged", "type": "static_select",
		"selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": value}}})
}

func (w *world) forgeAction(userID string, action map[string]any) {
	w.T.Helper()
	w.forge(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": userID}, "channel": map[string]any{"id": handoffChannel},
		"container":  map[string]any{"type": "message", "message_ts": "1.000001", "channel_id": handoffChannel},
		"trigger_id": "forged-trigger", "actions": []map[string]any{action},
	}, false)
}

// forgeSubmit submits a modal the bot never opened for this person: its
// callback_id, private_metadata and input values are whatever the sender
// chose. It returns the errors of the ack by block ID.
func (w *world) forgeSubmit(userID, callbackID string, meta any, values map[string]map[string]any) map[string]string {
	w.T.Helper()
	var blocks []map[string]any
	state := map[string]any{}
	for block, v := range values {
		blocks = append(blocks, map[string]any{"type": "input", "block_id": block,
			"label": map[string]any{"type": "plain_text", "text": block}, "element": map[string]any{"type": v["type"], "action_id": "value"}})
		state[block] = map[string]any{"value": v}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		w.T.Fatal(err)
	}
	ack := w.forge(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": userID}, "trigger_id": "forged-trigger",
		"view": map[string]any{"id": "VFORGED", "type": "modal", "callback_id": callbackID, "private_metadata": string(metaJSON),
			"blocks": blocks, "state": map[string]any{"values": state}},
	}, true)
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if len(ack.Payload) > 0 {
		if err := json.Unmarshal(ack.Payload, &resp); err != nil {
			w.T.Fatalf("ack payload %s: %v", ack.Payload, err)
		}
	}
	return resp.Errors
}

func pickedOption(v string) map[string]any {
	return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}}
}

func typed(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }

func pickedUser(u string) map[string]any {
	return map[string]any{"type": "users_select", "selected_user": u}
}

// refusal checks a forged submission was answered on the modal with want.
func refusal(t *testing.T, errs map[string]string, block, want string) {
	t.Helper()
	if !strings.Contains(errs[block], want) {
		t.Errorf("forged submission: errors %v, want %q under %s", errs, want, block)
	}
}

// ownerOnly is what a move only the owner may make answers anyone else.
func ownerOnly(owner string) string { return "Only the owner, <@" + owner + ">, can do that." }

// The stories below use one handoff: Monica (marketing) hands Dana Scully
// to Fox (sales).
const lead = "Dana Scully (FBI)"

// eventually waits up to 10 s for ok, polling: for effects of events,
// which the bot handles after acking and which show nowhere in Slack.
func (w *world) eventually(what string, ok func() bool) {
	w.T.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			w.T.Fatalf("%s did not happen within 10 s", what)
		}
	}
}

// count is how many of a handoff's events are of kind.
func (w *world) count(id int64, kind string) int {
	w.T.Helper()
	return strings.Count(" "+w.events(id)+" ", " "+kind+" ")
}
