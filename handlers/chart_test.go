package handlers

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-analyze/charts"

	"github.com/handoffbot/handoffbot/domain"
)

var update = flag.Bool("update", false, "rewrite docs/stats-chart.png from the sample weeks")

// sampleWeeks is a believable quarter: volume growing, acceptance steady,
// SLA compliance recovering after a bad spell, one quiet week.
func sampleWeeks() []domain.WeekPoint {
	start := time.Date(2026, 9, 7, 0, 0, 0, 0, time.UTC)
	counts := []int{38, 42, 35, 51, 47, 0, 55, 61, 58, 64, 70, 23}
	accepted := []int{30, 33, 27, 40, 38, 0, 45, 50, 48, 54, 60, 15}
	decided := []int{36, 40, 33, 49, 45, 0, 52, 59, 56, 61, 66, 18}
	inSLA := []int{31, 30, 20, 28, 29, 0, 41, 50, 50, 57, 63, 17}
	var ws []domain.WeekPoint
	for i := range counts {
		ws = append(ws, domain.WeekPoint{
			Start: start.AddDate(0, 0, 7*i), Handoffs: counts[i],
			Acceptance: domain.Ratio{Num: accepted[i], Den: decided[i]},
			AcceptSLA:  domain.Ratio{Num: inSLA[i], Den: decided[i] + min(counts[i], 1)}, // one pending past due
		})
	}
	return ws
}

// chartCases are the quarters every chart test draws: the sample, an empty
// one, a single week, a busy one whose five-digit counts widen the axis,
// and a quiet one whose axis must still count in whole handoffs.
func chartCases() map[string][]domain.WeekPoint {
	empty, busy, quiet := sampleWeeks(), sampleWeeks(), sampleWeeks()
	for i := range empty {
		empty[i] = domain.WeekPoint{Start: empty[i].Start}
		busy[i].Handoffs = 12000 + 1500*i
		quiet[i].Handoffs = i % 4
	}
	return map[string][]domain.WeekPoint{"sample": sampleWeeks(), "empty": empty, "one week": sampleWeeks()[:1], "busy": busy, "quiet": quiet}
}

