package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/handlers"
)

// serve runs the bot until ctx ends, then drains.
func serve(ctx context.Context, e env, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("serve takes no arguments")}
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	client := bot.NewClient(bot.ClientOptions{
		AppToken: e.cfg.AppToken, BotToken: e.cfg.BotToken, APIURL: e.cfg.APIURL,
	}, e.log)
	deliverer := bot.NewDeliverer(db, &client.Client, handlers.Cards{Now: time.Now}, e.log)
	app := handlers.New(handlers.Deps{Slack: &client.Client, Store: db, Courier: deliverer, Settings: settings(e.cfg), Log: e.log})
	queue, err := bot.NewQueue(db.SQL(), deliverer, db, e.log, bot.QueueOptions{})
	if err != nil {
		return err
	}
	if err := queue.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	rt := bot.New(client, bot.Routes(app), db, e.log, bot.Options{})
	e.log.Info("handoffbot starting", "config", e.cfg)
	runErr := rt.Run(ctx)
	stopErr := queue.Stop(context.WithoutCancel(ctx))
	if err := errors.Join(runErr, stopErr); err != nil {
		return err
	}
	e.log.Info("handoffbot stopped")
	return nil
}

// settings is the configuration the handlers act on.
func settings(c *config.Config) handlers.Settings {
	return handlers.Settings{
		HandoffChannel: c.HandoffChannel, FeedbackChannel: c.FeedbackChannel,
		ManagerChannel: c.ManagerChannel, DigestChannel: c.DigestChannel,
		SalesTeam: c.SalesTeam, MarketingTeam: c.MarketingTeam, Managers: c.Managers,
		SLAAccept: c.SLAAccept, SLAFirstTouch: c.SLAFirstTouch,
		Calendar: businesstime.New(c.Hours, c.HolidayList, c.Location),
	}
}
