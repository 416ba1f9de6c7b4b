package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// Shortcut callback IDs, as manifest.yaml declares them.
const (
	ShortcutHandoffFromMessage = "handoff_from_message"
	ShortcutHandoffNew         = "handoff_new"
)

// NewHandoff answers `/handoff [text]`: the New handoff form, prefilled
// from the text.
func (a *App) NewHandoff(ctx context.Context, cmd Command) error {
	f := a.newForm(cmd.UserID, ParseDraft(cmd.Text))
	return a.openModal(ctx, cmd.TriggerID, againCommand(cmd, ""), handoffModal(f, formMeta{Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL}, nil))
}

// HandoffShortcut answers the global shortcut "New lead handoff" and the
// message shortcut "Hand off this lead" (prefilled from the message, whose
// permalink is kept on the handoff).
func (a *App) HandoffShortcut(ctx context.Context, s Shortcut) error {
	var d Draft
	meta := formMeta{Channel: s.ChannelID, ResponseURL: s.ResponseURL}
	if s.Message != nil {
		d = ParseDraft(s.Message.Text)
		meta.MsgChannel, meta.MsgTS = s.ChannelID, s.Message.Timestamp
	}
	f := a.newForm(s.UserID, d)
	return a.openModal(ctx, s.TriggerID, againShortcut, handoffModal(f, meta, nil))
}

// newForm starts a form: to the other team than the creator's, warm. The
// team is what the directory knows (kept fresh in the background): the
// trigger that opens the form lasts 3 s, and Slack is not asked.
func (a *App) newForm(creator string, d Draft) form {
	f := form{Draft: d, Direction: domain.ToSales, Priority: domain.Warm}
	if slices.Contains(a.dir.knownMembers(a.set.SalesTeam), creator) {
		f.Direction = domain.ToMarketing
	}
	return f
}

// ErrTriggerUsed is a modal's trigger used already: the envelope that
// carried it was handled before (Slack delivered it again after a
// reconnect), and the form is open. The trigger, usable once, is what
// keeps a form from opening twice, so such envelopes take no other claim.
var ErrTriggerUsed = errors.New("trigger already used: the form was opened before")

// Retry words for a form Slack no longer lets the bot open: what the
// person does to try again.
const (
	againShortcut = "Use the shortcut again in a moment."
	againButton   = "Click the button again in a moment."
)

// againCommand is what to type to try a command again: the command as
// typed, so nothing typed is lost.
func againCommand(cmd Command, sub string) string {
	typed := strings.Join(slices.DeleteFunc([]string{"/handoff", sub, cmd.Text}, func(s string) bool { return s == "" }), " ")
	return fmt.Sprintf("Here is what you typed, to send again: `%s`", escape(typed))
}

// openModal opens a modal with a trigger. A trigger that expired while
// the bot was busy is told to the person with how to try again; one used
// already is ErrTriggerUsed.
func (a *App) openModal(ctx context.Context, triggerID, again string, v slack.ModalViewRequest) error {
	_, err := a.slack.OpenViewContext(ctx, triggerID, v)
	switch {
	case isSlackError(err, "exchanged_trigger_id"):
		return ErrTriggerUsed
	case isSlackError(err, "expired_trigger_id"):
		return domain.Errorf(domain.EUNAVAIL, "Slack gives the bot 3 seconds to open a form, and it was too busy. %s", again)
	case err != nil:
		return fmt.Errorf("open %s: %w", v.CallbackID, err)
	}
	return nil
}

// SubmitHandoff validates the New handoff form and saves the handoff; the
// card, DMs and confirmation follow after Slack has closed the modal.
func (a *App) SubmitHandoff(ctx context.Context, s Submission) (SubmitResult, error) {
	meta, err := decodeMeta[formMeta](s.PrivateMetadata)
	if err != nil {
		return SubmitResult{}, err
	}
	f := readForm(s.View.State)
	if errs := f.validate(); len(errs) > 0 {
		return SubmitResult{Response: slack.NewErrorsViewSubmissionResponse(errs)}, nil
	}
	created, errs, err := a.create(ctx, s.UserID, s.View.ID, f, meta, false)
	if used, ok := errors.AsType[*domain.FormUsedError](err); ok { // the same view submitted again
		return alreadyHandedOffAnswer(used.First), nil
	}
	if dup, ok := errors.AsType[*domain.DuplicateError](err); ok {
		meta.Duplicate = dup.Open.ID
		v := handoffModal(f, meta, a.duplicateWarning(dup.Open))
		return SubmitResult{Response: slack.NewUpdateViewSubmissionResponse(&v)}, nil
	}
	if err != nil || errs != nil {
		return SubmitResult{Response: errorsResponse(errs)}, err
	}
	return SubmitResult{After: func(ctx context.Context) error { return a.afterCreate(ctx, created, meta) }}, nil
}

