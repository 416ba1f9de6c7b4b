package storage_test

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// mustCountStates counts the handoffs themselves, the way the scrape must
// not, for comparing with what it reports.
func mustCountStates(t *testing.T, db *storage.DB) map[domain.State]int64 {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT state, count(*) FROM handoffs GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[domain.State]int64{}
	for _, st := range domain.States {
		counts[st] = 0
	}
	for rows.Next() {
		var st domain.State
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		counts[st] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

// mustMatchStates checks that the scrape's counts are the handoffs'.
func mustMatchStates(t *testing.T, step string, db *storage.DB) {
	t.Helper()
	got, err := db.HandoffsByState(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if want := mustCountStates(t, db); !maps.Equal(got, want) {
		t.Errorf("%s: counts %v, want %v", step, got, want)
	}
}

func mustApply(t *testing.T, db *storage.DB, c domain.Change) {
	t.Helper()
	if _, err := db.ApplyChange(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// The counts by state follow every way handoffs are written: made, moved,
// reassigned, given a card, imported, re-imported with other states, and
// changed or removed by hand in psql.
func TestHandoffStateCountsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.New(t)
	mustMatchStates(t, "empty", db)
	a := mustCreate(t, db, newHandoff("Dana Scully", "dana@fbi.example"))
	b := mustCreate(t, db, newHandoff("Fox Mulder", "fox@fbi.example"))
	mustMatchStates(t, "created", db)
	mustApply(t, db, domain.Change{HandoffID: a.ID, Expected: domain.StatePending, Move: domain.MoveAccept, Actor: "U0REP", At: t0.Add(time.Hour)})
	mustApply(t, db, domain.Change{HandoffID: b.ID, Expected: domain.StatePending, Move: domain.MoveReject, Actor: "U0REP", Reason: "no_budget", At: t0.Add(time.Hour)})
	mustApply(t, db, domain.Change{HandoffID: a.ID, Expected: domain.StateAccepted, Actor: "U0MGR", NewAssignee: "U0REP2", At: t0.Add(2 * time.Hour)})
	if err := db.SetCard(ctx, a.ID, "C1", "1.2", "https://slack.example/1"); err != nil {
		t.Fatal(err)
	}
	mustMatchStates(t, "moved", db)
	hs := sample(80)
	if _, err := db.ImportHandoffs(ctx, hs, "UIMPORT", t0); err != nil {
		t.Fatal(err)
	}
	mustMatchStates(t, "imported", db)
	for i := range hs {
		if hs[i].State == domain.StateAccepted {
			hs[i].State, hs[i].RejectedAt, hs[i].AcceptedAt, hs[i].RejectReason = domain.StateRejected, hs[i].AcceptedAt, nil, "no_need"
		}
	}
	if _, err := db.ImportHandoffs(ctx, hs, "UIMPORT", t0); err != nil {
		t.Fatal(err)
	}
	mustMatchStates(t, "re-imported", db)
	for _, q := range []string{
		`UPDATE handoffs SET state = 'won', closed_at = now() WHERE state = 'qualified'`,
		`DELETE FROM handoff_events WHERE handoff_id IN (SELECT id FROM handoffs WHERE state = 'lost')`,
		`DELETE FROM outbox WHERE handoff_id IN (SELECT id FROM handoffs WHERE state = 'lost')`,
		`DELETE FROM handoffs WHERE state = 'lost'`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustMatchStates(t, "changed in psql", db)
}

// Two replicas writing and scraping at once report the same, right,
// numbers: each scrape folds what the writers appended, and folds that
// overlap neither lose nor double a change.
func TestReplicasAgreeOnStateCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storagetest.URL(t)
	replicas := []*storage.DB{mustOpen(t, url), mustOpen(t, url)}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for r, db := range replicas {
		wg.Go(func() {
			for i := range 40 {
				h := newHandoff("Lead", "")
				created, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: h})
				if err == nil && i%2 == 0 {
					_, err = db.ApplyChange(ctx, domain.Change{HandoffID: created.Handoff.ID, Expected: domain.StatePending,
						Move: domain.MoveAccept, Actor: "U0REP", At: t0.Add(time.Minute)})
				}
				if err != nil {
					errs <- err
				}
			}
		})
		wg.Go(func() {
			for range 40 {
				if _, err := replicas[1-r].HandoffsByState(ctx); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mustMatchStates(t, "replica 1", replicas[0])
	mustMatchStates(t, "replica 2", replicas[1])
}

// A scrape never reads the handoffs: a role that may not touch them (nor
// leads or events) still gets every count. So its cost does not grow with
// the history, a million handoffs or ten.
func TestScrapeNeverReadsHandoffs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storagetest.URL(t)
	owner := mustOpen(t, url)
	if _, err := owner.ImportHandoffs(ctx, sample(40), "UIMPORT", t0); err != nil {
		t.Fatal(err)
	}
	scraper := mustOpen(t, storagetest.Role(t, url, "", "handoffs", "leads", "handoff_events"))
	got, err := scraper.HandoffsByState(ctx)
	if err != nil {
		t.Fatalf("a role that cannot read handoffs cannot count them: %v", err)
	}
	if want := mustCountStates(t, owner); !maps.Equal(got, want) {
		t.Errorf("counts %v, want %v", got, want)
	}
}

// The jobs gauge counts what waits, runs or was given up on, and reads
// those jobs only: River keeps a day of completed jobs, most of its table,
// and a scrape does not scan them.
func TestJobCountsReadOnlyUnfinishedJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.New(t)
	for _, q := range []string{
		`INSERT INTO river_job (state, finalized_at, args, kind) SELECT 'completed', now(), '{}', 'deliver' FROM generate_series(1, 20000)`,
		`INSERT INTO river_job (state, args, kind) VALUES ('available', '{}', 'deliver'), ('available', '{}', 'deliver'), ('retryable', '{}', 'sla')`,
		`INSERT INTO river_job (state, finalized_at, args, kind) VALUES ('discarded', now(), '{}', 'deliver')`,
		`ANALYZE river_job`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	jobs, err := db.JobsByKindAndState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.JobCount{{Kind: "deliver", State: "available", N: 2}, {Kind: "deliver", State: "discarded", N: 1}, {Kind: "sla", State: "retryable", N: 1}}
	if len(jobs) != len(want) {
		t.Fatalf("jobs %+v, want %+v", jobs, want)
	}
	for i := range want {
		if jobs[i] != want[i] {
			t.Errorf("jobs %+v, want %+v", jobs, want)
		}
	}
	if seq := seqScans(t, db, "river_job", storage.JobCountsQuery); seq != 0 {
		t.Errorf("counting jobs scanned river_job sequentially %d times", seq)
	}
}

// seqScans runs query in a transaction and says how many sequential scans
// of table it made (Postgres's statistics of the transaction so far).
func seqScans(t *testing.T, db *storage.DB, table, query string) int64 {
	t.Helper()
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT pg_stat_get_xact_numscans($1::regclass)`, table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
