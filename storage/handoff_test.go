package storage_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func newHandoff(name, email string) domain.Handoff {
	return domain.Handoff{
		Lead:      domain.Lead{Name: name, Company: "FBI", Email: email},
		Direction: domain.ToSales, State: domain.StatePending, Priority: domain.Hot,
		CreatedBy: "U0MKT", Assignee: "U0REP", CreatedAt: t0,
		AcceptDueAt: t0.Add(4 * time.Hour), FirstTouchDueAt: t0.Add(24 * time.Hour),
	}
}

func mustCreate(t *testing.T, db *storage.DB, h domain.Handoff) domain.Handoff {
	t.Helper()
	created, err := db.CreateHandoff(context.Background(), domain.NewHandoff{Handoff: h})
	if err != nil {
		t.Fatal(err)
	}
	return created.Handoff
}

func TestCreateHandoffRecordsEventAndExternalID(t *testing.T) {
	db := storagetest.New(t)
	h := mustCreate(t, db, newHandoff("Dana Scully", "dana@fbi.example"))
	if h.ID == 0 || h.ExternalID != "hb-"+strconv.FormatInt(h.ID, 10) || h.State != domain.StatePending || !h.CreatedAt.Equal(t0) {
		t.Errorf("created %+v", h)
	}
	evs, err := db.HandoffEvents(context.Background(), h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != "created" || evs[0].Actor != "U0MKT" || evs[0].To != domain.StatePending {
		t.Errorf("events %+v", evs)
	}
}

func TestCreateHandoffRefusesOpenDuplicateByNormalisedEmail(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	first := mustCreate(t, db, newHandoff("Jane Doe", "Jane.Doe@Acme.example"))
	_, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: newHandoff("Jane D.", "jane.doe+x@acme.example")})
	var dup *domain.DuplicateError
	if !errors.As(err, &dup) || dup.Open.ID != first.ID {
		t.Fatalf("duplicate create = %v, want domain.DuplicateError naming %d", err, first.ID)
	}
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("code %q", domain.ErrorCode(err))
	}
	second, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: newHandoff("Jane D.", "jane.doe+x@acme.example"), AllowDuplicate: true})
	if err != nil || second.Handoff.ID == first.ID {
		t.Fatalf("forced duplicate = %+v, %v", second, err)
	}
}

