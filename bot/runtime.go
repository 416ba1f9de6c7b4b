// Package bot is the Slack side of handoffbot: the Socket Mode connection,
// acknowledgement policy, routing to handlers, a bounded pool of workers,
// at-most-once handling of redeliveries, and a graceful drain on shutdown.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/metrics"
	"github.com/slack-go/slack/socketmode"
)

// Keys remembers which envelopes and events were handled, in the database,
// so a redelivery (or the same envelope reaching another replica) acts once.
type Keys interface {
	// ClaimKey claims key before its handling starts and says whether it
	// is new, handled already, or being handled by another delivery.
	ClaimKey(ctx context.Context, key string) (domain.Claim, error)
	// FinishKey marks a claimed key handled.
	FinishKey(ctx context.Context, key string) error
	// ReleaseKey drops a claim whose handling failed, so a redelivery retries.
	ReleaseKey(ctx context.Context, key string) error
}

// Options tune the runtime; zero values take the defaults.
type Options struct {
	// Workers bounds how many envelopes are handled at once (default 32).
	// When all are busy, envelopes wait in a bounded backlog (backlog.go).
	Workers int
	// DrainTimeout bounds how long shutdown waits for in-flight work
	// (default 8 s, inside the 10 s a container runtime usually grants).
	DrainTimeout time.Duration
	// HandlerTimeout bounds one envelope's work (default 30 s).
	HandlerTimeout time.Duration
	// Metrics counts envelopes and times acks and handlers; nil for none.
	Metrics *metrics.Metrics
}

// ackFlushGrace is how long shutdown leaves the socket open after the last
// handler finished: slack-go queues acks and offers no way to know they were
// written, so we give its writer a moment before closing.
const ackFlushGrace = 250 * time.Millisecond

// Runtime reads envelopes from one Socket Mode client and runs them.
type Runtime struct {
	client    *socketmode.Client
	router    *Router
	keys      Keys
	log       *slog.Logger
	opts      Options
	connected atomic.Bool
	done      chan struct{} // one value per finished envelope

	// Owned by the loop (serve, then drain): workers running, and what
	// waits for one.
	busy    int
	queue   backlog
	telling chan struct{} // bounds goroutines telling people we are busy
	appID   string        // the app hello named (installation.go)

	removed chan *RemovedError // the app's access was taken away
}

// New wires a runtime. client must not be running yet.
func New(client *socketmode.Client, router *Router, keys Keys, log *slog.Logger, opts Options) *Runtime {
	if opts.Workers <= 0 {
		opts.Workers = 32
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 8 * time.Second
	}
	if opts.HandlerTimeout <= 0 {
		opts.HandlerTimeout = 30 * time.Second
	}
	return &Runtime{
		client: client, router: router, keys: keys, log: log, opts: opts,
		done: make(chan struct{}, opts.Workers), telling: make(chan struct{}, maxTelling),
		removed: make(chan *RemovedError, 1),
	}
}

// Connected reports whether the socket is up, for readiness probes.
func (r *Runtime) Connected() bool {
	return r.connected.Load()
}

// Run connects and handles envelopes until ctx is cancelled, then stops
// taking on new work only once in-flight work has finished (or DrainTimeout
// passed), so that nothing already received is dropped. It returns nil after
// a clean shutdown and an error if Slack refuses the tokens; when Slack says
// the app was uninstalled or its token revoked, it drains the same way and
// returns a *RemovedError.
func (r *Runtime) Run(ctx context.Context) error {
	// Work and the socket outlive ctx: shutdown is Run's decision.
	base, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	sockCtx, closeSocket := context.WithCancel(base)
	defer closeSocket()
	sockErr := make(chan error, 1)
	go func() { sockErr <- r.client.RunContext(sockCtx) }()

	stop := r.serve(ctx, base, sockErr)
	removed, isRemoved := errors.AsType[*RemovedError](stop)
	if stop != nil && !isRemoved {
		cancelWork()
		return stop
	}
	if isRemoved {
		r.log.Error(removed.advice())
	}
	r.log.Info("shutting down: draining in-flight work", "in_flight", r.busy, "waiting", r.queue.len())
	if !r.drain(base) {
		r.log.Warn("drain timed out; cancelling unfinished work", "waiting", r.queue.len())
		r.shedBacklog()
		cancelWork()
	}
	closeSocket()
	<-sockErr
	r.connected.Store(false)
	return stop
}

// serve is the main loop: one goroutine owns the workers' count and the
// backlog, and reads the socket all the time, so every envelope is acked
// in time however busy the workers are.
func (r *Runtime) serve(ctx, base context.Context, sockErr <-chan error) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-sockErr:
			r.connected.Store(false)
			if err == nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case <-r.done:
			r.finished(base)
		case evt := <-r.client.Events:
			r.handle(base, evt)
		case removed := <-r.removed:
			return removed
		}
	}
}

// drain keeps handling what arrives until nothing is in flight or waiting,
// then lets the ack writer catch up. It reports false if the deadline
// passed first.
func (r *Runtime) drain(base context.Context) bool {
	deadline := time.NewTimer(r.opts.DrainTimeout)
	defer deadline.Stop()
	for r.busy > 0 {
		select {
		case <-deadline.C:
			return false
		case <-r.done:
			r.finished(base)
		case evt := <-r.client.Events:
			r.handle(base, evt)
		}
	}
	select {
	case <-deadline.C:
	case <-time.After(ackFlushGrace):
	}
	return true
}
