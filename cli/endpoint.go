package cli

import (
	"context"
	"errors"
	"time"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/metrics"
	"github.com/handoffbot/handoffbot/ops"
	"github.com/handoffbot/handoffbot/storage"
)

// endpointStopTimeout bounds an HTTP server's shutdown; with the
// runtime's drain and the queue's stop it keeps a stop inside 10 s.
const endpointStopTimeout = time.Second

// errNotConnected is the slack probe's error while the Socket Mode
// connection is down (starting, reconnecting, or Slack unreachable).
var errNotConnected = errors.New("not connected to Slack (Socket Mode)")

// endpoint is the health and metrics HTTP server of `serve`, before it
// starts; an empty addr (HTTP_ADDR="") disables it.
type endpoint struct {
	addr string
	opts ops.Options
}

// newEndpoint says what the endpoint serves: ready means the socket is up
// and the database answers. /readyz says which is down; why is in the log.
func newEndpoint(e Env, db *storage.DB, rt *bot.Runtime, m *metrics.Metrics) endpoint {
	slack := func(context.Context) error {
		if !rt.Connected() {
			return errNotConnected
		}
		return nil
	}
	return endpoint{addr: e.Config.HTTPAddr, opts: ops.Options{
		Gatherer: m.Registry(),
		Ready: []ops.Probe{
			{Name: "slack", Check: slack, Down: "not connected to Slack (Socket Mode); see the logs for why"},
			{Name: "database", Check: db.Ping, Down: "not answering; see the logs for why"},
		},
		Pprof: e.Config.Pprof,
		Log:   e.Log,
	}}
}

// start listens and serves in the background; nil when disabled.
func (ep endpoint) start() (*ops.Server, error) {
	if ep.addr == "" {
		return nil, nil
	}
	return ops.Start(ep.addr, ep.opts)
}

// stopServer shuts an HTTP server down (nil: nothing to do).
func stopServer(ctx context.Context, srv *ops.Server) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endpointStopTimeout)
	defer cancel()
	return srv.Stop(ctx)
}
