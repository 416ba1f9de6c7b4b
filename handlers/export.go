package handlers

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handoffcsv"
)

// Export answers /handoff export [period]: the handoffs created in the
// period (default 30d) as the contract's CSV, sent to the manager's DM —
// not the channel, since it holds every lead's contact details.
func (a *App) Export(ctx context.Context, cmd Command) error {
	if ok, err := a.isManager(ctx, cmd.UserID); err != nil {
		return err
	} else if !ok {
		return a.replyPrivately(ctx, cmd.ResponseURL, "Only managers can export handoffs (MANAGERS in the bot's configuration).")
	}
	p, err := domain.ParsePeriod(cmd.Text, a.now(), a.set.Calendar.Location())
	if err != nil {
		return a.replyPrivately(ctx, cmd.ResponseURL, domain.ErrorMessage(err))
	}
	var file bytes.Buffer
	w := handoffcsv.NewWriter(&file)
	rows := 0
	err = a.store.ExportHandoffs(ctx, p.Start, p.End, func(h domain.Handoff) error {
		rows++
		return w.Write(h)
	})
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	dm, _, _, err := a.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{cmd.UserID}, ReturnIM: true})
	if err != nil {
		return fmt.Errorf("export: open DM: %w", err)
	}
	name := fmt.Sprintf("handoffs-%s-to-%s.csv", p.Start.Format(time.DateOnly), p.End.AddDate(0, 0, -1).Format(time.DateOnly))
	if _, err := a.slack.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: name, Title: name, FileSize: file.Len(), Reader: &file, Channel: dm.ID,
		InitialComment: fmt.Sprintf("%d %s created %s (CSV, UTF-8; import with `handoffbot import`).", rows, plural(rows, "handoff"), p),
	}); err != nil {
		return fmt.Errorf("export: upload: %w", err)
	}
	return a.replyPrivately(ctx, cmd.ResponseURL, fmt.Sprintf("Sent %d %s (%s) to your DMs as %s.", rows, plural(rows, "handoff"), p, name))
}
