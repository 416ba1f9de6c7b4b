package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// Callback IDs of the modals a move opens.
const (
	CallbackReason   = "reason_modal"
	CallbackReassign = "reassign_modal"

	blockReason = "reason"
	blockNote   = "note"
	blockOwner  = "new_owner"
)

// Accept is the Accept button.
func (a *App) Accept(ctx context.Context, act Action) error {
	return a.move(ctx, act, domain.MoveAccept)
}

// Touch is the Log first touch button.
func (a *App) Touch(ctx context.Context, act Action) error { return a.move(ctx, act, domain.MoveTouch) }

// Qualify is the Qualified button.
func (a *App) Qualify(ctx context.Context, act Action) error {
	return a.move(ctx, act, domain.MoveQualify)
}

// Win is the Won button.
func (a *App) Win(ctx context.Context, act Action) error { return a.move(ctx, act, domain.MoveWin) }

// Reject, Lose and Return ask for a reason first.
func (a *App) Reject(ctx context.Context, act Action) error {
	return a.askReason(ctx, act, domain.MoveReject)
}

// Lose is the Lost button.
func (a *App) Lose(ctx context.Context, act Action) error {
	return a.askReason(ctx, act, domain.MoveLose)
}

// Return is the Return to marketing button.
func (a *App) Return(ctx context.Context, act Action) error {
	return a.askReason(ctx, act, domain.MoveReturn)
}

// move applies a move that needs no more input.
func (a *App) move(ctx context.Context, act Action, m domain.Move) error {
	id, shown, err := parseValue(act.Value)
	if err != nil {
		return err
	}
	h, err := a.allowed(ctx, id, act.UserID, m)
	if err != nil {
		return a.refuse(ctx, act, h, err)
	}
	return a.change(ctx, act, h, domain.Change{HandoffID: id, Expected: shown, Move: m, Actor: act.UserID})
}

