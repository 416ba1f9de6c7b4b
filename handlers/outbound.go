package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// OutboundStore says what became of the outbound events (storage.DB), so
// that managers hear of a receiver that stopped taking them.
type OutboundStore interface {
	DisabledSinks(ctx context.Context) ([]domain.DisabledSink, error)
	FailedEvents(ctx context.Context, since time.Time, limit int) ([]domain.FailedEvent, error)
}

// What managers are shown of the outbound events: the latest few given
// up in the past week, and at most as many disabled sinks.
const (
	outboundShown  = 5
	outboundWindow = 7 * 24 * time.Hour
)

// outboundBlocks shows managers the webhook URLs switched off by a 410
// and the events lately given up, with the command that sends them again.
func (a *App) outboundBlocks(ctx context.Context, userID string) []slack.Block {
	if a.outbound == nil {
		return nil
	}
	if ok, err := a.isManager(ctx, userID); err != nil || !ok {
		return nil
	}
	disabled, err := a.outbound.DisabledSinks(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "list disabled event sinks", "error", err)
		return nil
	}
	failed, err := a.outbound.FailedEvents(ctx, a.now().Add(-outboundWindow), outboundShown)
	if err != nil {
		a.log.WarnContext(ctx, "list failed outbound events", "error", err)
		return nil
	}
	if len(disabled)+len(failed) == 0 {
		return nil
	}
	blocks := []slack.Block{slack.NewDividerBlock(), mrkdwn("*Outbound events not delivered* (for managers)")}
	if lines := disabledLines(disabled); lines != "" {
		blocks = append(blocks, contextLine(lines))
	}
	if lines := failedLines(failed); lines != "" {
		blocks = append(blocks, contextLine(lines))
	}
	return append(blocks, contextLine("Fix the receiver, then `handoffbot events replay --since TIME` sends the events again (and switches a URL back on)."))
}

// disabledLines says, a line each, which sinks get nothing and since when.
func disabledLines(ds []domain.DisabledSink) string {
	var lines []string
	for i, d := range ds {
		if i == outboundShown {
			lines = append(lines, fmt.Sprintf("…and %d more switched off.", len(ds)-i))
			break
		}
		lines = append(lines, fmt.Sprintf("`%s` is switched off since %s — it said `%s`. Nothing is sent to it until `handoffbot events replay --since %s` is run.",
			escape(domain.SinkLabel(d.Sink)), slackDate(d.At, "{date_short_pretty} {time}"), escape(d.Why), d.At.Format(time.RFC3339)))
	}
	return strings.Join(lines, "\n")
}

// failedLines says, a line each, which events a sink never took.
func failedLines(fs []domain.FailedEvent) string {
	var lines []string
	for _, f := range fs {
		about := fmt.Sprintf("handoff #%d", f.HandoffID)
		if f.HandoffID == 0 {
			about = fmt.Sprintf("feedback #%d", f.FeedbackID)
		}
		lines = append(lines, fmt.Sprintf("%s: `%s` of %s never reached `%s` (%d tries) — `%s`",
			slackDate(f.FailedAt, "{date_short_pretty} {time}"), escape(f.Type), about,
			escape(domain.SinkLabel(f.Sink)), f.Attempts, escape(f.Error)))
	}
	return strings.Join(lines, "\n")
}
