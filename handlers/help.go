package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// subcommands is the help text's list, in the README's order.
var subcommands = []struct{ usage, does string }{
	{"/handoff [lead details]", "hand a lead to the other team (opens the *New handoff* form, prefilled from what you type)"},
	{"/handoff list", "your open handoffs"},
	{"/handoff feedback [text]", "tell marketing what you hear in the field"},
	{"/handoff feedback list", "open feedback: yours, or everyone's for marketers"},
	{"/handoff stats [7d|30d|90d|quarter|ytd|YYYY-MM-DD..YYYY-MM-DD] [by source|campaign|rep]", "alignment stats in the channel (managers)"},
	{"/handoff digest preview|subscribe|unsubscribe", "this week's digest so far; weekly digest DMs on or off"},
	{"/handoff survey [start|results]", "answer the sales–marketing alignment survey; open a round; see results"},
	{"/handoff export [period]", "CSV of handoffs to your DMs (managers)"},
	{"/handoff help", "this message"},
}

// Help answers /handoff help privately with every subcommand.
func (a *App) Help(ctx context.Context, cmd Command) error {
	return a.replyPrivately(ctx, cmd.ResponseURL, helpFallback(), helpBlocks("")...)
}

func helpBlocks(note string) []slack.Block {
	var lines []string
	for _, s := range subcommands {
		lines = append(lines, fmt.Sprintf("`%s` — %s", s.usage, s.does))
	}
	var blocks []slack.Block
	if note != "" {
		blocks = append(blocks, mrkdwn(note))
	}
	return append(blocks,
		mrkdwn("*Lead handoffs between sales and marketing*\n"+strings.Join(lines, "\n")),
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
			"Shortcuts: *Hand off this lead* and *Feedback to marketing* on any message; *New lead handoff* from the shortcuts menu.", false, false)),
	)
}

func helpFallback() string {
	var b strings.Builder
	for _, s := range subcommands {
		fmt.Fprintf(&b, "%s — %s\n", s.usage, s.does)
	}
	return b.String()
}
