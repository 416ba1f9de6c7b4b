package storage

import (
	"context"
	"embed"
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

// Migrate applies pending migrations in order, each in its own transaction,
// holding an advisory lock for the whole run. It refuses a database whose
// schema is newer than this binary: running old code on it could lose data.
func (s *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return mapError(fmt.Errorf("migrate: %w", err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return mapError(fmt.Errorf("migrate: take lock: %w", err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return mapError(fmt.Errorf("migrate: create schema_migrations: %w", err))
	}
	ms, err := Migrations()
	if err != nil {
		return err
	}
	var current int
	if err := conn.GetContext(ctx, &current, `SELECT coalesce(max(version), 0) FROM schema_migrations`); err != nil {
		return mapError(fmt.Errorf("migrate: read version: %w", err))
	}
	if latest := ms[len(ms)-1].Version; current > latest {
		return fmt.Errorf("database schema is at version %d, newer than this binary's %d: run a newer handoffbot", current, latest)
	}
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return err
		}
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	return s.migrateJobs(ctx, log)
}

// migrateJobs brings River's tables up to date; it runs under our lock.
func (s *DB) migrateJobs(ctx context.Context, log *slog.Logger) error {
	m, err := rivermigrate.New(riverdatabasesql.New(s.db.DB), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return mapError(fmt.Errorf("job queue migrations: %w", err))
	}
	for _, v := range res.Versions {
		log.Info("job queue migration applied", "version", v.Version)
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sqlx.Conn, m Migration) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(fmt.Errorf("migration %d: begin: %w", m.Version, err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
		return mapError(fmt.Errorf("migration %d: record: %w", m.Version, err))
	}
	if err := tx.Commit(); err != nil {
		return mapError(fmt.Errorf("migration %d: commit: %w", m.Version, err))
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
