package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// rootMessage is the thread root of an item in the feedback channel, drawn
// as the item is.
func (a *App) rootMessage(f domain.Feedback, h *domain.Handoff) domain.Message {
	text, blocks := feedbackRoot(f, h)
	return domain.Message{Channel: a.set.FeedbackChannel, Text: text, Blocks: blocksJSON(blocks), Purpose: "feedback_root"}
}

// feedbackRoot draws the thread root: category, the text, who and where
// from, the related handoff and campaign, the state, and the buttons the
// state allows.
func feedbackRoot(f domain.Feedback, h *domain.Handoff) (string, []slack.Block) {
	fallback := fmt.Sprintf("Feedback (%s) from %s: %s — %s",
		f.Category.Label(), user(f.CreatedBy), escape(truncateRunes(f.Text, 200)), f.State.Label())
	blocks := []slack.Block{
		mrkdwn(fmt.Sprintf("💬 *%s* · feedback from %s\n%s", f.Category.Label(), user(f.CreatedBy), escape(f.Text))),
		contextLine(feedbackContext(f, h)),
		mrkdwn(feedbackStateText(f)),
	}
	if acts := feedbackActions(f); acts != nil {
		blocks = append(blocks, acts)
	}
	return fallback, blocks
}

func feedbackContext(f domain.Feedback, h *domain.Handoff) string {
	parts := []string{fmt.Sprintf("#%d · %s", f.ID, slackDate(f.CreatedAt, "{date_short_pretty} {time}"))}
	if f.SourcePermalink != "" && domain.ValidWebURL(f.SourcePermalink) {
		from := "from " + link(f.SourcePermalink, "a message")
		if f.SourceAuthor != "" {
			from += " by " + user(f.SourceAuthor)
		}
		parts = append(parts, from)
	}
	if h != nil {
		name := fmt.Sprintf("#%d %s", h.ID, truncateRunes(h.Lead.Name, 80))
		if h.CardPermalink != "" && domain.ValidWebURL(h.CardPermalink) {
			name = link(h.CardPermalink, name)
		} else {
			name = escape(name)
		}
		parts = append(parts, "handoff "+name)
	}
	if f.Campaign != "" {
		parts = append(parts, "campaign *"+escape(f.Campaign)+"*")
	}
	return strings.Join(parts, " · ")
}

// feedbackStateText says where the item stands and who moved it there.
func feedbackStateText(f domain.Feedback) string {
	switch f.State {
	case domain.FeedbackAcknowledged:
		return fmt.Sprintf("👀 *Acknowledged* by %s · first response after %s (business time)",
			user(f.AcknowledgedBy), humanDuration(time.Duration(f.ResponseSecs*float64(time.Second))))
	case domain.FeedbackResolved:
		return fmt.Sprintf("✅ *Resolved* by %s · *What changed:* %s", user(f.ResolvedBy), escape(f.Resolution))
	}
	return "*Open* · marketing: reply in the thread or press Acknowledge"
}

// feedbackActions are the buttons of an item's state; none once resolved.
func feedbackActions(f domain.Feedback) *slack.ActionBlock {
	id := strconv.FormatInt(f.ID, 10)
	var els []slack.BlockElement
	if f.State == domain.FeedbackOpen {
		els = append(els, button(ActionFeedbackAcknowledge, "Acknowledge", id, slack.StylePrimary))
	}
	if f.State.CanMoveTo(domain.FeedbackResolved) {
		els = append(els, button(ActionFeedbackResolve, "Resolve", id, slack.StyleDefault))
	}
	if len(els) == 0 {
		return nil
	}
	return slack.NewActionBlock("feedback_actions", els...)
}

// AcknowledgeFeedback is the Acknowledge button of a thread root.
func (a *App) AcknowledgeFeedback(ctx context.Context, act Action) error {
	f, err := a.feedbackOf(ctx, act.Value)
	if err != nil {
		return err
	}
	if err := a.mayRespond(ctx, f, act.UserID, domain.FeedbackAcknowledged); err != nil {
		return a.refuseFeedback(ctx, act, f, err)
	}
	if f.State != domain.FeedbackOpen {
		return a.notice(ctx, act, alreadyText(f))
	}
	return a.changeFeedback(ctx, act, f, domain.FeedbackAcknowledged, "")
}

