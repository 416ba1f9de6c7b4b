package storage_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func mustOpen(t *testing.T, url string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateConcurrentlyAppliesEachMigrationOnce(t *testing.T) {
	url := storagetest.EmptyURL(t)
	ctx := context.Background()
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		db := mustOpen(t, url)
		wg.Go(func() { errs[i] = db.Migrate(ctx, quiet) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	status, err := mustOpen(t, url).MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range status {
		if m.AppliedAt == nil {
			t.Errorf("migration %d not applied", m.Version)
		}
	}
	var rows int
	db := mustOpen(t, url)
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(status) {
		t.Errorf("schema_migrations has %d rows, want %d", rows, len(status))
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, storagetest.URL(t))
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')`); err != nil {
		t.Fatal(err)
	}
	err := db.Migrate(ctx, quiet)
	if err == nil || !strings.Contains(err.Error(), "newer than this binary") {
		t.Fatalf("Migrate on a newer schema = %v, want a refusal", err)
	}
}

func TestMigrationStatusOnEmptyDatabaseListsAllPending(t *testing.T) {
	status, err := mustOpen(t, storagetest.EmptyURL(t)).MigrationStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(status) == 0 {
		t.Fatal("no migrations embedded")
	}
	for _, m := range status {
		if m.AppliedAt != nil {
			t.Errorf("migration %d reported applied on an empty database", m.Version)
		}
	}
}

func TestClaimKeyOnce(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	first, err := db.ClaimKey(ctx, "event:Ev1")
	if err != nil || !first {
		t.Fatalf("first claim = %v, %v; want true", first, err)
	}
	again, err := db.ClaimKey(ctx, "event:Ev1")
	if err != nil || again {
		t.Fatalf("second claim = %v, %v; want false", again, err)
	}
	if err := db.ReleaseKey(ctx, "event:Ev1"); err != nil {
		t.Fatal(err)
	}
	retry, err := db.ClaimKey(ctx, "event:Ev1")
	if err != nil || !retry {
		t.Fatalf("claim after release = %v, %v; want true", retry, err)
	}
}
