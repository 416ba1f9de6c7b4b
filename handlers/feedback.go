package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// FeedbackStore keeps feedback items and their threads; *storage.DB
// satisfies it. Errors are the domain's: ENOTFOUND for an unknown item or
// thread, ECONFLICT (a *domain.FeedbackStaleError) when someone responded
// first, EUNAVAIL when the database is down.
type FeedbackStore interface {
	CreateFeedback(ctx context.Context, n domain.NewFeedback) (domain.Feedback, error)
	Feedback(ctx context.Context, id int64) (domain.Feedback, error)
	FeedbackByThread(ctx context.Context, channel, ts string) (domain.Feedback, error)
	ChangeFeedback(ctx context.Context, c domain.FeedbackChange) (domain.Feedback, error)
	RecordFeedbackReply(ctx context.Context, r domain.FeedbackReply) (domain.ReplyOutcome, error)
	SetFeedbackPermalink(ctx context.Context, id int64, link string) error
	OpenFeedbackBy(ctx context.Context, author string, limit int) ([]domain.Feedback, int, error)
	FeedbackCounts(ctx context.Context, handoffIDs []int64) (map[int64]int, error)
	HandoffChoices(ctx context.Context, query string, vis domain.Visibility, limit int) ([]domain.Handoff, error)
}

// Shortcut, action, callback and block IDs of feedback (the shortcut's
// callback ID is manifest.yaml's).
const (
	ShortcutFeedbackFromMessage = "feedback_from_message"
	ActionFeedbackGive          = "feedback_give"        // "Give feedback" on a handoff card; value: the handoff id
	ActionFeedbackAcknowledge   = "feedback_acknowledge" // value: the feedback id
	ActionFeedbackResolve       = "feedback_resolve"     // value: the feedback id
	ActionFeedbackHandoff       = "feedback_handoff"     // the Related handoff search
	CallbackFeedback            = "feedback_modal"
	CallbackFeedbackResolve     = "feedback_resolve_modal"

	blockFeedbackCategory = "feedback_category"
	blockFeedbackText     = "feedback_text"
	blockFeedbackCampaign = "feedback_campaign"
	blockFeedbackHandoff  = "feedback_handoff"
	blockWhatChanged      = "what_changed"
)

// feedbackMeta travels in the Feedback modal's private_metadata: where to
// confirm, and the message the feedback came from.
type feedbackMeta struct {
	Channel     string `json:"c,omitempty"`
	ResponseURL string `json:"r,omitempty"`
	MsgChannel  string `json:"mc,omitempty"`
	MsgTS       string `json:"mt,omitempty"`
	MsgAuthor   string `json:"ma,omitempty"`
}

// feedbackDraft is what the Feedback modal holds.
type feedbackDraft struct {
	Category domain.Category
	Text     string
	Campaign string
	Handoff  *domain.Handoff // the related handoff, if any
}

// Feedback answers `/handoff feedback [text]` with the Feedback modal
// prefilled with the text, and `/handoff feedback list` with the list.
func (a *App) Feedback(ctx context.Context, cmd Command) error {
	if strings.EqualFold(strings.TrimSpace(cmd.Text), "list") {
		return a.FeedbackList(ctx, cmd)
	}
	meta := feedbackMeta{Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL}
	return a.openModal(ctx, cmd.TriggerID, againCommand(cmd, "feedback"), feedbackModal(feedbackDraft{Text: cmd.Text}, meta))
}

// FeedbackShortcut is the message shortcut "Feedback to marketing": the
// message's text prefills the modal; its permalink and author are kept.
func (a *App) FeedbackShortcut(ctx context.Context, s Shortcut) error {
	meta := feedbackMeta{Channel: s.ChannelID, ResponseURL: s.ResponseURL}
	var d feedbackDraft
	if s.Message != nil {
		d.Text = plainFromSlack(s.Message.Text)
		meta.MsgChannel, meta.MsgTS, meta.MsgAuthor = s.ChannelID, s.Message.Timestamp, s.Message.User
	}
	return a.openModal(ctx, s.TriggerID, againShortcut, feedbackModal(d, meta))
}

// GiveFeedback is the "Give feedback" button of a handoff card: the modal
// with the handoff chosen as Related handoff.
func (a *App) GiveFeedback(ctx context.Context, act Action) error {
	id, err := strconv.ParseInt(act.Value, 10, 64)
	if err != nil || id <= 0 {
		return domain.Errorf(domain.EINVALID, "That button is broken; open the handoff again.")
	}
	h, err := a.store.Handoff(ctx, id)
	if err != nil {
		return err
	}
	if err := a.mayReference(ctx, act.UserID, h); err != nil {
		return err
	}
	meta := feedbackMeta{Channel: act.ChannelID, ResponseURL: act.ResponseURL}
	return a.openModal(ctx, act.TriggerID, againButton, feedbackModal(feedbackDraft{Handoff: &h}, meta))
}