// refuseFeedback explains a refused click privately; nothing changed.
func (a *App) refuseFeedback(ctx context.Context, act Action, f domain.Feedback, err error) error {
	if domain.ErrorCode(err) != domain.EFORBIDDEN {
		return err
	}
	a.log.InfoContext(ctx, "feedback response refused", "feedback_id", f.ID, "reason", domain.ErrorMessage(err))
	return a.notice(ctx, act, domain.ErrorMessage(err))
}

// alreadyText tells a late responder who was first.
func alreadyText(f domain.Feedback) string {
	if f.State == domain.FeedbackResolved {
		return fmt.Sprintf("%s already resolved this feedback.", user(f.ResolvedBy))
	}
	return fmt.Sprintf("%s already acknowledged this feedback.", user(f.AcknowledgedBy))
}

// feedbackOf loads the item a button names by its value.
func (a *App) feedbackOf(ctx context.Context, value string) (domain.Feedback, error) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id <= 0 {
		return domain.Feedback{}, domain.Errorf(domain.EINVALID, "That button is broken; open the feedback thread again.")
	}
	return a.feedback.Feedback(ctx, id)
}

// mayRespond checks that userID may move f to: marketing responds to
// feedback (MARKETING_TEAM, or anyone when no team is configured), and
// nobody acknowledges their own feedback, which would fake the response
// time. Marketers may resolve what they filed themselves.
func (a *App) mayRespond(ctx context.Context, f domain.Feedback, userID string, to domain.FeedbackState) error {
	ok, err := a.isMarketer(ctx, userID)
	if err != nil {
		return err
	}
	verb := "acknowledge"
	if to == domain.FeedbackResolved {
		verb = "resolve"
	}
	switch {
	case !ok:
		return forbidden("Only someone in Marketing can %s feedback.", verb)
	case to == domain.FeedbackAcknowledged && userID == f.CreatedBy:
		return forbidden("Someone in Marketing other than you needs to acknowledge your feedback.")
	}
	return nil
}

// isMarketer: with MARKETING_TEAM empty, everyone of the installation is.
func (a *App) isMarketer(ctx context.Context, userID string) (bool, error) {
	return a.inTeam(ctx, userID, a.set.MarketingTeam)
}

// changeFeedback applies a response by the person who clicked or
// submitted, then shows its effects at once; a stale one is told who was
// first.
func (a *App) changeFeedback(ctx context.Context, act Action, f domain.Feedback, to domain.FeedbackState, resolution string) error {
	c := a.feedbackChange(ctx, f, to, act.UserID, a.now(), resolution)
	_, err := a.feedback.ChangeFeedback(ctx, c)
	if stale, ok := errors.AsType[*domain.FeedbackStaleError](err); ok {
		return a.notice(ctx, act, alreadyText(stale.Current))
	}
	if err != nil {
		return err
	}
	a.deliverNow(ctx, channelsOf(c.Messages)...)
	return nil
}

// feedbackChange builds a response to f, with the root redrawn as it will
// be and a DM to the author (unless they responded themselves).
func (a *App) feedbackChange(ctx context.Context, f domain.Feedback, to domain.FeedbackState, actor string, at time.Time, resolution string) domain.FeedbackChange {
	at = at.UTC().Truncate(time.Microsecond)
	c := domain.FeedbackChange{FeedbackID: f.ID, Expected: f.State, To: to, Actor: actor, At: at, Resolution: resolution}
	if f.State == domain.FeedbackOpen {
		c.ResponseSecs = a.set.Calendar.Between(f.CreatedAt, at).Seconds()
	}
	after := projectFeedback(f, c)
	if f.RootTS != "" {
		text, blocks := feedbackRoot(after, a.relatedHandoff(ctx, f))
		c.Messages = append(c.Messages, domain.Message{Channel: f.RootChannel, UpdateTS: f.RootTS, Text: text,
			Blocks: blocksJSON(blocks), Purpose: "feedback_root"})
	}
	if actor != f.CreatedBy {
		c.Messages = append(c.Messages, domain.Message{Channel: f.CreatedBy, Text: a.responseDM(ctx, after), Purpose: "dm_feedback_" + string(to)})
	}
	return c
}

