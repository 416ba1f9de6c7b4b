package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/storage"
)

// Large datasets for benchmarks. Seeding a million handoffs takes a minute or two,
// so a seeded database is kept on the Postgres server between runs as
// handoffbot_large_s<schema>_<seed names>: the first run of a
// benchmark builds it, later runs reuse it in milliseconds. A schema change
// changes the name (and drops the databases of older schemas); so does a
// change to a seed, whose Name carries a version. To rebuild by hand:
//
//	psql -c 'DROP DATABASE "handoffbot_large_s6-1a2b3c4d_handoffs1m.v1"'
const largePrefix = "handoffbot_large_"

// Seed fills a freshly migrated database with data. Name identifies it in
// the cached database's name: change it whenever Run changes.
type Seed struct {
	Name string
	Run  func(ctx context.Context, db *sql.DB) error
}

// LargeEnd is the moment the large handoff dataset ends ("now" for
// benchmarks over it): the data is fixed, so figures are comparable
// between runs.
var LargeEnd = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// LargeHandoffCount and LargeDays size the dataset of issue 7's and the
// digest's benchmarks: a million handoffs evenly over two years before
// LargeEnd (about 1,370 a day, 123,000 in 90 days), with about five
// million events.
const (
	LargeHandoffCount = 1_000_000
	LargeDays         = 730
)

// LargeHandoffs seeds LargeHandoffCount handoffs with their leads and
// events; see seedHandoffs for the shape of the data.
var LargeHandoffs = Seed{Name: "handoffs1m.v1", Run: func(ctx context.Context, db *sql.DB) error {
	return seedHandoffs(ctx, db, LargeHandoffCount, LargeDays, LargeEnd)
}}

// Large returns the URL of a cached database seeded with seeds, building
// it first if it does not exist (minutes; the benchmark's timer should be
// reset after). The database is shared by every run: use it read-only, or
// use LargeCopy.
func Large(tb testing.TB, seeds ...Seed) string {
	tb.Helper()
	ctx := context.Background()
	setupOnce.Do(func() { setupErr = setup(ctx) })
	if setupErr != nil {
		tb.Fatalf("storagetest: %v", setupErr)
	}
	name, err := largeName(seeds)
	if err != nil {
		tb.Fatalf("storagetest: %v", err)
	}
	if err := ensureLarge(ctx, tb, name, seeds); err != nil {
		tb.Fatalf("storagetest: large dataset %s: %v", name, err)
	}
	return server.DatabaseURL(name)
}

// LargeCopy is Large for a test that writes: a copy of the cached database
// (seconds for gigabytes), dropped when tb ends.
func LargeCopy(tb testing.TB, seeds ...Seed) string {
	tb.Helper()
	src := Large(tb, seeds...)
	name := fmt.Sprintf("%s%d_%d_%d", prefix, time.Now().Unix(), os.Getpid(), counter.Add(1))
	srcName, _ := largeName(seeds)
	if err := exec(context.Background(), `CREATE DATABASE `+pq.QuoteIdentifier(name)+` TEMPLATE `+pq.QuoteIdentifier(srcName)+` STRATEGY FILE_COPY`); err != nil {
		tb.Fatalf("storagetest: copy %s: %v", src, err)
	}
	tb.Cleanup(func() {
		if err := dropDatabase(context.Background(), name); err != nil {
			tb.Errorf("storagetest: %v", err)
		}
	})
	return server.DatabaseURL(name)
}

// schemaFingerprint hashes the template's catalogue: columns with their
// types and defaults, and index definitions.
func schemaFingerprint() (string, error) {
	db, err := sql.Open("postgres", server.DatabaseURL(template))
	if err != nil {
		return "", err
	}
	defer db.Close()
	var sum string
	err = db.QueryRow(`SELECT left(md5(
		(SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' || coalesce(column_default, ''), ','
			ORDER BY table_name, column_name) FROM information_schema.columns WHERE table_schema = 'public') ||
		(SELECT string_agg(indexdef, ',' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public')), 8)`).Scan(&sum)
	if err != nil {
		return "", fmt.Errorf("schema fingerprint: %w", err)
	}
	return sum, nil
}

var seedName = regexp.MustCompile(`^[a-z0-9.]+$`)

func largeName(seeds []Seed) (string, error) {
	ms, err := storage.Migrations()
	if err != nil {
		return "", err
	}
	// The schema part names the latest version and a fingerprint of the
	// migrated template's tables, columns and indexes, so any change to the
	// schema (even an edit of an old migration) makes a new dataset.
	fp, err := schemaFingerprint()
	if err != nil {
		return "", err
	}
	parts := []string{fmt.Sprintf("s%d-%s", ms[len(ms)-1].Version, fp)}
	for _, s := range seeds {
		if !seedName.MatchString(s.Name) {
			return "", fmt.Errorf("seed name %q: use lower-case letters, digits and dots", s.Name)
		}
		parts = append(parts, s.Name)
	}
	name := largePrefix + strings.Join(parts, "_")
	if len(name) > 63 {
		return "", fmt.Errorf("database name %s is longer than Postgres's 63 bytes", name)
	}
	return name, nil
}

// largeLock serialises builders across test binaries: the second waits and
// then finds the database built.
const largeLock = 7_361_230_007

func ensureLarge(ctx context.Context, tb testing.TB, name string, seeds []Seed) error {
	admin, err := sql.Open("postgres", server.URL)
	if err != nil {
		return err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, largeLock); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, largeLock)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	dropOtherSchemas(ctx, conn, name)
	tb.Logf("storagetest: building %s (once; later runs reuse it)", name)
	started := time.Now()
	building := name + "_building"
	if len(building) > 63 {
		building = building[:63]
	}
	_ = dropDatabase(ctx, building) // left by a killed run
	if err := exec(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(building)+` TEMPLATE `+pq.QuoteIdentifier(template)); err != nil {
		return err
	}
	if err := seedAll(ctx, server.DatabaseURL(building), seeds); err != nil {
		_ = dropDatabase(ctx, building)
		return err
	}
	// Renamed only when complete, so a half-built database is never reused.
	if err := exec(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(building)+` RENAME TO `+pq.QuoteIdentifier(name)); err != nil {
		return err
	}
	tb.Logf("storagetest: built %s in %s", name, time.Since(started).Round(time.Second))
	return nil
}

// dropOtherSchemas removes cached datasets of other schema versions: they
// take gigabytes and no binary of this version can use them.
func dropOtherSchemas(ctx context.Context, conn *sql.Conn, keep string) {
	schema, _, _ := strings.Cut(strings.TrimPrefix(keep, largePrefix), "_")
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE $1`, largePrefix+"%")
	if err != nil {
		return
	}
	var old []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil && !strings.HasPrefix(n, largePrefix+schema+"_") {
			old = append(old, n)
		}
	}
	rows.Close()
	for _, n := range old {
		_ = dropDatabase(ctx, n)
	}
}

func seedAll(ctx context.Context, url string, seeds []Seed) error {
	db, err := storage.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	// The template is migrated already; this only checks it.
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	for _, s := range seeds {
		if err := s.Run(ctx, db.SQL()); err != nil {
			return fmt.Errorf("seed %s: %w", s.Name, err)
		}
	}
	_, err = db.SQL().ExecContext(ctx, `VACUUM ANALYZE`)
	return err
}
