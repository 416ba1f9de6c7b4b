package storage_test

import (
	"context"
	"database/sql"
	"errors"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// mustBeUnavailable checks that err tells people the database could not
// do it now, in the words given, and keeps Postgres's own error (code,
// unless empty) for the log.
func mustBeUnavailable(t *testing.T, err error, code pqerror.Code, words string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != domain.EUNAVAIL {
		t.Fatalf("error %v: code %q, want %q", err, got, domain.EUNAVAIL)
	}
	if msg := domain.ErrorMessage(err); !strings.Contains(msg, words) {
		t.Errorf("message %q, want it to say %q", msg, words)
	}
	if pe, ok := errors.AsType[*pq.Error](err); code != "" && (!ok || pe.Code != code) {
		t.Errorf("error %v: want Postgres's %s in the chain", err, code)
	}
}

// When Postgres refuses another connection ("too many connections",
// 53300), a request is told the database is busy and nothing was saved,
// not that something went wrong. The role's CONNECTION LIMIT 1 stands for
// a server whose max_connections the replicas have used up.
func TestTooManyConnectionsIsBusy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mustOpen(t, storagetest.Role(t, storagetest.URL(t), "CONNECTION LIMIT 1"))
	held, err := db.SQL().Conn(ctx) // the one connection the role may have
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, err = db.CreateHandoff(ctx, domain.NewHandoff{Handoff: newHandoff("Dana Scully", "dana@fbi.example")})
	mustBeUnavailable(t, err, "53300", "busy")
}

// A server that ends the connection in the middle of a request (an
// administrator's pg_terminate_backend, as a shutdown does) has saved
// nothing: people are told it is not answering, not that something went
// wrong. The request is caught waiting to write a handoff while the test
// holds the table, so that it is surely in the middle of its transaction. (Postgres
// says 57P01, a FATAL error, which lib/pq reports as a bad connection.)
func TestAdminShutdownIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storagetest.URL(t)
	db := mustOpen(t, url)
	admin, err := mustOpen(t, url).SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	h := newHandoff("Dana Scully", "dana@fbi.example")
	if _, err := admin.ExecContext(ctx, `BEGIN; LOCK TABLE handoffs IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	created := make(chan error, 1)
	go func() {
		_, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: h})
		created <- err
	}()
	pid := mustAwaitLockWaiter(t, admin)
	var ended bool
	if err := admin.QueryRowContext(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate backend %d: %v, %v", pid, ended, err)
	}
	mustBeUnavailable(t, <-created, "", "not answering")
	var n int
	if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM handoffs`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d handoffs saved (%v), want none", n, err)
	}
}

// mustAwaitLockWaiter returns the backend that waits for a lock in conn's
// database.
func mustAwaitLockWaiter(t *testing.T, conn *sql.Conn) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var pid int
		err := conn.QueryRowContext(context.Background(), `SELECT pid FROM pg_locks
			WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&pid)
		switch {
		case err == nil:
			return pid
		case !errors.Is(err, sql.ErrNoRows):
			t.Fatal(err)
		case time.Now().After(deadline):
			t.Fatal("no request is waiting for a lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// DATABASE_MAX_CONNS is the process's whole budget: with every connection
// of it in use, one more request waits for one (here until its deadline)
// instead of opening another. River works through the same pool.
func TestMaxConnsIsTheProcessBudget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storagetest.URL(t)
	if got := mustOpen(t, url).SQL().Stats().MaxOpenConnections; got != storage.DefaultMaxConns-storage.ListenConns {
		t.Errorf("default pool %d, want %d", got, storage.DefaultMaxConns-storage.ListenConns)
	}
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", "budget") // to tell this pool's connections apart
	u.RawQuery = q.Encode()
	db := mustOpen(t, u.String(), storage.MaxConns(storage.MinMaxConns))
	pool := storage.MinMaxConns - storage.ListenConns // River's LISTEN connection is outside the pool
	var held []*sql.Conn
	for range pool {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := db.Handoff(waitCtx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a request beyond the budget: %v, want it to wait", err)
	}
	var backends int
	if err := held[0].QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'budget' AND datname = current_database()`).Scan(&backends); err != nil {
		t.Fatal(err)
	}
	if backends != pool {
		t.Errorf("%d connections to the database, want %d", backends, pool)
	}
}