// projectFeedback is f as c will leave it, to draw it before it is saved.
func projectFeedback(f domain.Feedback, c domain.FeedbackChange) domain.Feedback {
	if f.AcknowledgedAt == nil {
		f.AcknowledgedAt, f.AcknowledgedBy, f.ResponseSecs = &c.At, c.Actor, c.ResponseSecs
	}
	if c.To == domain.FeedbackResolved {
		f.ResolvedAt, f.ResolvedBy, f.Resolution = &c.At, c.Actor, c.Resolution
	}
	f.State = c.To
	return f
}

// responseDM tells the author that marketing picked up or resolved their
// feedback.
func (a *App) responseDM(ctx context.Context, f domain.Feedback) string {
	quote := "“" + escape(truncateRunes(f.Text, 150)) + "”"
	text := fmt.Sprintf("👀 %s acknowledged your feedback %s (%s).", user(f.AcknowledgedBy), quote, f.Category.Label())
	if f.State == domain.FeedbackResolved {
		text = fmt.Sprintf("✅ %s resolved your feedback %s (%s). *What changed:* %s",
			user(f.ResolvedBy), quote, f.Category.Label(), escape(truncateRunes(f.Resolution, 1500)))
	}
	if l := a.feedbackLink(ctx, f); l != "" {
		text += " " + l
	}
	return text
}

// relatedHandoff loads the handoff f is about, to draw its link; nil if
// none or it cannot be read (the root then only lacks the link).
func (a *App) relatedHandoff(ctx context.Context, f domain.Feedback) *domain.Handoff {
	if f.HandoffID == 0 {
		return nil
	}
	h, err := a.store.Handoff(ctx, f.HandoffID)
	if err != nil {
		a.log.InfoContext(ctx, "related handoff", "feedback_id", f.ID, "handoff_id", f.HandoffID, "error", err)
		return nil
	}
	return &h
}

// resolveMeta travels in the resolve modal's private_metadata.
type resolveMeta struct {
	ID          int64  `json:"id"`
	Channel     string `json:"c,omitempty"`
	ResponseURL string `json:"r,omitempty"`
}

// ResolveFeedback is the Resolve button: it asks what changed.
func (a *App) ResolveFeedback(ctx context.Context, act Action) error {
	f, err := a.feedbackOf(ctx, act.Value)
	if err != nil {
		return err
	}
	if err := a.mayRespond(ctx, f, act.UserID, domain.FeedbackResolved); err != nil {
		return a.refuseFeedback(ctx, act, f, err)
	}
	if f.State == domain.FeedbackResolved {
		return a.notice(ctx, act, alreadyText(f))
	}
	meta := resolveMeta{ID: f.ID, Channel: act.ChannelID, ResponseURL: act.ResponseURL}
	what := textInput(blockWhatChanged, "What changed", "", domain.MaxResolution, false, true)
	what.Hint = plain("The author and the thread see this: the page you added, the message you changed…")
	return a.openModal(ctx, act.TriggerID, againButton, slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: CallbackFeedbackResolve,
		Title: plain("Resolve feedback"), Submit: plain("Resolve"), Close: plain("Cancel"),
		PrivateMetadata: encodeMeta(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			mrkdwn(fmt.Sprintf("*%s* · %s\n%s", f.Category.Label(), user(f.CreatedBy), escape(truncateRunes(f.Text, 500)))),
			what,
		}},
	})
}

// SubmitFeedbackResolution resolves the item with what changed, checking
// the permission again at submit time.
func (a *App) SubmitFeedbackResolution(ctx context.Context, s Submission) (SubmitResult, error) {
	meta, err := decodeMeta[resolveMeta](s.PrivateMetadata)
	if err != nil {
		return SubmitResult{}, err
	}
	what, problem := readResolution(s.View.State)
	if problem != "" {
		return errorsOn(blockWhatChanged, problem), nil
	}
	f, err := a.feedback.Feedback(ctx, meta.ID)
	if err != nil {
		return SubmitResult{}, err
	}
	if err := a.mayRespond(ctx, f, s.UserID, domain.FeedbackResolved); domain.ErrorCode(err) == domain.EFORBIDDEN {
		return errorsOn(blockWhatChanged, domain.ErrorMessage(err)), nil
	} else if err != nil {
		return SubmitResult{}, err
	}
	act := Action{UserID: s.UserID, ChannelID: meta.Channel, ResponseURL: meta.ResponseURL}
	return SubmitResult{After: func(ctx context.Context) error { return a.resolve(ctx, act, meta.ID, what) }}, nil
}

