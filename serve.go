package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/storage"
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
	s, err := assemble(e, db)
	if err != nil {
		return err
	}
	e.log.Info("handoffbot starting", "config", e.cfg)
	if err := s.run(ctx); err != nil {
		return err
	}
	e.log.Info("handoffbot stopped")
	return nil
}

// system is the running bot: the Slack runtime and the job queue.
type system struct {
	runtime  *bot.Runtime
	queue    *river.Client[*sql.Tx]
	endpoint endpoint // health, readiness and metrics over HTTP
	digest   bot.DigestSchedule
	db       *storage.DB
	log      *slog.Logger
}

// queueStopTimeout bounds waiting for running jobs at shutdown; with the
// runtime's drain it keeps a stop inside the usual 10 s grace period.
const queueStopTimeout = 2 * time.Second

// assemble wires configuration, database and Slack into a runnable bot.
func assemble(e env, db *storage.DB) (*system, error) {
	metrics := bot.NewMetrics(db)
	client := bot.NewClient(bot.ClientOptions{
		AppToken:  e.cfg.AppToken,
		BotToken:  e.cfg.BotToken,
		APIURL:    e.cfg.APIURL,
		Transport: metrics.Transport(nil),
	}, e.log)
	deliverer := bot.NewDeliverer(db, &client.Client, handlers.Cards{Now: time.Now}, e.log)
	app := handlers.New(handlers.Deps{
		Slack:        &client.Client,
		Store:        db,
		Courier:      deliverer,
		Settings:     settings(e.cfg),
		Log:          e.log,
		OnSLABreach:  metrics.SLABreached,
		Feedback:     db,
		Alignment:    db,
		Digests:      db,
		OnDigestSent: metrics.DigestSent,
	})
	digest := bot.DigestSchedule{Schedule: e.cfg.Schedule, Location: e.cfg.Location}
	queue, err := bot.NewQueue(db.SQL(), bot.Workers{Deliverer: deliverer, Store: db, SLA: app, Digest: app}, e.log,
		bot.QueueOptions{Digest: digest})
	if err != nil {
		return nil, err
	}
	rt := bot.New(client, bot.Routes(app), db, e.log, bot.Options{DrainTimeout: 6 * time.Second, Metrics: metrics})
	return &system{runtime: rt, queue: queue, endpoint: newEndpoint(e, db, rt, metrics), digest: digest, db: db, log: e.log}, nil
}

// run works jobs and Slack envelopes until ctx ends; then the runtime
// drains first (its handlers may enqueue jobs), and the queue stops last.
func (s *system) run(ctx context.Context) error {
	srv, err := s.endpoint.start()
	if err != nil {
		return err
	}
	if err := s.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return errors.Join(fmt.Errorf("start job queue: %w", err), stopEndpoint(ctx, srv))
	}
	if err := bot.CatchUpDigest(ctx, s.queue, s.db, s.digest, time.Now()); err != nil {
		// The schedule still runs; the missed week can be sent with
		// `handoffbot digest`.
		s.log.Warn("could not catch up on a missed digest", "error", err)
	}
	runErr := s.runtime.Run(ctx)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queueStopTimeout)
	defer cancel()
	stopErr := s.queue.Stop(stopCtx)
	if errors.Is(stopErr, context.DeadlineExceeded) {
		// Unfinished jobs are retried by the next process (or a replica).
		stopErr = s.queue.StopAndCancel(context.WithoutCancel(ctx))
	}
	return errors.Join(runErr, stopErr, stopEndpoint(ctx, srv))
}

// settings is the configuration the handlers act on.
func settings(c *config.Config) handlers.Settings {
	return handlers.Settings{
		HandoffChannel:  c.HandoffChannel,
		FeedbackChannel: c.FeedbackChannel,
		ManagerChannel:  c.ManagerChannel,
		DigestChannel:   c.DigestChannel,
		SalesTeam:       c.SalesTeam,
		MarketingTeam:   c.MarketingTeam,
		Managers:        c.Managers,
		SLAAccept:       c.SLAAccept,
		SLAFirstTouch:   c.SLAFirstTouch,
		Calendar:        businesstime.New(c.Hours, c.HolidayList, c.Location),
	}
}
