package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/delivery"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/metrics"
	"github.com/handoffbot/handoffbot/queue"
	"github.com/handoffbot/handoffbot/routing"
	"github.com/handoffbot/handoffbot/storage"
)

// serve runs the bot until ctx ends, then drains.
func serve(ctx context.Context, e Env, args []string) error {
	if len(args) > 0 {
		return UsageError{errors.New("serve takes no arguments")}
	}
	b, err := Assemble(ctx, e)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.Run(ctx); err != nil {
		return err
	}
	e.Log.Info("handoffbot stopped")
	return nil
}

// Bot is the running bot: the Slack runtime, the job queue and the HTTP
// endpoint, over one database.
type Bot struct {
	app      *handlers.App
	runtime  *bot.Runtime
	queue    *river.Client[*sql.Tx]
	endpoint endpoint
	intake   *intakeListener // nil without INTAKE_ADDR
	digest   queue.DigestSchedule
	db       *storage.DB
	listener *pgxpool.Pool // River's LISTEN connection
	config   *config.Config
	clock    func() time.Time
	log      *slog.Logger
}

// queueStopTimeout bounds waiting for running jobs at shutdown; with the
// runtime's drain it keeps a stop inside the usual 10 s grace period.
const queueStopTimeout = 2 * time.Second

// Assemble opens (and migrates) the database and wires configuration,
// database and Slack into a bot ready to Run; Close releases it.
func Assemble(ctx context.Context, e Env) (*Bot, error) {
	db, err := openDB(ctx, e)
	if err != nil {
		return nil, err
	}
	listener, err := storage.ListenPool(ctx, e.Config.DatabaseURL)
	if err != nil {
		db.Close()
		return nil, err
	}
	b, err := wire(ctx, e, db, listener)
	if err != nil {
		listener.Close()
		db.Close()
		return nil, err
	}
	return b, nil
}

// loadRouting reads ROUTING_FILE (nil without one: the teams' rotation)
// and makes sure every pool it or the teams route to has its rotation row.
func loadRouting(ctx context.Context, e Env, db *storage.DB) (*routing.Rules, error) {
	teams, err := routing.Default(e.Config.SalesTeam, e.Config.MarketingTeam)
	if err != nil {
		return nil, err
	}
	pools := poolNames(teams)
	var rules *routing.Rules
	if e.Config.RoutingFile != "" {
		if rules, err = readRules(e.Config.RoutingFile); err != nil {
			return nil, fmt.Errorf("ROUTING_FILE: %w", err)
		}
		pools = append(pools, poolNames(rules)...)
	}
	return rules, db.EnsurePools(ctx, pools, e.Clock.Now())
}

func poolNames(r *routing.Rules) []string {
	var names []string
	for _, p := range r.Pools {
		names = append(names, p.Name)
	}
	return names
}

// wire builds the bot's parts on db: the application in the middle, the
// Slack runtime and the job queue around it, each only through the small
// interfaces it declares.
func wire(ctx context.Context, e Env, db *storage.DB, listener *pgxpool.Pool) (*Bot, error) {
	rules, err := loadRouting(ctx, e, db)
	if err != nil {
		return nil, err
	}
	db.SetSinks(e.Config.WebhookURLs)
	m := metrics.New(db)
	slackOpts := bot.ClientOptions{
		AppToken: e.Config.AppToken, BotToken: e.Config.BotToken, APIURL: e.Config.APIURL,
		Transport: m.Transport(nil),
	}
	client := bot.NewClient(slackOpts, e.Log)
	now := e.Clock.Now
	deliverer := delivery.NewDeliverer(db, bot.NewOutboxClient(slackOpts, e.Log), handlers.Cards{Now: now}, e.Log, now)
	app := handlers.New(handlers.Deps{
		Slack: &client.Client, Store: db, Courier: deliverer, Settings: settings(e.Config),
		Log: e.Log, Now: now, OnSLABreach: m.SLABreached,
		Feedback: db, Alignment: db, Digests: db, OnDigestSent: m.DigestSent,
		Routing: rules, Accounts: db, Steps: stepClients(slackOpts, e.Log),
		Outbound: db,
	})
	digest := queue.DigestSchedule{Schedule: e.Config.Schedule, Location: e.Config.Location}
	workers := queue.Workers{Deliverer: deliverer, Store: db, SLA: app, Digest: app,
		Events: db, Sinks: webhookSinks(e.Config, now), EventTried: m.EventTried}
	q, err := queue.New(db.SQL(), workers, e.Log,
		queue.Options{Digest: digest, Time: riverTime(e.Clock), Listener: listener})
	if err != nil {
		return nil, err
	}
	rt := bot.New(client, bot.Routes(app), db, e.Log, bot.Options{DrainTimeout: 6 * time.Second, Metrics: m})
	api, err := newIntakeListener(e, db, app)
	if err != nil {
		return nil, err
	}
	return &Bot{app: app, runtime: rt, queue: q, endpoint: newEndpoint(e, db, rt, m), intake: api,
		digest: digest, db: db, listener: listener, config: e.Config, clock: now, log: e.Log}, nil
}

