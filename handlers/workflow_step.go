package handlers

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// StepCreateHandoff is the callback ID of the Workflow Builder step
// "Create lead handoff", as manifest.yaml declares it.
const StepCreateHandoff = "create_handoff"

// StepCompleter finishes one run of a Workflow Builder step. Each run
// comes with its own token (the event's bot_access_token), so the App is
// given a way to make one per token (Deps.Steps).
type StepCompleter interface {
	FunctionCompleteSuccessContext(ctx context.Context, id string, opts ...slack.FunctionCompleteSuccessRequestOption) error
	FunctionCompleteErrorContext(ctx context.Context, id, message string) error
}

// Step is a function_executed event: a workflow ran one of the app's steps.
type Step struct {
	CallbackID  string
	ExecutionID string
	Token       string // the run's bot_access_token, for completing it
	Inputs      map[string]any
}

// stepInputs are the step's inputs in the order the form shows them.
var stepInputs = []string{blockName, blockCompany, blockEmail, blockPhone, blockSource, blockCampaign,
	blockDirection, blockPriority, blockAssignee, blockNotes, "allow_duplicate"}

// RunStep runs "Create lead handoff": the handoff is created exactly as
// the New handoff form would create it (same checks, same sentences), in
// no one's name ("via Workflow Builder"), and the run is completed with
// the handoff's number and card link, or with the sentence the form
// would have shown. The run's external ID is its execution ID, so a
// redelivered event completes the run again without a second handoff.
func (a *App) RunStep(ctx context.Context, e Event) error {
	s := e.Step
	if s == nil || s.CallbackID != StepCreateHandoff || a.steps == nil {
		return nil
	}
	step := a.steps(s.Token)
	f, allowDuplicate, problem := stepForm(s.Inputs)
	if problem != "" {
		return step.FunctionCompleteErrorContext(ctx, s.ExecutionID, problem)
	}
	created, err := a.HandOffIncoming(ctx, Incoming{Handoff: stepHandoff(f, s.ExecutionID), AllowDuplicate: allowDuplicate,
		RequestHash: stepHash(s.Inputs)})
	if err != nil {
		message, unexpected := stepError(err)
		return errors.Join(unexpected, step.FunctionCompleteErrorContext(ctx, s.ExecutionID, message))
	}
	h := created.Handoff
	err = step.FunctionCompleteSuccessContext(ctx, s.ExecutionID, slack.FunctionCompleteSuccessRequestOptionOutput(
		map[string]string{"handoff_id": strconv.FormatInt(h.ID, 10), "card_url": h.CardPermalink}))
	if isSlackError(err, "execution_not_in_running_state") {
		return nil // completed by an earlier delivery of this event, whose answer was lost
	}
	return err
}

// stepForm reads the inputs as the New handoff form's fields and checks
// them as the form does; problem names the first bad input.
func stepForm(in map[string]any) (f form, allowDuplicate bool, problem string) {
	text := func(name string) string {
		s, _ := in[name].(string)
		return strings.TrimSpace(s)
	}
	f = form{Draft: Draft{Name: text(blockName), Company: text(blockCompany), Email: text(blockEmail),
		Phone: text(blockPhone), Assignee: text(blockAssignee), Notes: text(blockNotes)},
		Source: text(blockSource), Campaign: text(blockCampaign),
		Direction: domain.Direction(cmp.Or(text(blockDirection), string(domain.ToSales))),
		Priority:  domain.Priority(strings.ToLower(cmp.Or(text(blockPriority), string(domain.Warm)))),
	}
	switch v := in["allow_duplicate"].(type) {
	case bool:
		allowDuplicate = v
	case string:
		allowDuplicate = v == "true"
	}
	errs := f.validate()
	for _, name := range stepInputs {
		if msg, ok := errs[name]; ok {
			if name == blockDirection {
				msg = "Use to_sales or to_marketing."
			}
			return f, false, fmt.Sprintf("%s: %s", name, msg)
		}
	}
	return f, allowDuplicate, ""
}

// stepHandoff is the handoff a step run asks for.
func stepHandoff(f form, executionID string) domain.Handoff {
	return domain.Handoff{
		ExternalID: "wf-" + executionID,
		Lead:       domain.Lead{Name: f.Name, Company: f.Company, Email: f.Email, Phone: f.Phone},
		Direction:  f.Direction, Priority: f.Priority, Source: f.Source, Campaign: f.Campaign, Notes: f.Notes,
		Assignee: f.Assignee, Intake: domain.IntakeWorkflow,
	}
}

// stepHash is the same for the same inputs, whatever their order.
func stepHash(in map[string]any) string {
	sum := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(in)) {
		v, _ := json.Marshal(in[k]) // inputs came from JSON: they marshal
		fmt.Fprintf(sum, "%q=%s\n", k, v)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// stepError is what a failed run says in Workflow Builder: the form's
// sentence for what the person can fix, else a generic one, with the
// error to log.
func stepError(err error) (string, error) {
	if dup, ok := errors.AsType[*domain.DuplicateError](err); ok {
		open := dup.Open
		return fmt.Sprintf("%s already has an open handoff: #%d, %s since %s. Set allow_duplicate to hand it off anyway.",
			open.Lead.Name, open.ID, open.State.Label(), open.CreatedAt.Format("2 Jan 2006")), nil
	}
	switch domain.ErrorCode(err) {
	case domain.EINVALID, domain.EUNAVAIL, domain.ECONFLICT:
		return domain.ErrorMessage(err), nil
	}
	return "Something went wrong creating the handoff; nothing was saved. Run the workflow again, or ask whoever runs handoffbot to look at its log.", err
}
