package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/routing"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// weightedRules route every lead through one weighted pool without caps.
const weightedRules = `
pools:
  reps:
    members:
      - {person: UREP1, weight: 1}
      - {person: UREP2, weight: 2}
      - {person: UREP3, weight: 3}
rules:
  - name: everything
    pool: reps
`

// maxCreateRoundTrips is what creating a handoff may cost on the wire:
// BEGIN, the check (the pools' lock with it), the write, the jobs,
// River's notice that there are new jobs (at most every 100 ms per
// process), COMMIT.
const maxCreateRoundTrips = 6

// fullCreate is a handoff as the form makes it, with everything a create
// can carry: routing by a rule, a card and a DM, four SLA timers, and an
// outbound event for two sinks.
func fullCreate(t testing.TB, rules *routing.Rules, i int) domain.NewHandoff {
	h := newHandoff(fmt.Sprintf("Lead %d", i), fmt.Sprintf("lead%d@acme.example", i))
	h.Assignee = ""
	return domain.NewHandoff{Handoff: h, Route: routeBy(t, rules, h), RequestHash: "h", FormID: fmt.Sprintf("V%d", i),
		Owed: func(h domain.Handoff) domain.Owed {
			return domain.Owed{
				Messages: []domain.Message{
					{Channel: "CHANDOFF", Card: true, HandoffID: h.ID, Purpose: "card"},
					{Channel: h.Assignee, Text: "yours", CardLink: h.ID, HandoffID: h.ID, Purpose: "dm_assigned"},
				},
				Timers: []domain.Timer{
					{Clock: domain.ClockAccept, Stage: domain.StageRemind, At: h.CreatedAt.Add(2 * time.Hour)},
					{Clock: domain.ClockAccept, Stage: domain.StageBreach, At: h.AcceptDueAt},
					{Clock: domain.ClockFirstTouch, Stage: domain.StageRemind, At: h.CreatedAt.Add(12 * time.Hour)},
					{Clock: domain.ClockFirstTouch, Stage: domain.StageBreach, At: h.FirstTouchDueAt},
				},
			}
		}}
}

// wireDB is a database reached through a proxy that counts round trips,
// with a routing pool ready and two outbound sinks.
func wireDB(t testing.TB) (*storage.DB, *storagetest.Wire, *routing.Rules) {
	ctx := context.Background()
	url, wire := storagetest.WireProxy(t, storagetest.URL(t))
	db, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetSinks([]string{"https://crm.example/hook", "hubspot"})
	rules, err := routing.Parse("rules.yaml", []byte(weightedRules))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EnsurePools(ctx, []string{"reps"}, t0); err != nil {
		t.Fatal(err)
	}
	return db, wire, rules
}

// Creating a handoff with all it owes takes at most six round trips to
// Postgres, counted on the wire (once the connection has its statements
// prepared, as it has in a running bot).
func TestCreatingAHandoffTakesAtMostSixRoundTrips(t *testing.T) {
	t.Parallel()
	db, wire, rules := wireDB(t)
	ctx := context.Background()
	if _, err := db.CreateHandoff(ctx, fullCreate(t, rules, 0)); err != nil {
		t.Fatal(err)
	}
	jobsBefore := countJobs(t, db)
	wire.Reset()
	created, err := db.CreateHandoff(ctx, fullCreate(t, rules, 1))
	if err != nil {
		t.Fatal(err)
	}
	if n := wire.RoundTrips.Load(); n > maxCreateRoundTrips {
		t.Errorf("creating a handoff took %d round trips (%d statements), want at most %d", n, wire.Statements.Load(), maxCreateRoundTrips)
	}
	var deliveries, outbox int
	if err := db.SQL().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM event_deliveries d JOIN outbound_events e ON e.id = d.event WHERE e.handoff_id = $1),
		(SELECT count(*) FROM outbox WHERE handoff_id = $1)`, created.Handoff.ID).Scan(&deliveries, &outbox); err != nil {
		t.Fatal(err)
	}
	// Four SLA timers, one events job per sink, and a delivery job for a
	// channel with none waiting (the new owner's DMs, unless the first
	// create went to the same owner).
	if jobs := countJobs(t, db) - jobsBefore; deliveries != 2 || outbox != 2 || jobs < 6 || jobs > 7 {
		t.Errorf("the create wrote %d deliveries of its event, %d messages, %d jobs; want 2, 2, 6 or 7", deliveries, outbox, jobs)
	}
}

func countJobs(t testing.TB, db *storage.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM river_job`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkCreateHandoff creates handoffs with all they owe, one after
// another, and reports the round trips and statements each took on the
// wire. Run it with
//
//	go test ./storage/ -run '^$' -bench CreateHandoff
func BenchmarkCreateHandoff(b *testing.B) {
	db, wire, rules := wireDB(b)
	ctx := context.Background()
	if _, err := db.CreateHandoff(ctx, fullCreate(b, rules, -1)); err != nil {
		b.Fatal(err)
	}
	wire.Reset()
	i := 0
	for b.Loop() {
		if _, err := db.CreateHandoff(ctx, fullCreate(b, rules, i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(wire.RoundTrips.Load())/float64(i), "roundtrips/op")
	b.ReportMetric(float64(wire.Statements.Load())/float64(i), "statements/op")
}
