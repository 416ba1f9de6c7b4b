package main

import (
	"context"
	"fmt"

	"github.com/handoffbot/handoffbot/bot"
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
	app := handlers.New(handlers.Deps{Slack: &client.Client, Log: e.log})
	rt := bot.New(client, bot.Routes(app), db, e.log, bot.Options{})
	e.log.Info("handoffbot starting", "config", e.cfg)
	if err := rt.Run(ctx); err != nil {
		return err
	}
	e.log.Info("handoffbot stopped")
	return nil
}
