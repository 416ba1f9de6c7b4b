package handlers

import (
	"context"
	"fmt"
	"strings"

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

// escape makes user-typed text display as typed: Slack reads &, < and > as
// control sequences (<!channel> pings everyone), so they are entity-encoded.
func escape(s string) string {
	return escaper.Replace(s)
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// mrkdwn is a section of Slack markdown.
func mrkdwn(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}
