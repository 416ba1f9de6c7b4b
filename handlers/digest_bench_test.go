package handlers

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// BenchmarkDigestWeek builds one week's team digest — every figure, the
// week before for the changes, top sources and campaigns, feedback, and
// what needs attention — over 1,000,000 handoffs with about 5,000,000
// events and 200,000 feedback items (target: under 300 ms). The first run
// seeds the data set (a minute or two) and keeps it for later runs:
//
//	go test -run '^$' -bench DigestWeek ./handlers/
//
// Measured on the 2-core development machine: see docs/stats-performance.md.
func BenchmarkDigestWeek(b *testing.B) {
	db, err := storage.Open(context.Background(), storagetest.Large(b, storagetest.LargeHandoffs, storagetest.LargeFeedback))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := storagetest.LargeEnd.Add(9 * time.Hour) // a Monday, 09:00
	app := New(Deps{Store: db, Digests: db, Feedback: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      func() time.Time { return now },
		Settings: Settings{Calendar: businesstime.New(businesstime.Hours{}, nil, time.UTC)}})
	week := app.LastWeek(now)
	ctx := context.Background()
	d, err := app.buildDigest(ctx, week, "")
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("digest of %s: %d sections", week, len(d.sections))
	b.ResetTimer()
	for b.Loop() {
		if _, err := app.buildDigest(ctx, week, ""); err != nil {
			b.Fatal(err)
		}
	}
}
