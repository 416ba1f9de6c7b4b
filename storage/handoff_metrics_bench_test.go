package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// openLarge opens the cached million-handoff dataset (built on first use,
// which takes minutes; see storagetest.Large), read-only.
func openLarge(b *testing.B) *storage.DB {
	b.Helper()
	db, err := storage.Open(context.Background(), storagetest.Large(b, storagetest.LargeHandoffs))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkHandoffMetrics90Days measures HandoffMetrics over the last 90
// days of the million-handoff dataset (about 123,000 handoffs in the
// period): the target is under 200 ms. With -v it logs the query plan.
// Figures and plans are kept in docs/stats-performance.md.
func BenchmarkHandoffMetrics90Days(b *testing.B) {
	db := openLarge(b)
	ctx := context.Background()
	now := storagetest.LargeEnd
	from := now.AddDate(0, 0, -90)
	if testing.Verbose() {
		logPlan(b, db, storage.HandoffMetricsQuery, from, now, now)
	}
	m, err := db.HandoffMetrics(ctx, from, now, now)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d handoffs in the period; acceptance %s", m.Handoffs, m.Acceptance)
	for b.Loop() {
		if _, err := db.HandoffMetrics(ctx, from, now, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStats90Days measures everything `/handoff stats 90d` reads: the
// period, the previous period and the 12 weeks of the chart, and with a
// breakdown by campaign (200 campaigns) as well.
func BenchmarkStats90Days(b *testing.B) {
	db := openLarge(b)
	ctx := context.Background()
	now := storagetest.LargeEnd
	from := now.AddDate(0, 0, -90)
	prev := from.AddDate(0, 0, -90)
	stats := func(by string) error {
		if _, err := db.HandoffMetrics(ctx, from, now, now); err != nil {
			return err
		}
		if _, err := db.HandoffMetrics(ctx, prev, from, now); err != nil {
			return err
		}
		if _, err := db.WeeklySeries(ctx, 12, now, time.UTC); err != nil {
			return err
		}
		if by != "" {
			_, err := db.HandoffBreakdown(ctx, from, now, now, by)
			return err
		}
		return nil
	}
	for _, by := range []string{"", "campaign"} {
		name := "plain"
		if by != "" {
			name = "by_" + by
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := stats(by); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func logPlan(b *testing.B, db *storage.DB, query string, args ...any) {
	b.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), "EXPLAIN (ANALYZE, BUFFERS) "+query, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			b.Fatal(err)
		}
		plan = append(plan, line)
	}
	b.Logf("plan:\n%s", strings.Join(plan, "\n"))
}
