package storage_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handoffcsv"
	"github.com/handoffbot/handoffbot/handoffcsv/csvtest"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func sample(n int) []domain.Handoff {
	hs := csvtest.Sample(n, 1)
	for i := range hs {
		hs[i].AcceptDueAt = hs[i].CreatedAt.Add(4 * time.Hour)
		hs[i].FirstTouchDueAt = hs[i].CreatedAt.Add(24 * time.Hour)
	}
	return hs
}

func export(t testing.TB, db *storage.DB) []byte {
	t.Helper()
	var b bytes.Buffer
	w := handoffcsv.NewWriter(&b)
	if err := db.ExportHandoffs(context.Background(), time.Time{}, time.Now().Add(100*365*24*time.Hour), w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	hs := sample(300)
	res, err := db.ImportHandoffs(ctx, hs, "UIMPORT", t0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 300 {
		t.Fatalf("import result %+v", res)
	}
	first := export(t, db)
	read, _, err := handoffcsv.Read(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	other := storagetest.New(t)
	for i := range read {
		read[i].AcceptDueAt, read[i].FirstTouchDueAt = read[i].CreatedAt, read[i].CreatedAt
	}
	if _, err := other.ImportHandoffs(ctx, read, "UIMPORT", t0); err != nil {
		t.Fatal(err)
	}
	if second := export(t, other); !bytes.Equal(first, second) {
		t.Fatalf("export → import → export differs:\n%s\n---\n%s", first[:min(len(first), 2000)], second[:min(len(second), 2000)])
	}
}

func TestImportIsIdempotentByExternalID(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	hs := sample(50)
	if _, err := db.ImportHandoffs(ctx, hs, "UIMPORT", t0); err != nil {
		t.Fatal(err)
	}
	hs[3].Lead.Name = "Renamed Lead"
	res, err := db.ImportHandoffs(ctx, hs, "UIMPORT", t0)
	if err != nil {
		t.Fatal(err)
	}
	if res != (storage.ImportResult{Updated: 1, Unchanged: 49}) {
		t.Fatalf("re-import = %+v, want 1 updated, 49 unchanged", res)
	}
}

func TestImportRecordsTheImpliedEvents(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	at := func(h int) *time.Time { v := t0.Add(time.Duration(h) * time.Hour); return &v }
	h := newHandoff("Dana Scully", "dana@fbi.example")
	h.ExternalID, h.State = "crm-1", domain.StateLost
	h.AcceptedAt, h.FirstTouchAt, h.ClosedAt, h.CloseReason = at(1), at(2), at(3), "price"
	if _, err := db.ImportHandoffs(ctx, []domain.Handoff{h}, "UIMPORT", t0); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM handoffs WHERE external_id = 'crm-1'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	evs, err := db.HandoffEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, e := range evs {
		got += e.Kind + "@" + e.At.Sub(t0).String() + " "
	}
	if want := "created@0s accepted@1h0m0s contacted@2h0m0s lost@3h0m0s "; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
}

// BenchmarkImport10k is the import of a 10,000-row CSV file end to end:
// parse, validate, and save in one transaction (target: under 3 s).
func BenchmarkImport10k(b *testing.B) {
	var file bytes.Buffer
	w := handoffcsv.NewWriter(&file)
	for _, h := range sample(10_000) {
		if err := w.Write(h); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := storagetest.New(b)
		b.StartTimer()
		hs, _, err := handoffcsv.Read(bytes.NewReader(file.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		for i := range hs {
			hs[i].AcceptDueAt, hs[i].FirstTouchDueAt = hs[i].CreatedAt, hs[i].CreatedAt
		}
		if res, err := db.ImportHandoffs(ctx, hs, "UIMPORT", t0); err != nil || res.Created != 10_000 {
			b.Fatalf("import: %+v %v", res, err)
		}
	}
}
