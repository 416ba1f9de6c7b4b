// Package prepared makes lib/pq connections keep their statements
// prepared. lib/pq sends a query with arguments as an unnamed statement:
// Parse and Describe, wait for Postgres, then Bind and Execute, wait again.
// That is two round trips per query, and Postgres parses and plans the
// query every time. A statement prepared once per connection takes one
// round trip and is planned once. The load benchmark (BenchmarkLoad in the
// main package) counted about a hundred statements per handoff; keeping
// them prepared cut Postgres's CPU per handoff by about 40% and the bot's
// by about a quarter.
//
// It sits under database/sql, so every user of the pool gets it without
// changing a query, River included. It never builds SQL: it passes on the
// text its callers give it, as lib/pq does. Postgres drops a prepared
// statement only with its session, so a rolled-back transaction leaves the
// cache valid. (A pooler in transaction mode, such as PgBouncer's, does not
// keep sessions; do not use this behind one.)
package prepared

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
)

// Connector wraps a lib/pq connector (pq.NewConnector) so that each
// connection keeps up to perConn statements prepared, least recently used
// dropped first.
func Connector(c driver.Connector, perConn int) driver.Connector {
	return connector{Connector: c, perConn: max(perConn, 1)}
}

type connector struct {
	driver.Connector
	perConn int
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := dc.(pqConn)
	if !ok {
		_ = dc.Close()
		return nil, errNotPQ
	}
	return &conn{pqConn: pc, perConn: c.perConn, stmts: map[string]*list.Element{}, lru: list.New()}, nil
}

var errNotPQ = errors.New("prepared: the connector is not lib/pq's")

// pqConn is what database/sql uses of lib/pq's connection.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// conn runs queries with arguments through the statements it keeps; the
// rest is lib/pq's. database/sql uses a connection from one goroutine at a
// time, so it needs no lock.
type conn struct {
	pqConn
	perConn int
	stmts   map[string]*list.Element // query → element of lru
	lru     *list.List               // of *cached, most recently used first
}

type cached struct {
	query string
	stmt  driver.Stmt
}

// stmt returns query's statement, preparing it on first use.
func (c *conn) stmt(ctx context.Context, query string) (driver.Stmt, error) {
	if e, ok := c.stmts[query]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*cached).stmt, nil
	}
	st, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = c.lru.PushFront(&cached{query: query, stmt: st})
	if c.lru.Len() > c.perConn {
		old := c.lru.Remove(c.lru.Back()).(*cached)
		delete(c.stmts, old.query)
		if err := old.stmt.Close(); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// QueryContext implements driver.QueryerContext.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 { // lib/pq's simple protocol: one round trip already
		return c.pqConn.QueryContext(ctx, query, args)
	}
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// ExecContext implements driver.ExecerContext.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.pqConn.ExecContext(ctx, query, args)
	}
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.(driver.StmtExecContext).ExecContext(ctx, args)
}
