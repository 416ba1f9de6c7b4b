package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// benchFeedbackCount is the digest's scale (issue 6): 200,000 feedback
// items over two years, about 25,000 in a 90-day period.
const benchFeedbackCount = 200_000

// BenchmarkFeedbackMetrics times the loop metrics of a 90-day period and
// the digest's oldest open items, over benchFeedbackCount items:
//
//	go test -run '^$' -bench FeedbackMetrics ./storage/
func BenchmarkFeedbackMetrics(b *testing.B) {
	ctx := context.Background()
	db := storagetest.New(b)
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	// Every item a few minutes apart; four in five answered, half resolved.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO feedback (category, body, created_by, state, created_at,
			acknowledged_at, acknowledged_by, response_secs, resolved_at, resolved_by, updated_at)
		SELECT (ARRAY['messaging','content','lead_quality','pricing','competitor','product','other'])[1 + i % 7],
			'heard in the field', 'UREP' || (i % 40),
			CASE WHEN i % 2 = 0 THEN 'resolved' WHEN i % 5 = 0 THEN 'open' ELSE 'acknowledged' END,
			t, CASE WHEN i % 2 = 0 OR i % 5 <> 0 THEN t + interval '1 hour' END,
			CASE WHEN i % 2 = 0 OR i % 5 <> 0 THEN 'UMKT' END,
			CASE WHEN i % 2 = 0 OR i % 5 <> 0 THEN (i % 86400)::double precision END,
			CASE WHEN i % 2 = 0 THEN t + interval '2 days' END, CASE WHEN i % 2 = 0 THEN 'UMKT' END, t
		FROM generate_series(1, $1) AS i, LATERAL (SELECT $2::timestamptz - i * interval '315 seconds' AS t) AS x`,
		benchFeedbackCount, end); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `ANALYZE feedback`); err != nil {
		b.Fatal(err)
	}
	from := end.AddDate(0, 0, -90)
	b.ResetTimer()
	b.Run("metrics90d", func(b *testing.B) {
		for b.Loop() {
			if m, err := db.FeedbackMetrics(ctx, from, end); err != nil || m.Created == 0 {
				b.Fatalf("metrics %+v, %v", m, err)
			}
		}
	})
	b.Run("oldestOpen", func(b *testing.B) {
		for b.Loop() {
			if fs, err := db.OldestOpenFeedback(ctx, 5); err != nil || len(fs) != 5 {
				b.Fatalf("oldest open: %d, %v", len(fs), err)
			}
		}
	})
}
