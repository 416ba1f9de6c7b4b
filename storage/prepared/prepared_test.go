package prepared_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"

	"github.com/lib/pq"

	"github.com/handoffbot/handoffbot/storage/prepared"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// open gives one connection through the cache (perConn statements), so
// pg_prepared_statements shows what it keeps.
func open(t *testing.T, perConn int) (*sql.Conn, context.Context) {
	t.Helper()
	c, err := pq.NewConnector(storagetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(prepared.Connector(c, perConn))
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, ctx
}

func preparedCount(t *testing.T, ctx context.Context, conn *sql.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A query with arguments is prepared once per connection and reused;
// queries without arguments are not prepared.
func TestStatementsArePreparedOnceAndReused(t *testing.T) {
	conn, ctx := open(t, 10)
	for i := range 5 {
		var got int
		if err := conn.QueryRowContext(ctx, `SELECT $1::int + 1`, i).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("query %d: %d, %v", i, got, err)
		}
		if _, err := conn.ExecContext(ctx, `SELECT pg_sleep($1)`, 0); err != nil {
			t.Fatal(err)
		}
	}
	if n := preparedCount(t, ctx, conn); n != 2 {
		t.Errorf("%d statements prepared for 2 queries run 5 times each, want 2", n)
	}
}

// Beyond its bound the connection closes the least recently used
// statement, on the server too.
func TestLeastRecentlyUsedStatementIsClosed(t *testing.T) {
	conn, ctx := open(t, 2)
	run := func(q string) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q, 1); err != nil {
			t.Fatal(err)
		}
	}
	run(`SELECT $1::int AS a`)
	run(`SELECT $1::int AS b`)
	run(`SELECT $1::int AS a`) // a is now the most recently used
	run(`SELECT $1::int AS c`) // evicts b
	var stmts []string
	rows, err := conn.QueryContext(ctx, `SELECT statement FROM pg_prepared_statements ORDER BY statement`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, s)
	}
	if len(stmts) != 2 || stmts[0] != `SELECT $1::int AS a` || stmts[1] != `SELECT $1::int AS c` {
		t.Errorf("kept %q, want a and c", stmts)
	}
}

// A statement prepared in a transaction that is rolled back, or that
// failed, still works afterwards; arrays and NULLs pass as with lib/pq.
func TestStatementsSurviveRollbackAndErrors(t *testing.T) {
	conn, ctx := open(t, 10)
	if _, err := conn.ExecContext(ctx, `CREATE TABLE t (id int PRIMARY KEY, tags text[], note text)`); err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO t (id, tags, note) VALUES ($1, $2, $3)`
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, insert, 1, pq.Array([]string{"a"}), nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := conn.ExecContext(ctx, insert, 2, pq.Array([]string{"x", "y"}), nil); err != nil {
			var pqErr *pq.Error
			if !errors.As(err, &pqErr) || pqErr.Code != "23505" {
				t.Fatalf("insert: %v", err)
			}
		}
	}
	var tags []string
	var note sql.NullString
	if err := conn.QueryRowContext(ctx, `SELECT tags, note FROM t WHERE id = $1`, 2).Scan(pq.Array(&tags), &note); err != nil {
		t.Fatal(err)
	}
	if len(tags) != 2 || note.Valid {
		t.Errorf("read back %q, %v", tags, note)
	}
}
