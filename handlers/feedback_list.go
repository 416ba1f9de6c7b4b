package handlers

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// handoffChoices is how many handoffs the Related handoff search offers.
const handoffChoices = 20

// FeedbackList answers `/handoff feedback list` privately: the open
// feedback (not yet resolved), oldest first, with its age and a link to
// its thread. Marketers see everyone's, others their own.
func (a *App) FeedbackList(ctx context.Context, cmd Command) error {
	marketer, err := a.isMarketer(ctx, cmd.UserID)
	if err != nil {
		return err
	}
	author, whose := cmd.UserID, "Your open feedback"
	if marketer {
		author, whose = "", "Open feedback"
	}
	fs, total, err := a.feedback.OpenFeedbackBy(ctx, author, maxMsgBlocks-2)
	if err != nil {
		return err
	}
	if total == 0 {
		return a.replyPrivately(ctx, cmd.ResponseURL, "No open feedback. `/handoff feedback` tells marketing what you hear in the field.")
	}
	blocks := []slack.Block{mrkdwn(fmt.Sprintf("*%s* (%d, oldest first)", whose, total))}
	for _, f := range fs {
		blocks = append(blocks, mrkdwn(a.feedbackLine(ctx, f)))
	}
	if total > len(fs) {
		blocks = append(blocks, contextLine(fmt.Sprintf("…and %d more.", total-len(fs))))
	}
	return a.replyPrivately(ctx, cmd.ResponseURL, fmt.Sprintf("%s: %d.", whose, total), blocks...)
}

// feedbackLine is one item in a list: category, the start of the text,
// author, age, state and a link to its thread.
func (a *App) feedbackLine(ctx context.Context, f domain.Feedback) string {
	s := fmt.Sprintf("*%s* · “%s” · from %s · %s old · %s",
		f.Category.Label(), escape(truncateRunes(f.Text, 120)), user(f.CreatedBy),
		humanDuration(a.now().Sub(f.CreatedAt)), f.State.Label())
	if f.State == domain.FeedbackAcknowledged {
		s += " by " + user(f.AcknowledgedBy)
	}
	if l := a.feedbackLink(ctx, f); l != "" {
		s += " · " + l
	}
	return s
}

// FeedbackHandoffOptions answers the Related handoff search with the most
// recent handoffs matching what the person typed, among those they may
// see (visibility.go).
func (a *App) FeedbackHandoffOptions(ctx context.Context, s Suggestion) (*slack.OptionsResponse, error) {
	hs, err := a.feedback.HandoffChoices(ctx, s.Query, a.visibility(ctx, s.UserID), handoffChoices)
	if err != nil {
		return nil, err
	}
	opts := make([]*slack.OptionBlockObject, 0, len(hs))
	for _, h := range hs {
		opts = append(opts, handoffOption(h))
	}
	return &slack.OptionsResponse{Options: opts}, nil
}

// feedbackCounts says how many feedback items each handoff of a list has,
// for App Home; a failure only costs the counts.
func (a *App) feedbackCounts(ctx context.Context, hs []domain.Handoff) map[int64]int {
	if a.feedback == nil || len(hs) == 0 {
		return nil
	}
	ids := make([]int64, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	counts, err := a.feedback.FeedbackCounts(ctx, ids)
	if err != nil {
		a.log.InfoContext(ctx, "feedback counts for App Home", "error", err)
		return nil
	}
	return counts
}

// feedbackCountText is a handoff's feedback count in a list line, or
// nothing when it has none.
func feedbackCountText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" · 💬 %d feedback", n)
}

var (
	slackUserRef  = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|([^>]*))?>`)
	slackChanRef  = regexp.MustCompile(`<#(C[A-Z0-9]+)(?:\|([^>]*))?>`)
	slackSpecial  = regexp.MustCompile(`<!(here|channel|everyone)(?:\|[^>]*)?>`)
	slackLabelled = regexp.MustCompile(`<([^|<>\s]+)\|([^<>]*)>`)
	slackBare     = regexp.MustCompile(`<([^|<>\s]+)>`)
)

// plainFromSlack turns a message's Slack markup into the text a person
// saw (<@U1|fox> → @fox, <https://x|site> → site (https://x), &amp; → &),
// to prefill the Feedback modal with it; it is escaped again when shown.
func plainFromSlack(s string) string {
	s = slackUserRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackUserRef.FindStringSubmatch(m)
		if sub[2] != "" {
			return "@" + sub[2]
		}
		return "@" + sub[1]
	})
	s = slackChanRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackChanRef.FindStringSubmatch(m)
		if sub[2] != "" {
			return "#" + sub[2]
		}
		return "#" + sub[1]
	})
	s = slackSpecial.ReplaceAllString(s, "@$1")
	s = slackLabelled.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackLabelled.FindStringSubmatch(m)
		if strings.TrimPrefix(sub[1], "mailto:") == sub[2] {
			return sub[2]
		}
		return sub[2] + " (" + sub[1] + ")"
	})
	s = slackBare.ReplaceAllString(s, "$1")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
