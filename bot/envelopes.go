package bot

import (
	"context"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handlers"
)

// errUnknown answers a click or modal this version does not handle, e.g. a
// button on a message posted by an older or newer release.
var errUnknown = domain.Errorf(domain.EINVALID, "That button or form is not supported by this version of the bot. Try `/handoff help`.")

func (r *Runtime) commandJob(c slack.SlashCommand) *job {
	h, text, route := r.router.command(c.Text)
	cmd := handlers.Command{
		UserID: c.UserID, ChannelID: c.ChannelID, Text: text,
		TriggerID: c.TriggerID, ResponseURL: c.ResponseURL,
	}
	return &job{
		to:   recipient{userID: c.UserID, channelID: c.ChannelID, responseURL: c.ResponseURL},
		run:  r.admitted(commandOrigin(c), func(ctx context.Context) error { return h(ctx, cmd) }),
		form: r.router.Forms[route],
	}
}

// interactionJob acks clicks, shortcuts and closes on arrival; modal
// submissions and option suggestions are acked by their handler's answer.
func (r *Runtime) interactionJob(envelopeID string, cb slack.InteractionCallback) *job {
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		return r.submissionJob(envelopeID, cb)
	case slack.InteractionTypeBlockSuggestion:
		return r.suggestionJob(envelopeID, cb)
	}
	r.ack(envelopeID, nil)
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		return r.actionJob(cb)
	case slack.InteractionTypeShortcut, slack.InteractionTypeMessageAction:
		return r.shortcutJob(cb)
	case slack.InteractionTypeViewClosed:
		return nil // no modal of ours asks to hear when it is closed
	}
	r.log.Warn("interaction type not handled", "type", cb.Type)
	return nil
}

func (r *Runtime) actionJob(cb slack.InteractionCallback) *job {
	to := recipient{userID: cb.User.ID, channelID: cb.Channel.ID, responseURL: cb.ResponseURL}
	if len(cb.ActionCallback.BlockActions) == 0 {
		return nil
	}
	ba := cb.ActionCallback.BlockActions[0] // Slack sends one action per click
	a := handlers.Action{
		ActionID: ba.ActionID, BlockID: ba.BlockID, Value: ba.Value,
		UserID: cb.User.ID, ChannelID: cb.Channel.ID, MessageTS: cb.Container.MessageTs,
		ThreadTS: cb.Message.ThreadTimestamp, Ephemeral: cb.Container.IsEphemeral,
		ResponseURL: cb.ResponseURL, TriggerID: cb.TriggerID,
	}
	switch {
	case ba.SelectedOption.Value != "":
		a.Value = ba.SelectedOption.Value
	case ba.SelectedUser != "":
		a.Value = ba.SelectedUser
	}
	if cb.View.ID != "" {
		a.View = &cb.View
	}
	h, ok, form := r.router.action(ba.ActionID)
	if !ok {
		r.log.Warn("unknown action", "action_id", ba.ActionID)
		return &job{to: to, run: r.admitted(interactionOrigin(cb), func(context.Context) error { return errUnknown })}
	}
	return &job{to: to, run: r.admitted(interactionOrigin(cb), func(ctx context.Context) error { return h(ctx, a) }), form: form}
}

func (r *Runtime) shortcutJob(cb slack.InteractionCallback) *job {
	to := recipient{userID: cb.User.ID, channelID: cb.Channel.ID, responseURL: cb.ResponseURL}
	s := handlers.Shortcut{
		CallbackID: cb.CallbackID, UserID: cb.User.ID, TriggerID: cb.TriggerID,
		ChannelID: cb.Channel.ID, ResponseURL: cb.ResponseURL,
	}
	if cb.Type == slack.InteractionTypeMessageAction {
		msg := cb.Message
		s.Message = &msg
	}
	h, ok := r.router.Shortcuts[cb.CallbackID]
	if !ok {
		return &job{to: to, run: r.admitted(interactionOrigin(cb), func(context.Context) error { return errUnknown })}
	}
	return &job{to: to, run: r.admitted(interactionOrigin(cb), func(ctx context.Context) error { return h(ctx, s) }),
		form: r.router.Forms[cb.CallbackID]}
}

// submissionJob runs a modal's handler before acking, so that validation
// errors and "could not save" keep the modal open with what the user typed.
func (r *Runtime) submissionJob(envelopeID string, cb slack.InteractionCallback) *job {
	settle := r.settler(envelopeID, func(msg string) any { return errorsOnFirstInput(cb.View, msg) })
	sub := handlers.Submission{
		CallbackID: cb.View.CallbackID, UserID: cb.User.ID,
		View: cb.View, PrivateMetadata: cb.View.PrivateMetadata,
	}
	h, ok := r.router.Submissions[cb.View.CallbackID]
	run := func(ctx context.Context) error {
		if !ok {
			return errUnknown
		}
		res, err := h(ctx, sub)
		if err != nil {
			return err
		}
		r.settleWith(settle, res.Response)
		if res.After == nil {
			return nil
		}
		return res.After(ctx)
	}
	return &job{to: recipient{userID: cb.User.ID}, run: r.admitted(interactionOrigin(cb), run), settle: settle.msg}
}

