package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// undeliveredShown keeps the managers' list of refused messages short.
const undeliveredShown = 5

// undeliveredBlocks shows managers the messages Slack refused for good
// (a deleted channel, a deactivated user), so someone can fix the cause.
func (a *App) undeliveredBlocks(ctx context.Context, userID string) []slack.Block {
	if ok, err := a.isManager(ctx, userID); err != nil || !ok {
		return nil
	}
	failed, err := a.store.FailedDeliveries(ctx, undeliveredShown)
	if err != nil {
		a.log.WarnContext(ctx, "list undelivered messages", "error", err)
		return nil
	}
	if len(failed) == 0 {
		return nil
	}
	blocks := []slack.Block{slack.NewDividerBlock(), mrkdwn("*Messages Slack would not take* (for managers)")}
	for _, f := range failed {
		about := ""
		if f.HandoffID != nil {
			about = fmt.Sprintf(" about handoff #%d", *f.HandoffID)
		}
		blocks = append(blocks, contextLine(fmt.Sprintf("%s: %s to `%s`%s — Slack said `%s`",
			slackDate(f.FailedAt, "{date_short_pretty} {time}"), f.Purpose, escape(f.Channel), about, escape(f.Error))))
	}
	return append(blocks, contextLine("Fix the channel or the person (`handoffbot check` helps); new messages will go through."))
}