// change applies c, then shows its effects at once; a stale click is told
// and its card refreshed.
func (a *App) change(ctx context.Context, act Action, before domain.Handoff, c domain.Change) error {
	c.At = a.now().UTC().Truncate(time.Microsecond)
	if c.Move == domain.MoveAccept && act.UserID != before.Assignee {
		c.NewAssignee = act.UserID // a teammate who accepts owns it
	}
	if c.Move == domain.MoveAccept || c.Move == domain.MoveReject {
		c.DecisionSecs = a.set.Calendar.Between(before.CreatedAt, c.At).Seconds()
	}
	c.Messages = a.changeMessages(before, c)
	after, err := a.store.ApplyChange(ctx, c)
	var stale *domain.StaleError
	if errors.As(err, &stale) {
		a.refreshCard(ctx, stale.Current)
		return a.notice(ctx, act, domain.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	a.deliverNow(ctx, channelsOf(c.Messages)...)
	a.refreshHomes(ctx, after.Assignee, after.CreatedBy, before.Assignee)
	return nil
}

// refreshCard queues the card's redraw (it showed an old state).
func (a *App) refreshCard(ctx context.Context, h domain.Handoff) {
	if err := a.store.Enqueue(ctx, domain.Message{Channel: a.set.HandoffChannel, Card: true, HandoffID: h.ID, Purpose: "card"}); err != nil {
		a.log.WarnContext(ctx, "could not queue a card refresh", "handoff_id", h.ID, "error", err)
		return
	}
	a.deliverNow(ctx, a.set.HandoffChannel)
}

// notice tells the person who clicked, privately, where they clicked.
func (a *App) notice(ctx context.Context, act Action, text string) error {
	switch {
	case act.ResponseURL != "":
		return a.replyPrivately(ctx, act.ResponseURL, text)
	case act.ChannelID != "":
		_, err := a.slack.PostEphemeralContext(ctx, act.ChannelID, act.UserID, slack.MsgOptionText(text, false))
		return wrap("notice", err)
	}
	return a.store.Enqueue(ctx, domain.Message{Channel: act.UserID, Text: text, Purpose: "notice"})
}

// refuse explains a refused click; nothing changed.
func (a *App) refuse(ctx context.Context, act Action, h domain.Handoff, err error) error {
	if domain.ErrorCode(err) != domain.EFORBIDDEN {
		return err
	}
	a.log.InfoContext(ctx, "move refused", "handoff_id", h.ID, "reason", domain.ErrorMessage(err))
	return a.notice(ctx, act, domain.ErrorMessage(err))
}

// changeMessages: the card redrawn, a thread reply saying who did what, and
// DMs to the people it concerns.
func (a *App) changeMessages(h domain.Handoff, c domain.Change) []domain.Message {
	msgs := []domain.Message{
		{Channel: a.set.HandoffChannel, Card: true, HandoffID: h.ID, Purpose: "card"},
		{Channel: a.set.HandoffChannel, InThreadOf: h.ID, HandoffID: h.ID, Text: threadLine(c), Purpose: "thread_move"},
	}
	if c.Move == "" { // reassigned
		text := fmt.Sprintf("%s passed you a lead: *%s*%s.", user(c.Actor), escape(h.Lead.Name), companySuffix(h))
		return append(msgs, domain.Message{Channel: c.NewAssignee, Text: text, CardLink: h.ID, HandoffID: h.ID, Purpose: "dm_reassigned"})
	}
	if c.Move != domain.MoveTouch && c.Move != domain.MoveQualify && h.CreatedBy != "" && c.Actor != h.CreatedBy {
		text := fmt.Sprintf("%s %s your handoff *%s*%s%s.", user(c.Actor), verb(c.Move), escape(h.Lead.Name), companySuffix(h), reasonSuffix(c))
		msgs = append(msgs, domain.Message{Channel: h.CreatedBy, Text: text, CardLink: h.ID, HandoffID: h.ID, Purpose: "dm_creator"})
	}
	return msgs
}

var verbs = map[domain.Move]string{
	domain.MoveAccept: "accepted", domain.MoveReject: "rejected", domain.MoveTouch: "logged the first touch on",
	domain.MoveQualify: "qualified", domain.MoveWin: "won", domain.MoveLose: "marked as lost",
	domain.MoveReturn: "returned to marketing",
}

func verb(m domain.Move) string { return verbs[m] }

var moveIcons = map[domain.Move]string{
	domain.MoveAccept: "✅", domain.MoveReject: "⛔", domain.MoveTouch: "📞", domain.MoveQualify: "⭐",
	domain.MoveWin: "🏆", domain.MoveLose: "🥀", domain.MoveReturn: "↩️",
}

var threadVerbs = map[domain.Move]string{
	domain.MoveAccept: "accepted it", domain.MoveReject: "rejected it", domain.MoveTouch: "logged the first touch",
	domain.MoveQualify: "qualified it", domain.MoveWin: "won it", domain.MoveLose: "marked it lost",
	domain.MoveReturn: "returned it to marketing",
}

// threadLine is the one-line record of a change under the card.
func threadLine(c domain.Change) string {
	if c.Move == "" {
		return fmt.Sprintf("👤 %s reassigned it to %s.", user(c.Actor), user(c.NewAssignee))
	}
	return fmt.Sprintf("%s %s %s%s.", moveIcons[c.Move], user(c.Actor), threadVerbs[c.Move], reasonSuffix(c))
}

func reasonSuffix(c domain.Change) string {
	if c.Reason == "" {
		return ""
	}
	s := ": " + escape(domain.ReasonLabel(c.Move.Reasons(), c.Reason))
	if c.Note != "" {
		s += " — " + escape(truncateRunes(c.Note, 500))
	}
	return s
}

// askReason opens the reason modal for Reject, Lost and Return to marketing.
func (a *App) askReason(ctx context.Context, act Action, m domain.Move) error {
	id, shown, err := parseValue(act.Value)
	if err != nil {
		return err
	}
	h, err := a.allowed(ctx, id, act.UserID, m)
	if err != nil {
		return a.refuse(ctx, act, h, err)
	}
	meta := moveMeta{ID: id, Move: m, State: shown, Channel: act.ChannelID, ResponseURL: act.ResponseURL}
	return a.openModal(ctx, act.TriggerID, againButton, reasonModal(h, meta))
}

// moveMeta travels in a move modal's private_metadata.
type moveMeta struct {
	ID          int64        `json:"id"`
	Move        domain.Move  `json:"m,omitempty"`
	State       domain.State `json:"s"`
	Channel     string       `json:"c,omitempty"`
	ResponseURL string       `json:"r,omitempty"`
}

var reasonTitles = map[domain.Move][2]string{
	domain.MoveReject: {"Reject handoff", "Reject"},
	domain.MoveLose:   {"Mark as lost", "Mark lost"},
	domain.MoveReturn: {"Return to marketing", "Return"},
}

func reasonModal(h domain.Handoff, meta moveMeta) slack.ModalViewRequest {
	var opts []option
	for _, r := range meta.Move.Reasons() {
		opts = append(opts, option{r.Code, r.Label})
	}
	reason := selectInput(blockReason, "Reason", opts, "")
	note := textInput(blockNote, "Note", "", domain.MaxNotes, true, true)
	note.Hint = plain("Required when the reason is Other.")
	titles := reasonTitles[meta.Move]
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: CallbackReason,
		Title: plain(titles[0]), Submit: plain(titles[1]), Close: plain("Cancel"),
		PrivateMetadata: encodeMeta(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			mrkdwn(fmt.Sprintf("*%s*%s", escape(h.Lead.Name), companySuffix(h))), reason, note,
		}},
	}
}

