package e2e

import (
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// newStepWorld is a world whose app declares the steps of manifest.yaml.
func newStepWorld(t *testing.T) *world {
	t.Helper()
	return newWorld(t, e2etest.Workspace(func(fs *fakeslack.Server) { e2etest.ManifestSteps(t, fs) }))
}

// A workflow (say a Slack form → "Create lead handoff") hands a lead off
// with no code: the card is posted "via Workflow Builder", the routing
// picks the owner, and the run completes with the handoff's number and
// card link, using the run's own token.
func TestWorkflowStepCreatesAHandoff(t *testing.T) {
	t.Parallel()
	w := newStepWorld(t)
	run := w.Slack.RunFunction(t, "create_handoff", map[string]any{
		"lead_name": "Dana Scully", "company": "FBI", "email": "dana@fbi.example", "priority": "hot", "source": "Slack form",
	})
	out := run.ExpectSuccess(t)
	card := w.Channel().ExpectMessage(t, "Dana Scully")
	mustContain(t, "card", card.Text(), "via Workflow Builder", "Hot")
	if out["handoff_id"] == "" || out["card_url"] != card.Permalink() {
		t.Errorf("outputs %v, want the handoff number and the card's link %s", out, card.Permalink())
	}
	if run.CompletedWith() != run.Token {
		t.Errorf("completed with %q, want the run's own token", run.CompletedWith())
	}
	owner := fox
	if !strings.Contains(card.Text(), "<@"+fox+">") {
		owner = walter
	}
	w.User(owner).ExpectDM(t, "New lead for you via Workflow Builder: *Dana Scully* (FBI)")
	w.Finish()
}

// Bad input ends the run with the sentence the form would show, naming
// the input; an open handoff of the same lead ends it naming that
// handoff, unless allow_duplicate is set. Nothing is posted for a failed
// run.
func TestWorkflowStepRefusesWithTheFormsSentence(t *testing.T) {
	t.Parallel()
	w := newStepWorld(t)
	msg := w.Slack.RunFunction(t, "create_handoff", map[string]any{"lead_name": "Dana", "email": "not an email"}).ExpectError(t)
	mustContain(t, "bad email", msg, "email: That doesn't look like an email address")
	msg = w.Slack.RunFunction(t, "create_handoff", map[string]any{"lead_name": "Dana", "direction": "sideways"}).ExpectError(t)
	mustContain(t, "bad direction", msg, "direction: Use to_sales or to_marketing.")

	w.Slack.RunFunction(t, "create_handoff", map[string]any{"lead_name": "Dana Scully", "email": "dana@fbi.example", "assignee": fox}).ExpectSuccess(t)
	w.Channel().ExpectMessage(t, "Dana Scully")
	w.User(fox).ExpectDM(t, "Dana Scully")
	msg = w.Slack.RunFunction(t, "create_handoff", map[string]any{"lead_name": "Dana S.", "email": "DANA@fbi.example"}).ExpectError(t)
	mustContain(t, "duplicate", msg, "Dana Scully already has an open handoff: #1, Pending", "allow_duplicate")

	w.Slack.RunFunction(t, "create_handoff", map[string]any{"lead_name": "Dana S.", "email": "dana@fbi.example",
		"assignee": fox, "allow_duplicate": true}).ExpectSuccess(t)
	w.Channel().ExpectMessage(t, "Dana S.")
	w.User(fox).ExpectDM(t, "Dana S.")
	w.Finish()
}

// The Workflow Builder step runs for whoever the workflow runs for: Slack
// says nothing of them to the step, so the handoff is in no one's name
// ("via Workflow Builder") and is owned as routing or the assignee input
// says; its buttons then belong to that owner as usual.
func permWorkflowStep(t *testing.T) {
	w := newStepWorld(t)
	w.Slack.RunFunction(t, "create_handoff", map[string]any{"lead_name": "Dana Scully", "assignee": fox}).ExpectSuccess(t)
	card := w.Channel().ExpectMessage(t, "via Workflow Builder")
	w.User(fox).ExpectDM(t, "New lead for you via Workflow Builder")
	w.User(krycek).Click(t, card, "Accept")
	w.User(krycek).ExpectEphemeral(t, "Only <@"+fox+"> or someone in Sales can accept this handoff.")
	w.Finish()
}