// feedbackModal draws the Feedback modal with d's values.
func feedbackModal(d feedbackDraft, meta feedbackMeta) slack.ModalViewRequest {
	var cats []option
	for _, c := range domain.FeedbackCategories {
		cats = append(cats, option{c.Code, c.Label})
	}
	var blocks []slack.Block
	if meta.MsgAuthor != "" {
		blocks = append(blocks, contextLine("From a message by "+user(meta.MsgAuthor)+"; a link to it goes with your feedback."))
	}
	blocks = append(blocks,
		selectInput(blockFeedbackCategory, "Category", cats, string(d.Category)),
		textInput(blockFeedbackText, "Feedback", truncateRunes(d.Text, domain.MaxFeedback), domain.MaxFeedback, false, true),
		textInput(blockFeedbackCampaign, "Campaign", d.Campaign, domain.MaxField, true, false),
		handoffSelect(d.Handoff),
	)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackFeedback,
		Title:           plain("Feedback"),
		Submit:          plain("Send"),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: encodeMeta(meta),
	}
}

// handoffSelect is the Related handoff input: recent handoffs, searched as
// the person types.
func handoffSelect(initial *domain.Handoff) *slack.InputBlock {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, plain("Search by lead, company or #number"), ActionFeedbackHandoff)
	minQuery := 1
	el.MinQueryLength = &minQuery
	if initial != nil {
		el.InitialOption = handoffOption(*initial)
	}
	in := slack.NewInputBlock(blockFeedbackHandoff, plain("Related handoff"), nil, el)
	in.Optional = true
	return in
}

// handoffOption names a handoff in a menu, within Slack's 75 characters.
func handoffOption(h domain.Handoff) *slack.OptionBlockObject {
	text := fmt.Sprintf("#%d %s", h.ID, h.Lead.Name)
	if h.Lead.Company != "" {
		text += " — " + h.Lead.Company
	}
	text = truncateRunes(text, maxOptionText-len(h.State.Label())-3) + " · " + h.State.Label()
	return slack.NewOptionBlockObject(strconv.FormatInt(h.ID, 10), plain(text), nil)
}

// readFeedback takes the modal's values out of a submitted view; the
// related handoff is only its id until checked.
func readFeedback(state *slack.ViewState) (feedbackDraft, int64) {
	d := feedbackDraft{
		Category: domain.Category(value(state, blockFeedbackCategory)),
		Text:     value(state, blockFeedbackText),
		Campaign: value(state, blockFeedbackCampaign),
	}
	var id int64
	if state != nil {
		picked := state.Values[blockFeedbackHandoff][ActionFeedbackHandoff].SelectedOption.Value
		id, _ = strconv.ParseInt(picked, 10, 64)
	}
	return d, id
}

// validate checks what needs neither Slack nor the database, returning
// messages keyed by the input's block ID.
func (d feedbackDraft) validate() map[string]string {
	errs := map[string]string{}
	if !d.Category.Valid() {
		errs[blockFeedbackCategory] = "Choose a category."
	}
	switch n := utf8.RuneCountInString(d.Text); {
	case strings.TrimSpace(d.Text) == "":
		errs[blockFeedbackText] = "Write what you heard: the feedback cannot be empty."
	case n > domain.MaxFeedback:
		errs[blockFeedbackText] = fmt.Sprintf("Keep it under %d characters (this is %d).", domain.MaxFeedback, n)
	case strings.ContainsRune(d.Text, 0) || !utf8.ValidString(d.Text):
		errs[blockFeedbackText] = "This contains characters that cannot be saved."
	}
	if n := utf8.RuneCountInString(d.Campaign); n > domain.MaxField {
		errs[blockFeedbackCampaign] = fmt.Sprintf("Keep it under %d characters (this is %d).", domain.MaxField, n)
	} else if strings.ContainsRune(d.Campaign, 0) || !utf8.ValidString(d.Campaign) {
		errs[blockFeedbackCampaign] = "This contains characters that cannot be saved."
	}
	return errs
}