// SubmitReason applies a Reject, Lost or Return with its reason.
func (a *App) SubmitReason(ctx context.Context, s Submission) (SubmitResult, error) {
	meta, err := decodeMeta[moveMeta](s.PrivateMetadata)
	if err != nil {
		return SubmitResult{}, err
	}
	reason, note, block, problem := readReason(meta.Move, s.View.State)
	if problem != "" {
		return errorsOn(block, problem), nil
	}
	return a.submitChange(ctx, s.UserID, meta, domain.Change{HandoffID: meta.ID, Expected: meta.State, Move: meta.Move, Reason: reason, Note: note}, blockReason)
}

// readReason takes the reason and note of move m out of a submitted reason
// modal; a problem comes back with the input block it is about.
func readReason(m domain.Move, state *slack.ViewState) (reason, note, block, problem string) {
	reason, note = value(state, blockReason), value(state, blockNote)
	switch {
	case !domain.ValidReason(m.Reasons(), reason):
		return reason, note, blockReason, "Choose a reason."
	case reason == domain.OtherReason && note == "":
		return reason, note, blockNote, "Say why: “Other” needs a note."
	case len([]rune(note)) > domain.MaxNotes:
		return reason, note, blockNote, fmt.Sprintf("Keep it under %d characters.", domain.MaxNotes)
	case !savable(note):
		return reason, note, blockNote, "This contains characters that cannot be saved."
	}
	return reason, note, "", ""
}

// submitChange re-checks permission at submit time, applies the change, and
// shows problems on the modal so the person's input stays.
func (a *App) submitChange(ctx context.Context, userID string, meta moveMeta, c domain.Change, errBlock string) (SubmitResult, error) {
	move := c.Move
	if move == "" {
		move = moveReassign
	}
	h, err := a.allowed(ctx, meta.ID, userID, move)
	if domain.ErrorCode(err) == domain.EFORBIDDEN {
		return errorsOn(errBlock, domain.ErrorMessage(err)), nil
	} else if err != nil {
		return SubmitResult{}, err
	}
	c.Actor = userID
	act := Action{UserID: userID, ChannelID: meta.Channel, ResponseURL: meta.ResponseURL}
	return SubmitResult{After: func(ctx context.Context) error { return a.change(ctx, act, h, c) }}, nil
}

func errorsOn(block, msg string) SubmitResult {
	return SubmitResult{Response: slack.NewErrorsViewSubmissionResponse(map[string]string{block: msg})}
}

// Reassign opens the user picker.
func (a *App) Reassign(ctx context.Context, act Action) error {
	id, shown, err := parseValue(act.Value)
	if err != nil {
		return err
	}
	h, err := a.allowed(ctx, id, act.UserID, moveReassign)
	if err != nil {
		return a.refuse(ctx, act, h, err)
	}
	meta := moveMeta{ID: id, State: shown, Channel: act.ChannelID, ResponseURL: act.ResponseURL}
	v := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: CallbackReassign,
		Title: plain("Reassign handoff"), Submit: plain("Reassign"), Close: plain("Cancel"),
		PrivateMetadata: encodeMeta(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			mrkdwn(fmt.Sprintf("*%s*%s is with %s.", escape(h.Lead.Name), companySuffix(h), user(h.Assignee))),
			requiredUserInput(blockOwner, "New owner"),
		}},
	}
	return a.openModal(ctx, act.TriggerID, againButton, v)
}

func requiredUserInput(blockID, label string) *slack.InputBlock {
	in := userInput(blockID, label, "", "")
	in.Optional = false
	return in
}

// SubmitReassign hands the lead to the chosen person.
func (a *App) SubmitReassign(ctx context.Context, s Submission) (SubmitResult, error) {
	meta, err := decodeMeta[moveMeta](s.PrivateMetadata)
	if err != nil {
		return SubmitResult{}, err
	}
	owner := value(s.View.State, blockOwner)
	if owner == "" {
		return errorsOn(blockOwner, "Choose the new owner."), nil
	}
	if err := a.dir.human(ctx, owner); domain.ErrorCode(err) == domain.EINVALID {
		return errorsOn(blockOwner, domain.ErrorMessage(err)), nil
	} else if err != nil {
		return SubmitResult{}, err
	}
	return a.submitChange(ctx, s.UserID, meta, domain.Change{HandoffID: meta.ID, Expected: meta.State, NewAssignee: owner}, blockOwner)
}