// readResolution takes "What changed" out of a submitted resolve modal,
// or the problem with it (the modal's only input).
func readResolution(state *slack.ViewState) (what, problem string) {
	what = value(state, blockWhatChanged)
	switch n := len([]rune(what)); {
	case what == "":
		return what, "Say what changed: that is what closes the loop."
	case n > domain.MaxResolution:
		return what, fmt.Sprintf("Keep it under %d characters (this is %d).", domain.MaxResolution, n)
	case !savable(what):
		return what, "This contains characters that cannot be saved."
	}
	return what, ""
}

// resolve applies a resolution; an acknowledgement that slipped in between
// (a marketer's reply) is taken into account once, then the resolution
// goes on from the new state.
func (a *App) resolve(ctx context.Context, act Action, id int64, what string) error {
	for range 2 {
		f, err := a.feedback.Feedback(ctx, id)
		if err != nil {
			return err
		}
		if f.State == domain.FeedbackResolved {
			return a.notice(ctx, act, alreadyText(f))
		}
		c := a.feedbackChange(ctx, f, domain.FeedbackResolved, act.UserID, a.now(), what)
		_, err = a.feedback.ChangeFeedback(ctx, c)
		if _, stale := errors.AsType[*domain.FeedbackStaleError](err); stale {
			continue
		}
		if err != nil {
			return err
		}
		a.deliverNow(ctx, channelsOf(c.Messages)...)
		return nil
	}
	return domain.Errorf(domain.ECONFLICT, "This feedback changed while you were resolving it; please try again.")
}

// FeedbackMessage listens to the feedback channel: a person's reply in a
// feedback thread is recorded once (keyed by its ts, so a redelivered
// event counts once), and the first reply from marketing acknowledges the
// item. When the database is down the reply fails with EUNAVAIL and the
// runtime leaves the event unacknowledged: Slack delivers it again after a
// minute, and after five, and it is recorded then. Bots (this one included), edits and other subtypes, other channels
// and top-level messages are ignored; a reply also sent to the channel
// (thread_broadcast) is still a reply.
func (a *App) FeedbackMessage(ctx context.Context, e Event) error {
	if e.BotID != "" || (e.Subtype != "" && e.Subtype != "thread_broadcast") || e.UserID == "" ||
		e.Channel != a.set.FeedbackChannel || e.ThreadTS == "" || e.ThreadTS == e.TS {
		return nil
	}
	f, err := a.feedback.FeedbackByThread(ctx, e.Channel, e.ThreadTS)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil // a thread that is not feedback, e.g. under a handoff card
	} else if err != nil {
		return err
	}
	at := tsTime(e.TS, a.now())
	r := domain.FeedbackReply{FeedbackID: f.ID, TS: e.TS, Actor: e.UserID, At: at}
	if f.State == domain.FeedbackOpen {
		switch err := a.mayRespond(ctx, f, e.UserID, domain.FeedbackAcknowledged); {
		case err == nil:
			c := a.feedbackChange(ctx, f, domain.FeedbackAcknowledged, e.UserID, at, "")
			r.Acknowledge = &c
		case domain.ErrorCode(err) != domain.EFORBIDDEN:
			return err // the team could not be read; a dependency down (EUNAVAIL) leaves the event for Slack to send again
		}
	}
	out, err := a.feedback.RecordFeedbackReply(ctx, r)
	if err != nil {
		return err
	}
	if !out.Recorded {
		a.log.InfoContext(ctx, "feedback reply already recorded", "feedback_id", f.ID, "ts", e.TS)
	}
	if out.Acknowledged {
		a.log.InfoContext(ctx, "feedback acknowledged by a reply", "feedback_id", f.ID, "user", e.UserID)
		a.deliverNow(ctx, channelsOf(r.Acknowledge.Messages)...)
	}
	return nil
}

// tsTime reads a Slack message ts ("1764190000.000100", seconds since the
// epoch) as the time the message was posted, or def if it is not one.
func tsTime(ts string, def time.Time) time.Time {
	secs, frac, _ := strings.Cut(ts, ".")
	s, err1 := strconv.ParseInt(secs, 10, 64)
	us, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || len(frac) != 6 || s <= 0 {
		return def
	}
	return time.Unix(s, us*1000).UTC()
}