func errorsResponse(errs map[string]string) *slack.ViewSubmissionResponse {
	if errs == nil {
		return nil
	}
	return slack.NewErrorsViewSubmissionResponse(errs)
}

// HandOffAnyway is the "Hand off anyway" button on a form that warned about
// an open handoff of the same lead: the person chose to go on.
func (a *App) HandOffAnyway(ctx context.Context, act Action) error {
	if act.View == nil {
		return domain.Errorf(domain.EINVALID, "That button only works in the New handoff form.")
	}
	meta, err := decodeMeta[formMeta](act.View.PrivateMetadata)
	if err != nil {
		return err
	}
	f := readForm(act.View.State)
	errs := f.validate()
	var created domain.Handoff
	if len(errs) == 0 {
		created, errs, err = a.create(ctx, act.UserID, act.View.ID, f, meta, true)
		if used, ok := errors.AsType[*domain.FormUsedError](err); ok { // a second click, or the view replayed
			return a.confirm(ctx, act.UserID, meta, alreadyHandedOffText(used.First))
		} else if dup, ok := errors.AsType[*domain.DuplicateError](err); ok { // cannot be: said anyway
			return dup
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		v := handoffModal(f, meta, append(a.duplicateWarningFor(ctx, meta.Duplicate), formProblems(errs)...))
		_, err := a.slack.UpdateViewContext(ctx, v, "", act.View.Hash, act.View.ID)
		return wrap("show form problems", err)
	}
	if _, err := a.slack.UpdateViewContext(ctx, doneModal(created), "", act.View.Hash, act.View.ID); err != nil {
		a.log.WarnContext(ctx, "could not show the confirmation in the form", "error", err)
	}
	return a.afterCreate(ctx, created, meta)
}

// create saves the handoff of a submitted form, once per form (formID,
// the view's ID: a *domain.FormUsedError when the form made one already).
// Problems with the person's input come back as messages by block ID; an
// open handoff of the same lead as a *domain.DuplicateError.
func (a *App) create(ctx context.Context, creator, formID string, f form, meta formMeta, allowDuplicate bool) (domain.Handoff, map[string]string, error) {
	h := domain.Handoff{
		Lead:      domain.Lead{Name: f.Name, Company: f.Company, Email: f.Email, Phone: f.Phone, CRMURL: f.CRMURL},
		Direction: f.Direction, Priority: f.Priority, Source: f.Source, Campaign: f.Campaign, Notes: f.Notes,
		CreatedBy: creator, Assignee: f.Assignee, SourcePermalink: a.permalink(ctx, meta), Intake: domain.IntakeSlack,
	}
	created, err := a.createHandoff(ctx, newHandoff{handoff: h, allowDuplicate: allowDuplicate, formID: formID})
	if domain.ErrorCode(err) == domain.EINVALID {
		return domain.Handoff{}, map[string]string{blockAssignee: domain.ErrorMessage(err)}, nil
	}
	return created.Handoff, nil, err
}

// permalink of the message a handoff came from; a lead is worth more than
// its source link, so failing to read it only costs the link.
func (a *App) permalink(ctx context.Context, meta formMeta) string {
	if meta.MsgTS == "" {
		return ""
	}
	link, err := a.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: meta.MsgChannel, Ts: meta.MsgTS})
	if err != nil {
		a.log.WarnContext(ctx, "source message permalink", "error", err)
		return ""
	}
	return link
}

// assigneeLookupBudget bounds the one users.info a form's submission may
// make: for a chosen assignee the directory does not know. Slack waits
// 3 s for the answer.
const assigneeLookupBudget = time.Second

// checkAssignee refuses a bot or a deactivated account as the chosen
// owner, from the directory, or from Slack within assigneeLookupBudget;
// when Slack does not answer in time the choice (made in Slack's own user
// menu) is taken as it is.
func (a *App) checkAssignee(ctx context.Context, id string) error {
	if u, ok := a.dir.known(id); ok {
		return activeHuman(u)
	}
	lookup, cancel := context.WithTimeout(ctx, assigneeLookupBudget)
	defer cancel()
	err := a.dir.human(lookup, id)
	if err != nil && lookup.Err() != nil && ctx.Err() == nil {
		a.log.WarnContext(ctx, "Slack did not say in time who the assignee is; taking the choice as it is", "assignee", id)
		return nil
	}
	return err
}