// stepClients makes the client that completes a Workflow Builder step's
// run with the run's own token. Like the outbox's, it never tries a call
// again by itself: a completion that may have reached Slack is not sent
// twice (the event's redelivery completes a run whose answer was lost).
func stepClients(o bot.ClientOptions, log *slog.Logger) func(token string) handlers.StepCompleter {
	return func(token string) handlers.StepCompleter {
		o.BotToken = token
		return bot.NewOutboxClient(o, log)
	}
}

// The store is what each part asks of it, checked at compile time.
var (
	_ handlers.Store          = (*storage.DB)(nil)
	_ handlers.FeedbackStore  = (*storage.DB)(nil)
	_ handlers.AlignmentStore = (*storage.DB)(nil)
	_ handlers.DigestStore    = (*storage.DB)(nil)
	_ delivery.Outbox         = (*storage.DB)(nil)
	_ queue.Store             = (*storage.DB)(nil)
	_ queue.EventStore        = (*storage.DB)(nil)
	_ handlers.OutboundStore  = (*storage.DB)(nil)
	_ bot.Keys                = (*storage.DB)(nil)
	_ metrics.Store           = (*storage.DB)(nil)
)

// riverTime hands a simulated clock to River, so jobs fall due on
// simulated time; nil (River's own clock) for the real one.
func riverTime(c any) rivertype.TimeGenerator {
	if tg, ok := c.(rivertype.TimeGenerator); ok {
		return tg
	}
	return nil
}

// Run works jobs and Slack envelopes until ctx ends; then the runtime
// drains first (its handlers may enqueue jobs), and the queue stops last.
func (b *Bot) Run(ctx context.Context) error {
	b.log.Info("handoffbot starting", "config", b.config)
	srv, err := b.endpoint.start()
	if err != nil {
		return err
	}
	// Who the bot is and who is in the teams, before the first envelope.
	if err := b.app.Prepare(ctx); err != nil {
		return errors.Join(err, stopServer(ctx, srv))
	}
	fresh, stopRefreshing := context.WithCancel(ctx)
	refreshed := make(chan struct{})
	go func() { defer close(refreshed); b.app.KeepDirectoryFresh(fresh) }()
	defer func() { stopRefreshing(); <-refreshed }()
	if err := b.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return errors.Join(fmt.Errorf("start job queue: %w", err), stopServer(ctx, srv))
	}
	if err := queue.CatchUpDigest(ctx, b.queue, b.db, b.digest, b.clock()); err != nil {
		// The schedule still runs; the missed week can be sent with
		// `handoffbot digest`.
		b.log.Warn("could not catch up on a missed digest", "error", err)
	}
	api := b.intake.serve()
	runErr := b.runtime.Run(ctx)
	apiErr := stopServer(ctx, api)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queueStopTimeout)
	defer cancel()
	stopErr := b.queue.Stop(stopCtx)
	if errors.Is(stopErr, context.DeadlineExceeded) {
		// Unfinished jobs are retried by the next process (or a replica).
		stopErr = b.queue.StopAndCancel(context.WithoutCancel(ctx))
	}
	return errors.Join(runErr, apiErr, stopErr, stopServer(ctx, srv))
}

// IntakeAddr is where the intake API listens; nil when it is off.
func (b *Bot) IntakeAddr() net.Addr { return b.intake.addr() }

// Close releases the database.
func (b *Bot) Close() error {
	b.intake.close()
	b.listener.Close()
	return b.db.Close()
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
