package hubspot_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakehubspot"
	"github.com/handoffbot/handoffbot/hubspot"
)

// retrying is the client as the poll job uses it: each search retried,
// waiting on the fake's clock.
func retrying(c *hubspot.Client, clock *fakehubspot.Clock, attempts uint) hubspot.Searcher {
	return hubspot.WithRetry(c, hubspot.RetryPolicy{Attempts: attempts, Timer: clock})
}

func TestEnteredStageFindsTwelveThousandOnceInOrder(t *testing.T) {
	t.Parallel() // the two largest accounts build in parallel
	s, clock := mustFake(t)
	const n = 12_000
	want := map[string]bool{}
	for i := range n { // newest first, so order is the search's doing
		id := mustMQL(t, s, "p"+itoa(i)+"@acme.example", t0.Add(time.Duration(n-i)*time.Second))
		want[id] = true
	}
	s.AddContact(fakehubspot.Props{"email": "not-an-mql@acme.example", "lifecyclestage": "lead"})
	clock.Advance(5 * time.Hour)

	got, err := hubspot.EnteredStage(context.Background(), retrying(mustClient(t, s, ""), clock, 10), mql,
		hubspot.Window{From: t0, To: clock.Now()}, hubspot.LeadProperties)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("found %d contacts, want %d", len(got), n)
	}
	var last time.Time
	for _, c := range got {
		if !want[c.ID] {
			t.Fatalf("contact %s found twice or not an MQL", c.ID)
		}
		delete(want, c.ID)
		at, ok := c.EnteredAt(mql)
		if !ok || at.Before(last) {
			t.Fatalf("contact %s entered at %v, after one at %v: not in order", c.ID, at, last)
		}
		last = at
	}
	for _, r := range s.Requests("contacts.search") {
		if r.Status == http.StatusBadRequest {
			t.Fatalf("a search paged past the 10,000 cap: %+v", r)
		}
	}
}

func TestEnteredStageWalksABulkImportAtOneInstant(t *testing.T) {
	t.Parallel() // the two largest accounts build in parallel
	s, clock := mustFake(t, fakehubspot.WithSearchRateLimit(0))
	const n = 10_050
	for i := range n {
		mustMQL(t, s, "b"+itoa(i)+"@acme.example", t0)
	}
	mustMQL(t, s, "before@acme.example", t0.Add(-time.Millisecond))
	mustMQL(t, s, "after@acme.example", t0.Add(time.Millisecond))
	clock.Advance(time.Hour)

	got, err := hubspot.EnteredStage(context.Background(), mustClient(t, s, ""), mql,
		hubspot.Window{From: t0.Add(-time.Hour), To: clock.Now()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range got {
		seen[c.ID] = true
	}
	if len(got) != n+2 || len(seen) != n+2 {
		t.Fatalf("found %d (%d distinct), want %d", len(got), len(seen), n+2)
	}
	if got[0].Properties["email"] != "" { // nil props: only the entry date and id are read
		t.Errorf("unrequested property read: %v", got[0].Properties)
	}
	if first, _ := got[0].EnteredAt(mql); !first.Equal(t0.Add(-time.Millisecond)) {
		t.Errorf("first entered at %v", first)
	}
}

// TestPollsOverlapTheIndexLag is the poll job's loop: each poll searches
// from DefaultOverlap before the previous one's end, so a contact the
// index shows late is found by the next poll, and one found twice has the
// same external id (the database's unique key then drops the repeat).
func TestPollsOverlapTheIndexLag(t *testing.T) {
	s, clock := mustFake(t, fakehubspot.WithIndexLag(20*time.Second))
	c := mustClient(t, s, "")
	handoffs := map[string]bool{}
	var last time.Time
	poll := func() (fresh int) {
		t.Helper()
		w := hubspot.PollWindow(last, clock.Now(), hubspot.DefaultOverlap)
		found, err := hubspot.EnteredStage(context.Background(), retrying(c, clock, 5), mql, w, hubspot.LeadProperties)
		if err != nil {
			t.Fatal(err)
		}
		for _, ct := range found {
			l, err := hubspot.NewLead(ct, mql, hubspot.Account{PortalID: s.PortalID()})
			if err != nil {
				t.Fatal(err)
			}
			if !handoffs[l.ExternalID] {
				handoffs[l.ExternalID], fresh = true, fresh+1
			}
		}
		last = w.To
		return fresh
	}

	poll() // the first poll starts the cursor
	clock.Advance(time.Minute)
	ada := mustMQL(t, s, "ada@acme.example", clock.Now())
	clock.Advance(5 * time.Second) // Ada entered, but the index has not caught up
	if n := poll(); n != 0 {
		t.Fatalf("poll saw %d handoffs before the index did", n)
	}
	clock.Advance(time.Minute)
	if n := poll(); n != 1 {
		t.Fatalf("the next poll found %d new handoffs, want Ada's", n)
	}
	clock.Advance(time.Minute)
	if n := poll(); n != 0 {
		t.Fatalf("a re-poll made %d handoffs, want none", n)
	}

	s.MoveToStage(ada, "lead", clock.Now()) // marketing recycles her …
	clock.Advance(time.Hour)
	s.MoveToStage(ada, mql, clock.Now()) // … and she qualifies again
	clock.Advance(time.Minute)
	if n := poll(); n != 1 {
		t.Fatalf("a second MQL made %d handoffs, want 1", n)
	}
}

func TestEnteredStageWaitsOutA429Storm(t *testing.T) {
	s, clock := mustFake(t)
	for i := range 450 {
		mustMQL(t, s, "p"+itoa(i)+"@acme.example", t0.Add(time.Duration(i)*time.Second))
	}
	clock.Advance(time.Hour)
	c := mustClient(t, s, "")
	w := hubspot.Window{From: t0, To: clock.Now()}

	s.RateLimitStorm("contacts.search", 6, 2*time.Second)
	_, err := hubspot.EnteredStage(context.Background(), c, mql, w, nil)
	if _, ok := errors.AsType[*hubspot.RateLimitError](err); !ok {
		t.Fatalf("without retries a 429 ends the scan with a RateLimitError, got %v", err)
	}

	s.RateLimitStorm("contacts.search", 12, 2*time.Second)
	before := clock.Now()
	got, err := hubspot.EnteredStage(context.Background(), retrying(c, clock, 20), mql, w, nil)
	if err != nil || len(got) != 450 {
		t.Fatalf("after the storm: %d contacts, %v", len(got), err)
	}
	if waited := clock.Now().Sub(before); waited < 12*2*time.Second {
		t.Errorf("waited %v on the fake's clock, want each Retry-After (24s) honoured", waited)
	}
}