// creationMessages: the card, and a DM to the owner (unless they handed it
// to themselves).
func (a *App) creationMessages(h domain.Handoff) []domain.Message {
	msgs := []domain.Message{{Channel: a.set.HandoffChannel, Card: true, HandoffID: h.ID, Purpose: "card"}}
	if h.Assignee != h.CreatedBy {
		text := fmt.Sprintf("%s: *%s*%s (%s). Accept or reject it by %s.",
			handedYou(h), escape(h.Lead.Name), companySuffix(h), h.Priority.Label(), slackDate(h.AcceptDueAt, "{date_short_pretty} {time}"))
		msgs = append(msgs, domain.Message{Channel: h.Assignee, Text: text, CardLink: h.ID, HandoffID: h.ID, Purpose: "dm_assigned"})
	}
	return msgs
}

func companySuffix(h domain.Handoff) string {
	if h.Lead.Company == "" {
		return ""
	}
	return " (" + escape(h.Lead.Company) + ")"
}

// afterCreate shows the card at once and confirms to the creator, with a
// link to the card when the delivery just posted it.
func (a *App) afterCreate(ctx context.Context, h domain.Handoff, meta formMeta) error {
	sent := a.deliverNow(ctx, channelsOf(a.creationMessages(h))...)
	a.refreshHomes(ctx, h.Assignee, h.CreatedBy)
	text := fmt.Sprintf("Handed off *%s* to %s. %s owns it; accept or reject by %s.",
		escape(h.Lead.Name), h.Direction.Label(), user(h.Assignee), slackDate(h.AcceptDueAt, "{date_short_pretty} {time}"))
	if card, ok := sent.Card(h.ID); ok && card.Permalink != "" {
		text += " " + link(card.Permalink, "Open the card")
	} else { // Slack refused it for now, or another replica is posting it
		text += fmt.Sprintf(" Its card will appear in <#%s> as soon as Slack takes it.", a.set.HandoffChannel)
	}
	return a.confirm(ctx, h.CreatedBy, meta, text)
}

// confirm tells the person privately where they are, or by DM.
func (a *App) confirm(ctx context.Context, userID string, meta formMeta, text string) error {
	if meta.ResponseURL != "" {
		if err := a.replyPrivately(ctx, meta.ResponseURL, text); err == nil {
			return nil
		}
	}
	if meta.Channel != "" {
		if _, err := a.slack.PostEphemeralContext(ctx, meta.Channel, userID, slack.MsgOptionText(text, false)); err == nil {
			return nil
		}
	}
	return a.store.Enqueue(ctx, domain.Message{Channel: userID, Text: text, Purpose: "confirm"})
}

// deliverNow pushes queued messages out without waiting for the
// background job, which keeps anything left (another process delivering,
// Slack refusing) and delivers it in order. It says what was posted.
func (a *App) deliverNow(ctx context.Context, channels ...string) domain.Delivery {
	var all domain.Delivery
	if a.courier == nil {
		return all
	}
	for _, ch := range channels {
		d, err := a.courier.Deliver(ctx, ch)
		if err != nil {
			a.log.DebugContext(ctx, "delivery left to the background", "channel", ch, "error", err)
		}
		all.Posted = append(all.Posted, d.Posted...)
	}
	return all
}

// duplicateWarning tops the form when the lead already has an open handoff.
func (a *App) duplicateWarning(open domain.Handoff) []slack.Block {
	where := fmt.Sprintf("#%d", open.ID)
	if open.CardPermalink != "" {
		where = link(open.CardPermalink, where)
	}
	text := fmt.Sprintf("⚠️ *%s* already has an open handoff: %s, *%s*, owned by %s since %s.\nChange the details, or hand it off anyway.",
		escape(open.Lead.Name), where, open.State.Label(), user(open.Assignee), slackDate(open.CreatedAt, "{date_short_pretty}"))
	return []slack.Block{
		mrkdwn(text),
		slack.NewActionBlock("duplicate_actions", button(ActionAnyway, "Hand off anyway", "", slack.StyleDanger)),
		slack.NewDividerBlock(),
	}
}

func (a *App) duplicateWarningFor(ctx context.Context, id int64) []slack.Block {
	if id == 0 {
		return nil
	}
	open, err := a.store.Handoff(ctx, id)
	if err != nil {
		return nil
	}
	return a.duplicateWarning(open)
}

func formProblems(errs map[string]string) []slack.Block {
	var blocks []slack.Block
	for _, msg := range errs {
		blocks = append(blocks, contextLine("❗ "+escape(msg)))
	}
	return blocks
}

// doneModal replaces a form once the handoff exists.
func doneModal(h domain.Handoff) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain("Handed off"),
		Close:  plain("Done"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{mrkdwn(fmt.Sprintf("✅ *%s* is handed off to %s (#%d).", escape(h.Lead.Name), h.Direction.Label(), h.ID))}},
	}
}

func wrap(doing string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// channelsOf lists the channels messages go to, once each, in order.
func channelsOf(msgs []domain.Message) []string {
	var chs []string
	for _, m := range msgs {
		if !slices.Contains(chs, m.Channel) {
			chs = append(chs, m.Channel)
		}
	}
	return chs
}