// SubmitFeedback validates the Feedback modal and saves the item with its
// thread root; the root is posted and the author told after Slack has
// closed the modal.
func (a *App) SubmitFeedback(ctx context.Context, s Submission) (SubmitResult, error) {
	meta, err := decodeMeta[feedbackMeta](s.PrivateMetadata)
	if err != nil {
		return SubmitResult{}, err
	}
	d, handoffID := readFeedback(s.View.State)
	if errs := d.validate(); len(errs) > 0 {
		return SubmitResult{Response: slack.NewErrorsViewSubmissionResponse(errs)}, nil
	}
	if handoffID != 0 {
		h, err := a.store.Handoff(ctx, handoffID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return errorsOn(blockFeedbackHandoff, "That handoff does not exist any more; choose another."), nil
		} else if err != nil {
			return SubmitResult{}, err
		}
		if err := a.mayReference(ctx, s.UserID, h); err != nil {
			return errorsOn(blockFeedbackHandoff, domain.ErrorMessage(err)), nil
		}
		d.Handoff = &h
	}
	f := domain.Feedback{
		Category: d.Category, Text: d.Text, Campaign: d.Campaign, CreatedBy: s.UserID, State: domain.FeedbackOpen,
		SourcePermalink: a.permalink(ctx, formMeta{MsgChannel: meta.MsgChannel, MsgTS: meta.MsgTS}),
		SourceAuthor:    userOrNone(meta.MsgAuthor),
		CreatedAt:       a.now().UTC().Truncate(time.Microsecond), // what Postgres keeps
	}
	if d.Handoff != nil {
		f.HandoffID = d.Handoff.ID
	}
	created, err := a.feedback.CreateFeedback(ctx, domain.NewFeedback{
		Feedback: f,
		Root:     func(f domain.Feedback) domain.Message { return a.rootMessage(f, d.Handoff) },
		Messages: a.feedbackCreationMessages(f, d.Handoff),
	})
	if err != nil {
		return SubmitResult{}, err
	}
	return SubmitResult{After: func(ctx context.Context) error { return a.afterFeedback(ctx, created, d.Handoff, meta) }}, nil
}

// feedbackCreationMessages: feedback about a handoff is also a reply under
// its card, so whoever follows the handoff sees it.
func (a *App) feedbackCreationMessages(f domain.Feedback, h *domain.Handoff) []domain.Message {
	if h == nil {
		return nil
	}
	text := fmt.Sprintf("💬 %s gave feedback on this handoff (*%s*): “%s”",
		user(f.CreatedBy), f.Category.Label(), escape(truncateRunes(f.Text, 300)))
	return []domain.Message{{Channel: a.set.HandoffChannel, InThreadOf: h.ID, HandoffID: h.ID, Text: text, Purpose: "thread_feedback"}}
}

// afterFeedback posts the thread at once and tells the author where it is.
func (a *App) afterFeedback(ctx context.Context, f domain.Feedback, h *domain.Handoff, meta feedbackMeta) error {
	channels := []string{a.set.FeedbackChannel}
	if h != nil && a.set.HandoffChannel != a.set.FeedbackChannel {
		channels = append(channels, a.set.HandoffChannel)
	}
	sent := a.deliverNow(ctx, channels...)
	if h != nil {
		a.refreshHomes(ctx, h.Assignee, h.CreatedBy)
	}
	text := fmt.Sprintf("Sent your feedback to marketing (#%d). You will hear from me when they pick it up.", f.ID)
	if root, ok := sent.Message(f.RootOutboxID); ok {
		f.RootChannel, f.RootTS = root.Channel, root.TS
		if link := a.feedbackLink(ctx, f); link != "" {
			text += " " + link
		}
	} else { // Slack refused it for now, or another replica is posting it
		text = fmt.Sprintf("Sent your feedback to marketing (#%d). It will appear in <#%s> as soon as Slack takes it; you will hear from me when they pick it up.",
			f.ID, a.set.FeedbackChannel)
	}
	return a.confirm(ctx, f.CreatedBy, formMeta{Channel: meta.Channel, ResponseURL: meta.ResponseURL}, text)
}

// feedbackLink links to an item's thread, reading its permalink from Slack
// once; empty when the thread is not posted yet or Slack does not answer.
func (a *App) feedbackLink(ctx context.Context, f domain.Feedback) string {
	addr := f.RootPermalink
	if addr == "" && f.RootTS != "" {
		var err error
		addr, err = a.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: f.RootChannel, Ts: f.RootTS})
		if err != nil {
			a.log.InfoContext(ctx, "feedback permalink", "feedback_id", f.ID, "error", err)
			return ""
		}
		if err := a.feedback.SetFeedbackPermalink(ctx, f.ID, addr); err != nil {
			a.log.InfoContext(ctx, "keep feedback permalink", "feedback_id", f.ID, "error", err)
		}
	}
	if !domain.ValidWebURL(addr) {
		return ""
	}
	return link(addr, "Open the thread")
}
