package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/routing"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

const cappedRules = `
pools:
  reps:
    members:
      - {person: UREP1, weight: 1, max_open: 5}
      - {person: UREP2, weight: 2, max_open: 5}
      - {person: UREP3, weight: 3, max_open: 5}
rules:
  - name: everything
    pool: reps
`

// routeBy is the routing glue the application uses, reduced to a rules
// file: match the lead, then decide inside the creating transaction.
func routeBy(t testing.TB, rules *routing.Rules, h domain.Handoff) *domain.Route {
	t.Helper()
	m, err := rules.Match(routing.Lead{Direction: string(h.Direction), Email: h.Lead.Email})
	if err != nil {
		t.Fatal(err)
	}
	people, err := m.Rule.People(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &domain.Route{Pools: m.Rule.Pools(), People: people, DayStart: h.CreatedAt.Truncate(24 * time.Hour),
		Decide: func(f domain.RouteFacts) (domain.Routed, error) {
			snap := routing.Snapshot{Now: h.CreatedAt, People: map[string]routing.Person{}, States: map[string]routing.State{}}
			for id, p := range f.People {
				snap.People[id] = routing.Person{Open: p.Open, Today: p.Today, Away: p.Away, AwayUntil: p.AwayUntil}
			}
			for pool, raw := range f.States {
				var st routing.State
				_ = json.Unmarshal(raw, &st)
				snap.States[pool] = st
			}
			out, err := routing.Decide(m, snap)
			if err != nil {
				return domain.Routed{}, err
			}
			if out.Decision.Assignee == "" {
				return domain.Routed{}, domain.Errorf(domain.EINVALID, "nobody can take it")
			}
			states := map[string]json.RawMessage{}
			for pool, st := range out.States {
				states[pool], _ = json.Marshal(st)
			}
			return domain.Routed{Assignee: out.Decision.Assignee, States: states, Detail: map[string]string{"pool": out.Decision.From}}, nil
		}}
}

// Two hundred handoffs to one capped pool at the same moment, from two
// processes: the pool's lock makes them take turns, so exactly the caps'
// worth (5 each) are created, nobody gets a sixth, and every other create
// is refused and leaves nothing behind.
func TestCapsHoldUnderSimultaneousCreates(t *testing.T) {
	ctx := context.Background()
	url := storagetest.URL(t)
	replicas := []*storage.DB{mustOpen(t, url), mustOpen(t, url)}
	rules, err := routing.Parse("rules.yaml", []byte(cappedRules))
	if err != nil {
		t.Fatal(err)
	}
	if err := replicas[0].EnsurePools(ctx, []string{"reps"}, t0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, refused := 0, 0
	for i := range 200 {
		db := replicas[i%2]
		wg.Go(func() {
			h := newHandoff(fmt.Sprintf("Lead %d", i), fmt.Sprintf("lead%d@acme.example", i))
			h.Assignee = ""
			_, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: h, Route: routeBy(t, rules, h)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created++
			case domain.ErrorCode(err) == domain.EINVALID:
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if created != 15 || refused != 185 {
		t.Errorf("%d created and %d refused, want 15 and 185", created, refused)
	}
	if err := replicas[0].SQL().QueryRowContext(ctx, `SELECT count(*) FROM handoffs`).Scan(&created); err != nil || created != 15 {
		t.Errorf("%d handoffs in the database (%v)", created, err)
	}
	owners := map[string]int{}
	rows, err := replicas[0].SQL().QueryContext(ctx, `SELECT assignee, count(*) FROM handoffs GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var who string
		var n int
		if err := rows.Scan(&who, &n); err != nil {
			t.Fatal(err)
		}
		owners[who] = n
		if n > 5 {
			t.Errorf("%s owns %d open handoffs, over the cap of 5", who, n)
		}
	}
	if len(owners) != 3 {
		t.Errorf("owners %v, want all three reps at their cap", owners)
	}
}

// A create that is refused (the lead has an open handoff) or fails (the
// routing finds nobody) leaves the pool's rotation where it was: only a
// handoff that exists moves it.
func TestRefusedCreatesLeaveTheRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.New(t)
	rules, err := routing.Parse("rules.yaml", []byte(cappedRules))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EnsurePools(ctx, []string{"reps"}, t0); err != nil {
		t.Fatal(err)
	}
	rotation := func() string {
		t.Helper()
		var st string
		if err := db.SQL().QueryRowContext(ctx, `SELECT state::text FROM routing_states WHERE pool = 'reps'`).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	first := newHandoff("Dana Scully", "dana@fbi.example")
	first.Assignee = ""
	if _, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: first, Route: routeBy(t, rules, first)}); err != nil {
		t.Fatal(err)
	}
	after := rotation()
	dup := newHandoff("Dana S.", "DANA@fbi.example")
	dup.Assignee = ""
	if _, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: dup, Route: routeBy(t, rules, dup)}); !isDuplicate(err) {
		t.Fatalf("duplicate: %v", err)
	}
	if got := rotation(); got != after {
		t.Errorf("a refused duplicate moved the rotation:\n%s\nto\n%s", after, got)
	}
	nobody := newHandoff("Fox Mulder", "fox@fbi.example")
	nobody.Assignee = ""
	route := routeBy(t, rules, nobody)
	route.Decide = func(domain.RouteFacts) (domain.Routed, error) {
		return domain.Routed{}, domain.Errorf(domain.EINVALID, "nobody can take it")
	}
	if _, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: nobody, Route: route}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("nobody to route to: %v", err)
	}
	if got := rotation(); got != after {
		t.Errorf("a create that failed moved the rotation:\n%s\nto\n%s", after, got)
	}
}

func isDuplicate(err error) bool {
	_, ok := errors.AsType[*domain.DuplicateError](err)
	return ok
}