// The chart renders as a PNG of the documented size for every quarter.
// With -update it refreshes the snapshot the README shows.
func TestChartRendersPNG(t *testing.T) {
	for name, weeks := range chartCases() {
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

// Every title, axis title, legend entry, week and bar count is written on
// the chart, and no two of them overlap. The same layout drawn as SVG
// tells where each text went.
func TestChartLabelsAreAllThereAndApart(t *testing.T) {
	for name, weeks := range chartCases() {
		texts, _ := chartSVG(t, weeks)
		want := []string{
			fmt.Sprintf("Acceptance and accept-SLA compliance per week, last %d weeks", len(weeks)),
			"Handoffs created per week (the last week so far)",
			"Acceptance rate (accepted ÷ decided)", "Accept-SLA compliance",
			"% of handoffs", "0%", "100%", "Handoffs",
		}
		for _, w := range weeks {
			want = append(want, w.Start.Format("Jan 2"), strconv.Itoa(w.Handoffs))
		}
		for _, s := range want {
			if !hasText(texts, s) {
				t.Errorf("%s: no %q on the chart", name, s)
			}
		}
		if n := countText(texts, "Week starting (Monday)"); n != 2 {
			t.Errorf("%s: %d x-axis titles, want one per panel", name, n)
		}
		for i, a := range texts {
			if a.left < 0 || a.top < 0 || a.right > ChartWidth || a.bm > ChartHeight {
				t.Errorf("%s: %q at (%d,%d) runs off the chart", name, a.body, a.x, a.y)
			}
			for _, b := range texts[i+1:] {
				if a.overlaps(b) {
					t.Errorf("%s: %q at (%d,%d) overlaps %q at (%d,%d)", name, a.body, a.x, a.y, b.body, b.x, b.y)
				}
			}
		}
	}
}

// Each week's bar stands under its rates: the week labels of the two
// panels line up, however wide the handoff counts on the lower axis are.
func TestChartPanelsLineUpByWeek(t *testing.T) {
	for name, weeks := range chartCases() {
		texts, _ := chartSVG(t, weeks)
		for _, w := range weeks {
			label := w.Start.Format("Jan 2")
			if upper, lower := textNamed(t, texts, label, 0), textNamed(t, texts, label, 1); upper.x != lower.x {
				t.Errorf("%s: %s at x=%d above, x=%d below", name, label, upper.x, lower.x)
			}
		}
	}
}

// The handoffs axis counts in whole handoffs: the labels that end left of
// the first week in the lower panel read 0, s, 2s, … from the bottom up,
// for a whole step s, and end above the busiest week. (A fractional step
// would show as a repeated or uneven label, since labels are rounded.)
func TestChartCountsAxisIsWhole(t *testing.T) {
	for name, weeks := range chartCases() {
		texts, _ := chartSVG(t, weeks)
		firstWeek := textNamed(t, texts, weeks[0].Start.Format("Jan 2"), 1) // the lower panel's
		most := 0
		for _, w := range weeks {
			most = max(most, w.Handoffs)
		}
		var axis []chartText
		for _, tx := range texts {
			if tx.y > ChartHeight/2 && tx.right < firstWeek.x && !tx.rotated && !strings.HasPrefix(tx.body, "Handoffs created") {
				axis = append(axis, tx)
			}
		}
		slices.SortFunc(axis, func(a, b chartText) int { return b.y - a.y })
		var got []string
		for _, tx := range axis {
			got = append(got, tx.body)
		}
		step := 0
		if len(got) > 1 {
			step, _ = strconv.Atoi(got[1])
		}
		for i, l := range got {
			if l != strconv.Itoa(i*step) || step < 1 || i == len(got)-1 && i*step <= most {
				t.Errorf("%s: axis labels %v from the bottom up, busiest week has %d", name, got, most)
				break
			}
		}
	}
}

// A week with no decided handoffs leaves a gap in both rate lines instead
// of a point at 0 %: the sample's quiet week has no marker.
func TestChartRatesSkipWeeksWithNothingDecided(t *testing.T) {
	texts, markers := chartSVG(t, sampleWeeks())
	quiet := textNamed(t, texts, "Oct 12", 0) // the x-axis labels of the upper panel come first
	for _, colour := range []string{"rgb(0,114,178)", "rgb(230,159,0)"} {
		var xs []int
		for _, m := range markers {
			if m.stroke == colour {
				xs = append(xs, m.x)
			}
		}
		if len(xs) != 11 {
			t.Errorf("%s: %d markers, want 11 (12 weeks, one with nothing decided)", colour, len(xs))
		}
		for _, x := range xs {
			if x > quiet.x && x < quiet.x+quiet.width {
				t.Errorf("%s: a marker at x=%d, above the quiet week", colour, x)
			}
		}
	}
}

// Axis steps are 1, 2 or 5 times a power of ten, with at most five
// intervals, and the top is above the busiest week.
func TestWholeScale(t *testing.T) {
	nice := regexp.MustCompile(`^[125]0*$`)
	for most := 0; most <= 100_000; most += 1 + most/50 {
		step, top := wholeScale(most)
		if !nice.MatchString(strconv.Itoa(step)) || top%step != 0 || top <= most || top/step > 5 {
			t.Fatalf("wholeScale(%d) = step %d, top %d", most, step, top)
		}
	}
}

// chartText is one text drawn on the chart, with the box its glyphs cover.
type chartText struct {
	body                 string
	x, y, width, em      int
	rotated              bool
	left, top, right, bm int
}

func (a chartText) overlaps(b chartText) bool {
	return a.left < b.right && b.left < a.right && a.top < b.bm && b.top < a.bm
}

// chartMarker is one data point of a rate line.
type chartMarker struct {
	x      int
	stroke string
}

// chartSVG draws the chart as SVG and reads back its texts, each measured
// with the chart's font, and the markers of its rate lines.
func chartSVG(t *testing.T, weeks []domain.WeekPoint) ([]chartText, []chartMarker) {
	t.Helper()
	b, err := drawChart(weeks, charts.ChartOutputSVG)
	if err != nil {
		t.Fatal(err)
	}
	measure := charts.NewPainter(charts.PainterOptions{Width: ChartWidth, Height: ChartHeight})
	fontSize := regexp.MustCompile(`font-size:([0-9.]+)px`)
	stroke := regexp.MustCompile(`stroke:(rgb\([0-9,]+\))`)
	var texts []chartText
	var markers []chartMarker
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("chart SVG: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := func(name string) string {
			for _, a := range el.Attr {
				if a.Name.Local == name {
					return a.Value
				}
			}
			return ""
		}
		switch el.Name.Local {
		case "text":
			var body string
			if err := dec.DecodeElement(&body, &el); err != nil {
				t.Fatal(err)
			}
			px, _ := strconv.ParseFloat(fontSize.FindStringSubmatch(attr("style"))[1], 64)
			box := measure.MeasureText(body, 0, chartFont(px*72/96))
			x, _ := strconv.Atoi(attr("x"))
			y, _ := strconv.Atoi(attr("y"))
			texts = append(texts, glyphBox(body, x, y, box.Width(), box.Height(), attr("transform") != ""))
		case "circle":
			// Line markers are hollow; legend icons are filled.
			if strings.Contains(attr("style"), "fill:white") && strings.Contains(attr("style"), "stroke-width:1;") {
				x, _ := strconv.Atoi(attr("cx"))
				markers = append(markers, chartMarker{x: x, stroke: stroke.FindStringSubmatch(attr("style"))[1]})
			}
		}
	}
	return texts, markers
}

// glyphBox is where a text's ink can be: from the ascenders (three
// quarters of an em above the baseline) to the descenders (a fifth
// below). The y-axis titles are turned a quarter left about (x, y).
func glyphBox(body string, x, y, width, em int, rotated bool) chartText {
	up, down := em*3/4, em/5
	tx := chartText{body: body, x: x, y: y, width: width, em: em, rotated: rotated,
		left: x, top: y - up, right: x + width, bm: y + down}
	if rotated {
		tx.left, tx.right, tx.top, tx.bm = x-up, x+down, y-width, y
	}
	return tx
}

func hasText(texts []chartText, s string) bool { return countText(texts, s) > 0 }

func countText(texts []chartText, s string) int {
	n := 0
	for _, tx := range texts {
		if tx.body == s {
			n++
		}
	}
	return n
}

// textNamed is the i-th text reading s, in drawing order.
func textNamed(t *testing.T, texts []chartText, s string, i int) chartText {
	t.Helper()
	for _, tx := range texts {
		if tx.body == s {
			if i == 0 {
				return tx
			}
			i--
		}
	}
	t.Fatalf("no %q on the chart", s)
	return chartText{}
}
