package storage

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key every replica takes before touching
// the schema, so two processes starting together apply each migration once.
const migrationLock = 7_361_230_001

// Migration is one embedded schema step; Version orders them.
type Migration struct {
	Version   int
	Name      string
	AppliedAt *time.Time
	sql       string
}

// File is the migration's file name, as errors and `migrate status` show it.
func (m Migration) File() string { return fmt.Sprintf("%04d_%s.sql", m.Version, m.Name) }

// checksum identifies the migration's text, so a file changed after it was
// applied is noticed instead of silently disagreeing with the database.
func (m Migration) checksum() string {
	sum := sha256.Sum256([]byte(m.sql))
	return hex.EncodeToString(sum[:])
}

// Migrations lists the schema steps built into this binary, in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		m, err := readMigration(e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

func readMigration(file string) (Migration, error) {
	num, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil {
		return Migration{}, fmt.Errorf("migration %q: want NNNN_name.sql", file)
	}
	body, err := migrationFiles.ReadFile(path.Join("migrations", file))
	if err != nil {
		return Migration{}, fmt.Errorf("read migration %q: %w", file, err)
	}
	return Migration{Version: v, Name: name, sql: string(body)}, nil
}

// Migrated is what one Migrate applied: our migrations' files and the job
// queue's (River's) versions. Both are empty when the schema was current.
type Migrated struct {
	Files []string
	Jobs  []int
}

// Any reports whether anything was applied.
func (m Migrated) Any() bool { return len(m.Files)+len(m.Jobs) > 0 }

// String says in one line what was applied.
func (m Migrated) String() string {
	var parts []string
	if len(m.Files) > 0 {
		parts = append(parts, strings.Join(m.Files, ", "))
	}
	if len(m.Jobs) > 0 {
		parts = append(parts, fmt.Sprintf("job queue versions %d–%d", m.Jobs[0], m.Jobs[len(m.Jobs)-1]))
	}
	if len(parts) == 0 {
		return "nothing to apply"
	}
	return "applied " + strings.Join(parts, " and ")
}

// schemaTable records each applied migration with its checksum.
const schemaTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now());
ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text`

// Migrate applies every embedded migration not yet recorded, in order,
// each in its own transaction, holding an advisory lock for the whole run
// so replicas starting together apply each once. It refuses a database
// that recorded a migration this binary does not have (a newer schema:
// old code on it could lose data) or whose file changed since it was
// applied, naming the file.
func (s *DB) Migrate(ctx context.Context) (Migrated, error) {
	var done Migrated
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return done, mapError(fmt.Errorf("migrate: %w", err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return done, mapError(fmt.Errorf("migrate: take lock: %w", err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := conn.ExecContext(ctx, schemaTable); err != nil {
		return done, mapError(fmt.Errorf("migrate: create schema_migrations: %w", err))
	}
	ms, err := Migrations()
	if err != nil {
		return done, err
	}
	applied, err := appliedChecksums(ctx, conn, ms)
	if err != nil {
		return done, err
	}
	for _, m := range ms {
		if _, ok := applied[m.Version]; ok {
			continue
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return done, err
		}
		done.Files = append(done.Files, m.File())
	}
	done.Jobs, err = s.migrateJobs(ctx)
	return done, err
}

// appliedChecksums reads what the database recorded and checks it against
// the embedded files. A migration recorded before checksums were kept gets
// its file's checksum now.
func appliedChecksums(ctx context.Context, conn *sqlx.Conn, ms []Migration) (map[int]string, error) {
	var rows []struct {
		Version  int     `db:"version"`
		Name     string  `db:"name"`
		Checksum *string `db:"checksum"`
	}
	if err := conn.SelectContext(ctx, &rows, `SELECT version, name, checksum FROM schema_migrations ORDER BY version`); err != nil {
		return nil, mapError(fmt.Errorf("migrate: read applied migrations: %w", err))
	}
	byVersion := map[int]Migration{}
	for _, m := range ms {
		byVersion[m.Version] = m
	}
	applied := map[int]string{}
	for _, r := range rows {
		m, ok := byVersion[r.Version]
		switch {
		case !ok:
			return nil, fmt.Errorf("the database has migration %04d_%s, which this binary does not: its schema is newer than this binary's, so run a newer handoffbot", r.Version, r.Name)
		case r.Checksum == nil:
			if _, err := conn.ExecContext(ctx, `UPDATE schema_migrations SET checksum = $2 WHERE version = $1`, r.Version, m.checksum()); err != nil {
				return nil, mapError(fmt.Errorf("migrate: record checksum of %s: %w", m.File(), err))
			}
		case *r.Checksum != m.checksum():
			return nil, fmt.Errorf("migration %s was changed after it was applied to this database: restore the file as it was, and put the change in a new migration", m.File())
		}
		applied[r.Version] = m.checksum()
	}
	return applied, nil
}

// migrateJobs brings River's tables up to date, under our lock, and says
// which of its versions it applied. River's own log lines ("No migrations
// to apply") are left out: Migrate's caller reports in one line.
func (s *DB) migrateJobs(ctx context.Context) ([]int, error) {
	quiet := slog.New(slog.DiscardHandler)
	m, err := rivermigrate.New(riverdatabasesql.New(s.db.DB), &rivermigrate.Config{Logger: quiet})
	if err != nil {
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, mapError(fmt.Errorf("job queue migrations: %w", err))
	}
	var versions []int
	for _, v := range res.Versions {
		versions = append(versions, v.Version)
	}
	return versions, nil
}

func applyMigration(ctx context.Context, conn *sqlx.Conn, m Migration) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(fmt.Errorf("migration %s: begin: %w", m.File(), err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.File(), err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
		m.Version, m.Name, m.checksum()); err != nil {
		return mapError(fmt.Errorf("migration %s: record: %w", m.File(), err))
	}
	if err := tx.Commit(); err != nil {
		return mapError(fmt.Errorf("migration %s: commit: %w", m.File(), err))
	}
	return nil
}

// MigrationStatus lists every migration of this binary with when it was
// applied (nil if pending), for `handoffbot migrate status`.
func (s *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT to_regclass('schema_migrations') IS NOT NULL`); err != nil {
		return nil, mapError(fmt.Errorf("migration status: %w", err))
	}
	if !exists {
		return ms, nil
	}
	var applied []struct {
		Version   int       `db:"version"`
		AppliedAt time.Time `db:"applied_at"`
	}
	if err := s.db.SelectContext(ctx, &applied, `SELECT version, applied_at FROM schema_migrations`); err != nil {
		return nil, mapError(fmt.Errorf("migration status: %w", err))
	}
	for _, a := range applied {
		for i := range ms {
			if ms[i].Version == a.Version {
				ms[i].AppliedAt = &a.AppliedAt
			}
		}
	}
	return ms, nil
}
