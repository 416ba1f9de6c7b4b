package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/delivery"
	"github.com/handoffbot/handoffbot/handlers"
)

// digestCmd is `handoffbot digest [--week YYYY-MM-DD] [--dry-run]`: build
// the digest of the week starting that Monday (default: last week) and
// print it, or send it — once per destination, however often it is run.
func digestCmd(ctx context.Context, e Env, args []string) error {
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	weekFlag := fs.String("week", "", "a day of the week to digest, YYYY-MM-DD (default: last week)")
	dryRun := fs.Bool("dry-run", false, "print the digest instead of sending it")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return UsageError{errors.New("usage: handoffbot digest [--week YYYY-MM-DD] [--dry-run]")}
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	slackOpts := bot.ClientOptions{AppToken: e.Config.AppToken, BotToken: e.Config.BotToken, APIURL: e.Config.APIURL}
	client := bot.NewClient(slackOpts, e.Log)
	now := e.Clock.Now
	deliverer := delivery.NewDeliverer(db, bot.NewOutboxClient(slackOpts, e.Log), handlers.Cards{Now: now}, e.Log, now)
	app := handlers.New(handlers.Deps{Slack: &client.Client, Store: db, Courier: deliverer, Settings: settings(e.Config),
		Log: e.Log, Now: now, Feedback: db, Alignment: db, Digests: db})
	week := app.LastWeek(now())
	if *weekFlag != "" {
		day, err := time.ParseInLocation(time.DateOnly, *weekFlag, e.Config.Location)
		if err != nil {
			return UsageError{fmt.Errorf("--week: want YYYY-MM-DD, not %q", *weekFlag)}
		}
		week = app.Week(day)
	}
	if *dryRun {
		text, err := app.PreviewDigest(ctx, week.Start)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(e.Out, text)
		return err
	}
	n, err := app.SendDigest(ctx, week.Start)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.Out, "Sent %d digests for the week of %s (destinations that had it already were skipped; anything Slack did not take yet is queued for the bot).\n",
		n, week.Start.Format(time.DateOnly))
	return err
}
