package handlers

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
)

var update = flag.Bool("update", false, "rewrite docs/stats-chart.png from the sample weeks")

// sampleWeeks is a believable quarter: volume growing, acceptance steady,
// SLA compliance recovering after a bad spell, one quiet week.
func sampleWeeks() []storage.WeekPoint {
	start := time.Date(2026, 9, 7, 0, 0, 0, 0, time.UTC)
	counts := []int{38, 42, 35, 51, 47, 0, 55, 61, 58, 64, 70, 23}
	accepted := []int{30, 33, 27, 40, 38, 0, 45, 50, 48, 54, 60, 15}
	decided := []int{36, 40, 33, 49, 45, 0, 52, 59, 56, 61, 66, 18}
	inSLA := []int{31, 30, 20, 28, 29, 0, 41, 50, 50, 57, 63, 17}
	var ws []storage.WeekPoint
	for i := range counts {
		ws = append(ws, storage.WeekPoint{
			Start: start.AddDate(0, 0, 7*i), Handoffs: counts[i],
			Acceptance: domain.Ratio{Num: accepted[i], Den: decided[i]},
			AcceptSLA:  domain.Ratio{Num: inSLA[i], Den: decided[i] + min(counts[i], 1)}, // one pending past due
		})
	}
	return ws
}

// The chart renders as a PNG of the documented size, with data, with an
// empty quarter, and with a single week. With -update it refreshes the
// snapshot the README shows.
func TestChartRendersPNG(t *testing.T) {
	empty := sampleWeeks()
	for i := range empty {
		empty[i] = storage.WeekPoint{Start: empty[i].Start}
	}
	for name, weeks := range map[string][]storage.WeekPoint{"sample": sampleWeeks(), "empty": empty, "one week": sampleWeeks()[:1]} {
		b, err := RenderChart(weeks)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", name, err)
		}
		if got := img.Bounds().Size(); got.X != ChartWidth || got.Y != ChartHeight {
			t.Errorf("%s: %v, want %d×%d", name, got, ChartWidth, ChartHeight)
		}
		if name == "sample" && *update {
			path := filepath.Join("..", "docs", "stats-chart.png")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", path)
		}
	}
}
