package storage_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// mustOpen opens url with opts, closed when t ends.
func mustOpen(t *testing.T, url string, opts ...storage.Option) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), url, opts...)
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
		wg.Go(func() { _, errs[i] = db.Migrate(ctx) })
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
	_, err := db.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "newer than this binary") || !strings.Contains(err.Error(), "9999_future") {
		t.Fatalf("Migrate on a newer schema = %v, want a refusal naming 9999_future", err)
	}
}

// A migration missing from the record is applied even when later ones
// were: a gap (a branch merged late, a file added between two others) is
// filled, not skipped.
func TestMigrateFillsAGap(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, storagetest.URL(t))
	ms, err := storage.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m storage.Migration) bool { return m.File() == "0005_metrics.sql" })
	if i < 0 {
		t.Fatal("no 0005_metrics.sql")
	}
	gap := ms[i] // one table of its own, easy to drop and see back
	if _, err := db.SQL().ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = $1`, gap.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `DROP TABLE stats_requests`); err != nil {
		t.Fatal(err)
	}
	done, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Files) != 1 || done.Files[0] != gap.File() {
		t.Errorf("applied %v, want only %s", done.Files, gap.File())
	}
	if !strings.Contains(done.String(), gap.File()) {
		t.Errorf("summary %q does not name %s", done, gap.File())
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM stats_requests`).Scan(&n); err != nil {
		t.Errorf("the gap's table is not back: %v", err)
	}
}

// A migration file changed after it was applied stops the start-up with
// a message naming the file; a database migrated before checksums were
// kept gets them recorded instead.
func TestMigrateRefusesAChangedFile(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, storagetest.URL(t))
	if _, err := db.SQL().ExecContext(ctx, `UPDATE schema_migrations SET checksum = NULL`); err != nil {
		t.Fatal(err)
	}
	if done, err := db.Migrate(ctx); err != nil || done.Any() {
		t.Fatalf("migrating a database without checksums: %v, %v", done, err)
	}
	var missing int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE checksum IS NULL`).Scan(&missing); err != nil || missing != 0 {
		t.Fatalf("%d checksums not recorded (%v)", missing, err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`); err != nil {
		t.Fatal(err)
	}
	_, err := db.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "0001_handoffs.sql was changed after it was applied") {
		t.Fatalf("Migrate with a changed file = %v, want a refusal naming 0001_handoffs.sql", err)
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

// A claim is new once; while its handling runs a redelivery finds it
// busy, once finished done; a released claim is new again, and so is one
// left unfinished longer than staleClaim (its process died).
func TestClaimKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	claim := func(want domain.Claim) {
		t.Helper()
		if got, err := db.ClaimKey(ctx, "event:Ev1"); err != nil || got != want {
			t.Fatalf("claim = %v, %v; want %v", got, err, want)
		}
	}
	claim(domain.ClaimNew)
	claim(domain.ClaimBusy)
	if err := db.ReleaseKey(ctx, "event:Ev1"); err != nil {
		t.Fatal(err)
	}
	claim(domain.ClaimNew)
	if _, err := db.SQL().ExecContext(ctx, `UPDATE processed_keys SET received_at = now() - interval '1 minute'`); err != nil {
		t.Fatal(err)
	}
	claim(domain.ClaimNew) // stale: taken over
	if err := db.FinishKey(ctx, "event:Ev1"); err != nil {
		t.Fatal(err)
	}
	claim(domain.ClaimDone)
}
