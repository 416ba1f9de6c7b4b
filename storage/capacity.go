package storage

import (
	"context"
	"fmt"
)

// A process's share of the server's connections: DATABASE_MAX_CONNS.

// DefaultMaxConns is a process's connection budget unless DATABASE_MAX_CONNS
// says otherwise. It suits one bot process on a small machine: workers hold
// a connection only for a query, channel senders one each for their lock
// (at most 8, delivery/senders.go). With 30 rather than 20, the load
// benchmark's waits for a connection at 200 envelopes/s fell from
// 900–3,400 a run to 45–840, and two replicas stay inside Postgres's
// default max_connections of 100.
const DefaultMaxConns = 30

// MinMaxConns is the smallest budget the bot can work with: the 8 channel
// senders may each hold a connection for their lock while they need a
// second for a query, and the handlers and River need some of their own.
const MinMaxConns = 10

// ListenConns are the connections of the budget that are not in the pool:
// River's LISTEN connection (ListenPool), held for the life of the
// process, so that DATABASE_MAX_CONNS stays the process's whole budget.
const ListenConns = 1

// Option adjusts how Open connects.
type Option func(*options)

type options struct {
	maxConns int
}

// MaxConns sets the process's connection budget (DATABASE_MAX_CONNS), River
// included; n <= 0 means DefaultMaxConns.
func MaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = n
		}
	}
}

// ConnectionLimits are the server's limits a process's budget must fit
// in, with every other replica's.
type ConnectionLimits struct {
	// Max is the server's max_connections.
	Max int
	// Reserved are the connections of Max that only superusers (and, on
	// Postgres 16 and later, roles granted pg_use_reserved_connections)
	// may use.
	Reserved int
}

// Available is how many connections processes like the bot may share.
func (l ConnectionLimits) Available() int {
	return max(l.Max-l.Reserved, 0)
}

// ConnectionLimits reads the server's limits, for `handoffbot check`.
func (s *DB) ConnectionLimits(ctx context.Context) (ConnectionLimits, error) {
	var l ConnectionLimits
	err := s.db.QueryRowxContext(ctx, `SELECT current_setting('max_connections')::int,
		current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0)`).
		Scan(&l.Max, &l.Reserved)
	if err != nil {
		return l, mapError(fmt.Errorf("read connection limits: %w", err))
	}
	return l, nil
}