func TestClosedHandoffIsNotADuplicate(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	h := mustCreate(t, db, newHandoff("Jane Doe", "jane@acme.example"))
	if _, err := db.ApplyChange(ctx, domain.Change{HandoffID: h.ID, Expected: domain.StatePending, Move: domain.MoveReject,
		Actor: "U0REP", Reason: "no_budget", At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, db, newHandoff("Jane Doe", "jane@acme.example"))
}

func TestConcurrentDuplicateCreatesMakeOne(t *testing.T) {
	db := storagetest.New(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range 10 {
		wg.Go(func() {
			_, err := db.CreateHandoff(context.Background(), domain.NewHandoff{Handoff: newHandoff("Jane", "jane@acme.example")})
			if err == nil {
				mu.Lock()
				created++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if created != 1 {
		t.Fatalf("%d handoffs created for one lead at once, want 1", created)
	}
}

func TestMovesFollowTheLifecycle(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	h := mustCreate(t, db, newHandoff("Dana Scully", "dana@fbi.example"))
	steps := []struct {
		from domain.State
		move domain.Move
		to   domain.State
	}{
		{domain.StatePending, domain.MoveAccept, domain.StateAccepted},
		{domain.StateAccepted, domain.MoveTouch, domain.StateContacted},
		{domain.StateContacted, domain.MoveQualify, domain.StateQualified},
		{domain.StateQualified, domain.MoveWin, domain.StateWon},
	}
	for i, s := range steps {
		at := t0.Add(time.Duration(i+1) * time.Hour)
		after, err := db.ApplyChange(ctx, domain.Change{HandoffID: h.ID, Expected: s.from, Move: s.move, Actor: "U0REP", At: at})
		if err != nil {
			t.Fatalf("%s: %v", s.move, err)
		}
		if after.State != s.to {
			t.Fatalf("%s: state %s, want %s", s.move, after.State, s.to)
		}
	}
	final, err := db.Handoff(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if final.AcceptedAt == nil || final.FirstTouchAt == nil || final.QualifiedAt == nil || final.ClosedAt == nil ||
		!final.ClosedAt.Equal(t0.Add(4*time.Hour)) {
		t.Errorf("timestamps not set: %+v", final)
	}
	evs, _ := db.HandoffEvents(ctx, h.ID)
	kinds := ""
	for _, e := range evs {
		kinds += e.Kind + " "
	}
	if kinds != "created accepted contacted qualified won " {
		t.Errorf("events: %s", kinds)
	}
}

func TestIllegalMoveIsInvalid(t *testing.T) {
	db := storagetest.New(t)
	h := mustCreate(t, db, newHandoff("Dana", ""))
	_, err := db.ApplyChange(context.Background(), domain.Change{HandoffID: h.ID, Expected: domain.StatePending, Move: domain.MoveWin, Actor: "U0REP", At: t0})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("win from pending = %v, want invalid", err)
	}
}

func TestConcurrentAcceptsOnlyOneWins(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	for round := range 50 {
		h := mustCreate(t, db, newHandoff("Lead", ""))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, who := range []string{"U0REP", "U0REP2"} {
			wg.Go(func() {
				_, errs[i] = db.ApplyChange(ctx, domain.Change{HandoffID: h.ID, Expected: domain.StatePending,
					Move: domain.MoveAccept, Actor: who, NewAssignee: who, At: t0})
			})
		}
		wg.Wait()
		var stale *domain.StaleError
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.As(err, &stale):
				if stale.Current.State != domain.StateAccepted {
					t.Errorf("round %d: stale error shows %s", round, stale.Current.State)
				}
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		evs, _ := db.HandoffEvents(ctx, h.ID)
		if ok != 1 || len(evs) != 2 {
			t.Fatalf("round %d: %d accepts succeeded, %d events; want 1 and 2", round, ok, len(evs))
		}
	}
}

func TestReassignRecordsBothOwners(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	h := mustCreate(t, db, newHandoff("Dana", ""))
	after, err := db.ApplyChange(ctx, domain.Change{HandoffID: h.ID, Expected: domain.StatePending, Actor: "U0MGR", NewAssignee: "U0REP2", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if after.Assignee != "U0REP2" || after.State != domain.StatePending {
		t.Errorf("after reassign: %+v", after)
	}
	evs, _ := db.HandoffEvents(ctx, h.ID)
	last := evs[len(evs)-1]
	if last.Kind != "reassigned" || last.Detail["from"] != "U0REP" || last.Detail["to"] != "U0REP2" {
		t.Errorf("event %+v", last)
	}
}

func TestOutboxKeepsOrderPerChannel(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	if err := db.Enqueue(ctx,
		domain.Message{Channel: "C1", Text: "first", Purpose: "test"},
		domain.Message{Channel: "U1", Text: "dm", Purpose: "test"},
		domain.Message{Channel: "C1", Text: "second", Purpose: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first", "second"} {
		m, err := db.NextOutgoing(ctx, "C1")
		if err != nil {
			t.Fatal(err)
		}
		if m.Text != want {
			t.Fatalf("next = %q, want %q", m.Text, want)
		}
		if err := db.MarkSent(ctx, m.ID, "1.1", t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.NextOutgoing(ctx, "C1"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("empty outbox: %v", err)
	}
	chs, err := db.ChannelsWithOutgoing(ctx)
	if err != nil || len(chs) != 1 || chs[0] != "U1" {
		t.Fatalf("channels with outgoing = %v, %v", chs, err)
	}
}

func TestLockChannelIsExclusive(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	unlock, ok, err := db.LockChannel(ctx, "C1")
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if _, ok2, err := db.LockChannel(ctx, "C1"); err != nil || ok2 {
		t.Fatalf("second lock while held = %v, %v", ok2, err)
	}
	unlock()
	unlock2, ok3, err := db.LockChannel(ctx, "C1")
	if err != nil || !ok3 {
		t.Fatalf("lock after unlock: %v %v", ok3, err)
	}
	unlock2()
}