func (r *Runtime) suggestionJob(envelopeID string, cb slack.InteractionCallback) *job {
	settle := r.settler(envelopeID, func(string) any { return slack.OptionsResponse{Options: []*slack.OptionBlockObject{}} })
	s := handlers.Suggestion{ActionID: cb.ActionID, BlockID: cb.BlockID, UserID: cb.User.ID, Query: cb.Value, View: cb.View}
	h, ok := r.router.Suggestions[cb.ActionID]
	run := func(ctx context.Context) error {
		if !ok {
			return errUnknown
		}
		opts, err := h(ctx, s)
		if err != nil {
			return err
		}
		r.settleWith(settle, opts)
		return nil
	}
	// A failed suggestion shows an empty list; telling the user by DM about
	// every keystroke would be noise, so the recipient is left empty.
	return &job{key: "", run: r.admitted(interactionOrigin(cb), run), settle: settle.msg}
}

// settler acks an envelope at most once: with the handler's answer, or with
// errorPayload(msg) when the handler failed or panicked first.
type settler struct {
	once         sync.Once
	ack          func(payload any)
	errorPayload func(msg string) any
}

func (r *Runtime) settler(envelopeID string, errorPayload func(string) any) *settler {
	return &settler{ack: func(p any) { r.ack(envelopeID, p) }, errorPayload: errorPayload}
}

func (s *settler) msg(msg string) bool {
	acked := false
	s.once.Do(func() {
		acked = true
		if msg == "" {
			s.ack(nil)
			return
		}
		s.ack(s.errorPayload(msg))
	})
	return acked
}

func (r *Runtime) settleWith(s *settler, payload any) {
	s.once.Do(func() { s.ack(payload) })
}

// errorsOnFirstInput shows msg under the modal's first input, keeping
// everything the user typed; a modal without inputs is simply closed.
func errorsOnFirstInput(v slack.View, msg string) any {
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID != "" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{in.BlockID: msg})
		}
	}
	return nil
}

func (r *Runtime) eventJob(e slackevents.EventsAPIEvent) *job {
	cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return nil
	}
	origin := handlers.Origin{TeamID: e.TeamID, EnterpriseID: e.EnterpriseID}
	ev := eventOf(e.InnerEvent, &origin)
	ev.EventID = cb.EventID
	var run func(ctx context.Context) error
	if ev.Type == string(slackevents.AppUninstalled) || ev.Type == string(slackevents.TokensRevoked) {
		run = r.removalJob(origin, e.InnerEvent)
	} else if h, ok := r.router.Events[ev.Type]; ok {
		run = r.admitted(origin, func(ctx context.Context) error { return h(ctx, ev) })
	}
	if run == nil {
		r.log.Debug("event type not handled", "type", ev.Type)
		return nil
	}
	// Events are not answered when they fail: the person did not ask the
	// bot anything (a thread reply, opening App Home), so the failure is
	// only logged; but a person who mentions the bot asked it something,
	// and is told privately in the channel. Events are acked once handled
	// (dispatch.go: finish).
	j := &job{key: "event:" + cb.EventID, ackAfter: true, run: run}
	if ev.Type == string(slackevents.AppMention) && ev.BotID == "" {
		j.to = recipient{userID: ev.UserID, channelID: ev.Channel}
	}
	return j
}

// eventOf reads what the handlers need of an inner event, and who caused
// it into o.
func eventOf(in slackevents.EventsAPIInnerEvent, o *handlers.Origin) handlers.Event {
	ev := handlers.Event{Type: in.Type}
	switch d := in.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		ev.UserID, ev.Channel, ev.Tab = d.User, d.Channel, d.Tab
	case *slackevents.AppMentionEvent:
		ev.UserID, ev.BotID, ev.Channel, ev.Text, ev.TS, ev.ThreadTS = d.User, d.BotID, d.Channel, d.Text, d.TimeStamp, d.ThreadTimeStamp
		o.UserTeamID = d.UserTeam
	case *slackevents.MessageEvent:
		ev.UserID, ev.BotID, ev.Subtype, ev.Channel = d.User, d.BotID, d.SubType, d.Channel
		ev.Text, ev.TS, ev.ThreadTS = d.Text, d.TimeStamp, d.ThreadTimeStamp
		o.UserTeamID = d.UserTeam
	case *slackevents.UserChangeEvent:
		ev.ChangedUser = changedUser(d.User)
	case *slackevents.SubteamMembersChangedEvent:
		ev.Group, ev.Added, ev.Removed = d.SubteamID, d.AddedUsers, d.RemovedUsers
	case *slackevents.FunctionExecutedEvent:
		ev.Step = &handlers.Step{CallbackID: d.Function.CallbackID, ExecutionID: d.FunctionExecutionID,
			Token: d.BotAccessToken, Inputs: d.Inputs}
	}
	o.UserID = ev.UserID
	return ev
}

// changedUser is the part of user_change's user the directory keeps.
func changedUser(u slackevents.User) *slack.User {
	return &slack.User{ID: u.ID, TeamID: u.TeamID, Name: u.Name, RealName: u.RealName, Deleted: u.Deleted, IsBot: u.IsBot}
}
