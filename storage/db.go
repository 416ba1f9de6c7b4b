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
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
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

// Open connects to dsn and checks the connection. The pool is the budget
// (MaxConns) less the connections held outside it (ListenConns); River
// shares it, since it works through our *sql.DB. Idle connections are kept
// up to the pool's size, since each keeps its prepared statements: closing
// one under a burst to open another later would prepare them all again.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	o := options{maxConns: DefaultMaxConns}
	for _, opt := range opts {
		opt(&o)
	}
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", withoutDSN(err))
	}
	// Statements stay prepared on each connection: one round trip per
	// query instead of two, planned once (see package prepared).
	db := sqlx.NewDb(sql.OpenDB(prepared.Connector(connector, stmtsPerConn)), "postgres")
	pool := max(o.maxConns-ListenConns, 1)
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(pool)
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

// withoutDSN words a connection string that does not parse without quoting
// it: net/url's errors quote the whole URL, and lib/pq's quote the text
// next to the mistake; either may be the password.
func withoutDSN(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("DATABASE_URL is not a valid URL: %w", ue.Err)
	}
	if strings.HasPrefix(err.Error(), `missing "=" after`) {
		return errors.New("DATABASE_URL is neither a postgres:// URL nor key=value settings (quote a value with spaces in it: password='a b')")
	}
	return err
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
// the original error in the chain for logs. Whatever says the database
// could not do the work now (refused, overloaded, going down) is EUNAVAIL:
// nothing was saved, and the same request may work in a moment.
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
		if meaning := postgresError(pqErr); meaning != nil {
			return errors.Join(meaning, err)
		}
		return err
	}
	if _, ok := errors.AsType[net.Error](err); ok || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		return errors.Join(unavailable(), err)
	}
	return err
}

// postgresError is what a Postgres error means to the person who asked;
// nil leaves it an internal error.
func postgresError(e *pq.Error) error {
	switch e.Code.Class() {
	case pqerror.ClassIntegrityConstraintViolation:
		if e.Code == pqerror.UniqueViolation {
			return domain.Errorf(domain.ECONFLICT, "That already exists.")
		}
		return domain.Errorf(domain.EINVALID, "That value is not allowed.")
	case pqerror.ClassDataException: // a value Postgres cannot store (a NUL, out of range)
		return domain.Errorf(domain.EINVALID, "That value cannot be saved.")
	case pqerror.ClassInsufficientResources: // too many connections, out of memory or disk
		return busy()
	case pqerror.ClassOperatorIntervention:
		if e.Code == pqerror.QueryCanceled { // e.g. by statement_timeout
			return busy()
		}
		return unavailable() // 57P01 shut down, 57P02 crashed, 57P03 starting up…
	case pqerror.ClassConnectionException:
		return unavailable()
	}
	return nil
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

func busy() *domain.Error {
	return domain.Errorf(domain.EUNAVAIL, "The database is busy right now.")
}
