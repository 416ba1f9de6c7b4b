package fakeslack

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

var handoffStep = Function{
	CallbackID: "hand_off_lead", Title: "Hand off a lead", Description: "Creates a handoff",
	Inputs: []Parameter{
		{Name: "lead", Type: "string", Title: "Lead", Required: true},
		{Name: "assignee", Type: "slack#/types/user_id", Title: "Assignee", Required: true},
		{Name: "note", Type: "string", Title: "Note"},
	},
	Outputs: []Parameter{
		{Name: "handoff_id", Type: "string", Title: "Handoff", Required: true},
		{Name: "sla_hours", Type: "integer", Title: "SLA"},
	},
}

// stepBot completes every custom step it is asked to run with complete,
// using a client on the execution's own token, and reports the event.
func stepBot(t *testing.T, s *Server, complete func(ctx context.Context, api *slack.Client, ev *slackevents.FunctionExecutedEvent) error) <-chan *slackevents.FunctionExecutedEvent {
	t.Helper()
	seen := make(chan *slackevents.FunctionExecutedEvent, 4)
	startBot(t, s, func(b *testBot, e socketmode.Event) bool {
		if e.Type != socketmode.EventTypeEventsAPI {
			return false
		}
		ev, ok := e.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.FunctionExecutedEvent)
		if !ok {
			return false
		}
		_ = b.c.Ack(*e.Request)
		seen <- ev
		api := slack.New(ev.BotAccessToken, slack.OptionAPIURL(s.APIURL()))
		if err := complete(context.Background(), api, ev); err != nil {
			t.Errorf("completing the step: %v", err)
		}
		return true
	})
	return seen
}

func TestCustomStepCompletesWithOutputs(t *testing.T) {
	s := newServer(t)
	s.AddFunction(handoffStep)
	seen := stepBot(t, s, func(ctx context.Context, api *slack.Client, ev *slackevents.FunctionExecutedEvent) error {
		return api.FunctionCompleteSuccessContext(ctx, ev.FunctionExecutionID,
			slack.FunctionCompleteSuccessRequestOptionOutput(map[string]string{"handoff_id": "H-17", "sla_hours": "24"}))
	})
	run := s.RunFunction(t, "hand_off_lead", map[string]any{"lead": "Ada Lovelace", "assignee": bob})
	ev := recv(t, seen)
	fn := ev.Function
	if ev.FunctionExecutionID != run.ID || ev.WorkflowExecutionID != run.WorkflowExecutionID || ev.BotAccessToken != run.Token ||
		!strings.HasPrefix(run.Token, "xwfp-") || ev.Inputs["lead"] != "Ada Lovelace" || fn.CallbackID != "hand_off_lead" ||
		fn.AppID != s.AppID() || len(fn.InputParameters) != 3 || !fn.InputParameters[0].IsRequired || len(fn.OutputParameters) != 2 {
		t.Errorf("function_executed: %+v", ev)
	}
	if out := run.ExpectSuccess(t); !maps.Equal(out, map[string]any{"handoff_id": "H-17", "sla_hours": "24"}) {
		t.Errorf("outputs %v", out)
	}
	if run.CompletedWith() != run.Token {
		t.Errorf("completed with %q, want the execution's own token", run.CompletedWith())
	}
	api := slack.New(run.Token, slack.OptionAPIURL(s.APIURL()))
	err := api.FunctionCompleteErrorContext(testCtx(t), run.ID, "again")
	wantSlackError(t, err, "execution_not_in_running_state")
	err = api.FunctionCompleteSuccessContext(testCtx(t), "Fx0NOSUCHRUN")
	wantSlackError(t, err, "function_execution_not_found")
	var kinds []string
	for _, e := range s.Transcript() {
		if e.Audience == "Workflow Builder" {
			kinds = append(kinds, e.Kind+": "+e.Text)
		}
	}
	if len(kinds) != 2 || !strings.Contains(kinds[0], "step_started: Hand off a lead") || !strings.Contains(kinds[1], `"H-17"`) {
		t.Errorf("transcript: %q", kinds)
	}
}

func TestCustomStepFailsWithError(t *testing.T) {
	s := newServer(t)
	s.AddFunction(handoffStep)
	stepBot(t, s, func(ctx context.Context, api *slack.Client, ev *slackevents.FunctionExecutedEvent) error {
		return api.FunctionCompleteErrorContext(ctx, ev.FunctionExecutionID, "Bob is on leave; pick another assignee")
	})
	run := s.RunFunction(t, "hand_off_lead", map[string]any{"lead": "Ada", "assignee": bob})
	if msg := run.ExpectError(t); msg != "Bob is on leave; pick another assignee" {
		t.Errorf("error %q", msg)
	}
	tb := &recordingTB{}
	run.ExpectSuccess(tb)
	mustContain(t, tb.only(t), "failed (functions.completeError)")
}

// Outputs are checked against the declared output parameters; the bot
// token is accepted as well as the execution's.
func TestCustomStepOutputsValidated(t *testing.T) {
	s := newServer(t)
	s.AddFunction(handoffStep)
	stepBot(t, s, func(context.Context, *slack.Client, *slackevents.FunctionExecutedEvent) error { return nil })
	run := s.RunFunction(t, "hand_off_lead", map[string]any{"lead": "Ada", "assignee": bob})
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	for name, outputs := range map[string]map[string]string{
		"required output missing": {"sla_hours": "24"},
		"undeclared output":       {"handoff_id": "H-1", "colour": "red"},
		"not an integer":          {"handoff_id": "H-1", "sla_hours": "a day"},
	} {
		t.Run(name, func(t *testing.T) {
			err := api.FunctionCompleteSuccessContext(ctx, run.ID, slack.FunctionCompleteSuccessRequestOptionOutput(outputs))
			wantSlackError(t, err, "parameter_validation_failed")
		})
	}
	if err := api.FunctionCompleteSuccessContext(ctx, run.ID, slack.FunctionCompleteSuccessRequestOptionOutput(
		map[string]string{"handoff_id": "H-1"})); err != nil {
		t.Fatalf("with the bot token: %v", err)
	}
	run.ExpectSuccess(t)
	if run.CompletedWith() != s.BotToken() {
		t.Errorf("completed with %q", run.CompletedWith())
	}
}

func TestRunFunctionRefusesWhatWorkflowBuilderWouldNot(t *testing.T) {
	s := newServer(t)
	s.AddFunction(handoffStep)
	for _, tc := range []struct {
		callbackID string
		inputs     map[string]any
		want       string
	}{
		{"hand_off_lead", map[string]any{"lead": "Ada"}, `required input "assignee" is missing`},
		{"hand_off_lead", map[string]any{"lead": "Ada", "assignee": bob, "colour": "red"}, `input "colour" is not declared`},
		{"no_such_step", nil, "declare it with AddFunction"},
	} {
		tb := &recordingTB{}
		if s.RunFunction(tb, tc.callbackID, tc.inputs) != nil {
			t.Errorf("%v ran", tc.inputs)
		}
		mustContain(t, tb.only(t), tc.want)
	}
}
