package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/lib/pq"
)

// Role creates a login role that is not a superuser, so that connection
// limits and missing privileges apply to it (a superuser ignores both), and
// returns dbURL connecting as that role. options are CREATE ROLE options
// such as "CONNECTION LIMIT 1"; the role may read and write every table
// and sequence of dbURL's database except those named in deny. The role is
// dropped when tb ends. dbURL must be a URL from this package.
func Role(tb testing.TB, dbURL, options string, deny ...string) string {
	tb.Helper()
	ctx := context.Background()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatalf("storagetest: role: %v", err)
	}
	name := fmt.Sprintf("handoffbot_role_%d_%d_%d", time.Now().Unix(), os.Getpid(), counter.Add(1))
	role := pq.QuoteIdentifier(name)
	if err := exec(ctx, `CREATE ROLE `+role+` LOGIN `+options); err != nil {
		tb.Fatalf("storagetest: create role: %v", err)
	}
	tb.Cleanup(func() {
		if err := dropRole(context.Background(), dbURL, role); err != nil {
			tb.Errorf("storagetest: %v", err)
		}
	})
	owner, err := sql.Open("postgres", dbURL)
	if err != nil {
		tb.Fatalf("storagetest: role: %v", err)
	}
	defer owner.Close()
	stmts := []string{
		`GRANT USAGE ON SCHEMA public TO ` + role,
		`GRANT ALL ON ALL TABLES IN SCHEMA public TO ` + role,
		`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ` + role,
	}
	for _, table := range deny {
		stmts = append(stmts, `REVOKE ALL ON `+pq.QuoteIdentifier(table)+` FROM `+role)
	}
	for _, s := range stmts {
		if _, err := owner.ExecContext(ctx, s); err != nil {
			tb.Fatalf("storagetest: role: %s: %v", s, err)
		}
	}
	u.User = url.User(name)
	return u.String()
}

// dropRole revokes what the role was granted in dbURL's database, which
// would otherwise keep it from being dropped, and drops it.
func dropRole(ctx context.Context, dbURL, role string) error {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DROP OWNED BY `+role); err != nil {
		return fmt.Errorf("drop what %s owns: %w", role, err)
	}
	if err := exec(ctx, `DROP ROLE `+role); err != nil {
		return fmt.Errorf("drop role %s: %w", role, err)
	}
	return nil
}
