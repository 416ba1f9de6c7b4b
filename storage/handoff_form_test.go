package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// A form makes one handoff: ten creations from the same view at once (a
// button clicked over and over, a replayed view) save one handoff, and
// the others are told which, with nothing saved. A creation that failed
// (the lead's open handoff) leaves the form free, and another form is not
// held up by this one.
func TestAFormMakesOneHandoff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.New(t)
	open := mustCreate(t, db, newHandoff("Jane Doe", "jane@acme.example"))
	_, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: newHandoff("Jane D.", "jane@acme.example"), FormID: "V1"})
	if _, ok := errors.AsType[*domain.DuplicateError](err); !ok {
		t.Fatalf("a duplicate: %v", err)
	}
	var wg sync.WaitGroup
	results := make([]error, 10)
	made := make([]domain.Handoff, 10)
	for i := range results {
		wg.Go(func() {
			var c domain.Created
			c, results[i] = db.CreateHandoff(ctx, domain.NewHandoff{Handoff: newHandoff("Jane D.", "jane@acme.example"), AllowDuplicate: true, FormID: "V1"})
			made[i] = c.Handoff
		})
	}
	wg.Wait()
	var first domain.Handoff
	for i, err := range results {
		if err == nil {
			if first.ID != 0 {
				t.Fatalf("two handoffs from one form: %d and %d", first.ID, made[i].ID)
			}
			first = made[i]
		}
	}
	if first.ID == 0 || first.ID == open.ID {
		t.Fatalf("no handoff from the form: %v", results)
	}
	for _, err := range results {
		if used, ok := errors.AsType[*domain.FormUsedError](err); err != nil && (!ok || used.First.ID != first.ID || domain.ErrorCode(err) != domain.ECONFLICT) {
			t.Errorf("a second creation from the form: %v", err)
		}
	}
	if got, err := db.FormHandoff(ctx, "V1"); err != nil || got.ID != first.ID {
		t.Errorf("FormHandoff(V1) = %d, %v; want %d", got.ID, err, first.ID)
	}
	if _, err := db.FormHandoff(ctx, "V2"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("FormHandoff of a form that made none: %v", err)
	}
	if _, err := db.CreateHandoff(ctx, domain.NewHandoff{Handoff: newHandoff("Other", ""), FormID: "V2"}); err != nil {
		t.Errorf("another form: %v", err)
	}
}
