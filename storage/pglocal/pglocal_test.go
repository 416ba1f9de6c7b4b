package pglocal

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
)

// The fallback path must work where no server runs (and as root, as CI runs).
func TestStartThrowawayCluster(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(ctx, s.DatabaseURL("postgres")); err != nil {
		t.Errorf("throwaway cluster does not answer: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if ping(ctx, s.URL) == nil {
		t.Error("cluster still answers after Stop")
	}
}

// Halt and Restart are a database outage on demand: while halted nothing
// answers, and after the restart the same URL works and committed data is
// still there (a crash loses only what was not committed).
func TestHaltAndRestartKeepCommittedData(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	db, err := sql.Open("postgres", s.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('committed')`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kept VALUES ('in flight')`); err != nil {
		t.Fatal(err)
	}

	if err := s.Halt(ctx); err != nil {
		t.Fatal(err)
	}
	if ping(ctx, s.URL) == nil {
		t.Fatal("halted server still answers")
	}
	if err := tx.Commit(); err == nil {
		t.Error("a transaction cut by the halt committed")
	}
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := db.QueryContext(ctx, `SELECT v FROM kept ORDER BY v`)
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	rows.Close()
	if len(got) != 1 || got[0] != "committed" {
		t.Errorf("rows after restart = %q, want only the committed one", got)
	}
}

// A shared server is never taken down by a test.
func TestHaltRefusesAServerItDidNotStart(t *testing.T) {
	s := &Server{URL: "postgres://localhost:5432/postgres?sslmode=disable", stop: noop}
	if err := s.Halt(context.Background()); !errors.Is(err, ErrNotOwned) {
		t.Errorf("Halt on a found server: %v, want ErrNotOwned", err)
	}
	if err := s.Restart(context.Background()); !errors.Is(err, ErrNotOwned) {
		t.Errorf("Restart on a found server: %v, want ErrNotOwned", err)
	}
}

// A TEST_DATABASE_URL or DATABASE_URL that does not parse is refused by
// name, without quoting the password in it.
func TestFindNeverQuotesTheURL(t *testing.T) {
	for _, dsn := range []string{"postgres://bot:PWSECRET@[::1:5432/x", "host=db password=PW SECRET"} {
		t.Setenv("TEST_DATABASE_URL", dsn)
		_, err := Find(context.Background())
		if err == nil || !strings.Contains(err.Error(), "TEST_DATABASE_URL") || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Find with %q: %v", dsn, err)
		}
	}
}
