// Package storage keeps handoffbot's state in Postgres: embedded migrations,
// one file per entity, plain SQL through sqlx. It is the only package with SQL
// in it, and it maps Postgres errors to the domain's error codes once, here.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage/prepared"
)

// DB is the Postgres store. It is safe for concurrent use.
type DB struct {
	db    *sqlx.DB
	jobs  *river.Client[*sql.Tx] // insert-only: enqueues inside our transactions
	sinks []string               // where outbound events go (SetSinks)
}

// stmtsPerConn bounds the statements each connection keeps prepared: the
// bot and River run about a hundred distinct queries.
const stmtsPerConn = 128

// Open connects to dsn and checks the connection. Pool sizes suit one bot
// process on a small machine: workers hold a connection only for a query,
// channel senders one each for their lock (at most 8, bot/senders.go).
// With 30 rather than 20, the load benchmark's waits for a connection at
// 200 envelopes/s fell from 900–3,400 a run to 45–840, and two replicas
// stay inside Postgres's default 100 connections. Idle connections are kept up to the pool's size, since each
// keeps its prepared statements: closing one under a burst to open another
// later would prepare them all again.
func Open(ctx context.Context, dsn string) (*DB, error) {
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// Statements stay prepared on each connection: one round trip per
	// query instead of two, planned once (see package prepared).
	db := sqlx.NewDb(sql.OpenDB(prepared.Connector(connector, stmtsPerConn)), "postgres")
	db.SetMaxOpenConns(30)
	db.SetMaxIdleConns(30)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", missingDatabase(err, dsn))
	}
	jobs, err := river.NewClient(riverdatabasesql.New(db.DB), &river.Config{})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("job client: %w", err)
	}
	return &DB{db: db, jobs: jobs}, nil
}

// Close releases the pool.
func (s *DB) Close() error {
	return s.db.Close()
}

// SQL exposes the pool for the job queue, which shares our transactions.
func (s *DB) SQL() *sql.DB {
	return s.db.DB
}

// Ping tells readiness probes whether the database answers.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return mapError(fmt.Errorf("ping database: %w", err))
	}
	return nil
}

// inTx runs fn in a transaction and commits it, checking the commit: a
// failed commit means nothing was saved.
func (s *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(fmt.Errorf("begin: %w", err))
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return mapError(err)
	}
	if err := tx.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// isUniqueViolation reports whether err is a unique violation of the
// constraint or index named constraint.
func isUniqueViolation(err error, constraint string) bool {
	pqErr, ok := errors.AsType[*pq.Error](err)
	return ok && pqErr.Code == "23505" && pqErr.Constraint == constraint
}

// mapError turns Postgres and network failures into domain codes, keeping
// the original error in the chain for logs.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*domain.Error](err); ok {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errors.Join(domain.Errorf(domain.ENOTFOUND, "Not found."), err)
	}
	if pqErr, ok := errors.AsType[*pq.Error](err); ok {
		switch pqErr.Code.Class() {
		case "23": // integrity constraint violation
			if pqErr.Code == "23505" {
				return errors.Join(domain.Errorf(domain.ECONFLICT, "That already exists."), err)
			}
			return errors.Join(domain.Errorf(domain.EINVALID, "That value is not allowed."), err)
		case "22": // data exception: a value Postgres cannot store (a NUL, out of range)
			return errors.Join(domain.Errorf(domain.EINVALID, "That value cannot be saved."), err)
		case "08", "57": // connection exception, operator intervention (shutdown)
			return errors.Join(unavailable(), err)
		}
		return err
	}
	if _, ok := errors.AsType[net.Error](err); ok || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		return errors.Join(unavailable(), err)
	}
	return err
}

func unavailable() *domain.Error {
	return domain.Errorf(domain.EUNAVAIL, "The database is not answering right now.")
}

// ListenPool is a pgx pool of one connection for River's LISTEN, so jobs
// inserted now (by this process or a replica) are worked now rather than at
// the next poll. River takes the connection for good: it counts in the
// process's connection budget as one.
func ListenPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("listener pool: %w", err)
	}
	cfg.MaxConns, cfg.MinConns = 1, 0
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("listener pool: %w", err)
	}
	return pool, nil
}
