package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/lib/pq"
)

// MissingDatabaseError says the server answered but the database named in
// the connection URL does not exist: the usual first run.
type MissingDatabaseError struct {
	Name string
}

func (e *MissingDatabaseError) Error() string {
	return fmt.Sprintf("database %q does not exist: create it with `createdb %s`, or point DATABASE_URL at one that does", e.Name, e.Name)
}

// missingDatabase recognises Postgres' "database does not exist" (3D000).
func missingDatabase(err error, dsn string) error {
	if pqErr, ok := errors.AsType[*pq.Error](err); !ok || pqErr.Code != "3D000" {
		return err
	}
	name := "handoff"
	if u, perr := url.Parse(dsn); perr == nil && strings.TrimPrefix(u.Path, "/") != "" {
		name = strings.TrimPrefix(u.Path, "/")
	}
	return &MissingDatabaseError{Name: name}
}

// CreateDatabase creates the database a postgres:// URL names, connecting
// to the server's maintenance database with the same credentials. It works
// when the user may create databases; the error says so when not.
func CreateDatabase(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("create database: DATABASE_URL is not a postgres:// URL")
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin, err := sql.Open("postgres", u.String())
	if err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}
