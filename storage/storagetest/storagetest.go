// Package storagetest gives each test its own freshly migrated Postgres
// database in milliseconds: the migrations run once per test binary into a
// template database, and every test gets a CREATE DATABASE … TEMPLATE copy.
package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/pglocal"
)

const prefix = "handoffbot_test_"

var (
	setupOnce sync.Once
	server    *pglocal.Server
	template  string
	setupErr  error
	counter   atomic.Int64
)

// Main runs a package's tests and then drops its template and stops a
// throwaway server. Call it from TestMain: os.Exit(storagetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if server != nil {
		if template != "" {
			if err := dropDatabase(context.Background(), template); err != nil {
				fmt.Fprintln(os.Stderr, "storagetest:", err)
			}
		}
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "storagetest: stop postgres:", err)
		}
	}
	return code
}

// URL creates a fresh, migrated database for t, dropped when t ends, and
// returns its connection URL. It fails the test, saying how to get a
// Postgres, when none can be found or started; it never skips.
func URL(t testing.TB) string {
	t.Helper()
	return create(t, true)
}

// EmptyURL is like URL but the database has no schema, for testing migrations.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return create(t, false)
}

// MissingURL names a database that does not exist yet on the test server,
// for testing a first run; it is dropped when t ends if something created
// it.
func MissingURL(t testing.TB) string {
	t.Helper()
	setupOnce.Do(func() { setupErr = setup(context.Background()) })
	if setupErr != nil {
		t.Fatalf("storagetest: %v", setupErr)
	}
	name := fmt.Sprintf("%s%d_%d_%d", prefix, time.Now().Unix(), os.Getpid(), counter.Add(1))
	t.Cleanup(func() {
		if err := dropDatabase(context.Background(), name); err != nil {
			t.Errorf("storagetest: %v", err)
		}
	})
	return server.DatabaseURL(name)
}

func create(t testing.TB, fromTemplate bool) string {
	t.Helper()
	ctx := context.Background()
	setupOnce.Do(func() { setupErr = setup(ctx) })
	if setupErr != nil {
		t.Fatalf("storagetest: %v", setupErr)
	}
	name := fmt.Sprintf("%s%d_%d_%d", prefix, time.Now().Unix(), os.Getpid(), counter.Add(1))
	stmt := `CREATE DATABASE ` + pq.QuoteIdentifier(name)
	if fromTemplate {
		stmt += ` TEMPLATE ` + pq.QuoteIdentifier(template)
	}
	if err := exec(ctx, stmt); err != nil {
		t.Fatalf("storagetest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(context.Background(), name); err != nil {
			t.Errorf("storagetest: %v", err)
		}
	})
	return server.DatabaseURL(name)
}

// New is URL opened as a *storage.DB, closed when t ends.
func New(t testing.TB) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("storagetest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func setup(ctx context.Context) error {
	var err error
	if server, err = pglocal.Find(ctx); err != nil {
		return err
	}
	dropStale(ctx)
	template = fmt.Sprintf("%s%d_%d_template", prefix, time.Now().Unix(), os.Getpid())
	if err := exec(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(template)); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	db, err := storage.Open(ctx, server.DatabaseURL(template))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return nil
}

// dropStale removes test databases left by killed test runs more than an
// hour ago; the creation time is part of each name.
func dropStale(ctx context.Context) {
	db, err := sql.Open("postgres", server.URL)
	if err != nil {
		return
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE $1`, prefix+"%")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil && createdBefore(name, time.Now().Add(-time.Hour)) {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_ = dropDatabase(ctx, name)
	}
}

func createdBefore(name string, t time.Time) bool {
	unix, _, _ := strings.Cut(strings.TrimPrefix(name, prefix), "_")
	n, err := strconv.ParseInt(unix, 10, 64)
	return err == nil && time.Unix(n, 0).Before(t)
}

func dropDatabase(ctx context.Context, name string) error {
	if err := exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, pq.QuoteIdentifier(name))); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// exec runs a statement on the maintenance database with a short-lived pool,
// because CREATE/DROP DATABASE cannot run inside the test's own database.
func exec(ctx context.Context, stmt string) error {
	db, err := sql.Open("postgres", server.URL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}
