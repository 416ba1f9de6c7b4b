package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// replyPrivately answers a command through its response URL, which works in
// any conversation, including DMs the bot is not part of.
func (a *App) replyPrivately(ctx context.Context, responseURL, fallback string, blocks ...slack.Block) error {
	opts := []slack.MsgOption{
		slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeEphemeral),
		slack.MsgOptionText(fallback, false),
	}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if _, _, err := a.slack.PostMessageContext(ctx, "", opts...); err != nil {
		return fmt.Errorf("reply privately: %w", err)
	}
	return nil
}
