package handlers

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
)

// The chart's size in pixels: wide enough for twelve week labels side by
// side, readable when Slack shows it at half size.
const (
	ChartWidth  = 1200
	ChartHeight = 800
	chartDPI    = 96
)

// Colours that stay apart for colour-blind readers (Okabe–Ito).
var (
	blue   = color.RGBA{R: 0, G: 114, B: 178, A: 255}
	orange = color.RGBA{R: 230, G: 159, B: 0, A: 255}
	grey   = color.RGBA{R: 160, G: 160, B: 160, A: 255}
)

// postChart uploads the 12-week chart next to the stats message with
// Slack's three-step upload. The stats are already posted, so a failed
// chart is only explained to the person who asked.
func (a *App) postChart(ctx context.Context, ask statsAsk, now time.Time) error {
	weeks, err := a.metrics.WeeklySeries(ctx, chartWeeks, now, a.set.Calendar.Location())
	if err != nil {
		return err
	}
	png, err := RenderChart(weeks)
	if err != nil {
		return err
	}
	_, err = a.slack.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "handoff-stats-" + now.In(a.set.Calendar.Location()).Format(time.DateOnly) + ".png",
		FileSize: len(png), Reader: bytes.NewReader(png),
		Channel: ask.channel, ThreadTimestamp: ask.thread,
		Title:  fmt.Sprintf("Handoffs, acceptance and accept-SLA compliance, last %d weeks", chartWeeks),
		AltTxt: chartAltText(weeks),
	})
	if err != nil {
		a.log.WarnContext(ctx, "stats chart upload failed", "error", err)
		return a.ephemeral(ctx, ask.channel, ask.user, ask.thread, "The stats are posted, but Slack did not take the chart. Ask again to retry.")
	}
	return nil
}

// chartAltText describes the chart for screen readers.
func chartAltText(weeks []storage.WeekPoint) string {
	total := 0
	for _, w := range weeks {
		total += w.Handoffs
	}
	return fmt.Sprintf("Bar chart of handoffs per week over %d weeks (%d in all), with lines for acceptance rate and accept-SLA compliance.", len(weeks), total)
}

// RenderChart draws the weekly series as a PNG of ChartWidth × ChartHeight:
// rates as lines on top (0–100 %), handoffs as bars below, on the same
// weeks. Two panels instead of two y-axes on one, so neither scale is read
// against the other's gridlines.
func RenderChart(weeks []storage.WeekPoint) ([]byte, error) {
	labels := make([]string, len(weeks))
	for i, w := range weeks {
		labels[i] = w.Start.Format("Jan 2")
	}
	rates, err := ratesPlot(weeks, labels)
	if err != nil {
		return nil, err
	}
	counts, err := countsPlot(weeks, labels)
	if err != nil {
		return nil, err
	}
	img := vgimg.NewWith(vgimg.UseWH(px(ChartWidth), px(ChartHeight)), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(12), PadBottom: vg.Points(8), PadX: vg.Points(16), PadY: vg.Points(20),
		PadLeft: vg.Points(12), PadRight: vg.Points(24)}
	cs := plot.Align([][]*plot.Plot{{rates}, {counts}}, tiles, dc)
	rates.Draw(cs[0][0])
	counts.Draw(cs[1][0])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// px converts pixels at chartDPI to the points vg measures in.
func px(n int) vg.Length { return vg.Length(n) * vg.Inch / chartDPI }

func ratesPlot(weeks []storage.WeekPoint, labels []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Acceptance and accept-SLA compliance per week, last %d weeks", len(weeks))
	p.Title.TextStyle.Font.Size = vg.Points(15)
	p.Y.Label.Text = "% of handoffs"
	// Room above 100 % for the legend, so it never covers a line.
	p.Y.Min, p.Y.Max = 0, 128
	p.Y.Tick.Marker = plot.ConstantTicks(percentTicks())
	p.NominalX(labels...)
	p.X.Label.Text = "Week starting (Monday)"
	p.Add(plotter.NewGrid())
	for _, s := range []struct {
		name string
		rate func(storage.WeekPoint) domain.Ratio
		c    color.Color
	}{
		{"Acceptance rate (accepted ÷ decided)", func(w storage.WeekPoint) domain.Ratio { return w.Acceptance }, blue},
		{"Accept-SLA compliance", func(w storage.WeekPoint) domain.Ratio { return w.AcceptSLA }, orange},
	} {
		if err := addRateLine(p, weeks, s.name, s.rate, s.c); err != nil {
			return nil, err
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), -vg.Points(4)
	p.Legend.TextStyle.Font.Size = vg.Points(12)
	return p, nil
}

// addRateLine draws one rate with a marker per week; a week with nothing
// to divide breaks the line rather than inventing a value.
func addRateLine(p *plot.Plot, weeks []storage.WeekPoint, name string, rate func(storage.WeekPoint) domain.Ratio, c color.Color) error {
	var all plotter.XYs
	var runs []plotter.XYs
	var run plotter.XYs
	for i, w := range weeks {
		r := rate(w)
		if !r.Defined() {
			if len(run) > 0 {
				runs, run = append(runs, run), nil
			}
			continue
		}
		xy := plotter.XY{X: float64(i), Y: r.Percent()}
		run, all = append(run, xy), append(all, xy)
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	if len(all) == 0 {
		return nil
	}
	var first *plotter.Line
	for _, xys := range runs {
		l, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("chart line: %w", err)
		}
		l.Color, l.Width = c, vg.Points(2.5)
		p.Add(l)
		if first == nil {
			first = l
		}
	}
	pts, err := plotter.NewScatter(all)
	if err != nil {
		return fmt.Errorf("chart points: %w", err)
	}
	pts.Color, pts.Radius = c, vg.Points(3.5)
	p.Add(pts)
	p.Legend.Add(name, first, pts)
	return nil
}

// wholeTicks keeps the default ticks that are whole numbers: there is no
// such thing as 2.5 handoffs.
type wholeTicks struct{}

func (wholeTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
		if t.Value != math.Trunc(t.Value) {
			continue
		}
		if t.Label != "" {
			t.Label = strconv.Itoa(int(t.Value))
		}
		out = append(out, t)
	}
	return out
}

func percentTicks() []plot.Tick {
	var ts []plot.Tick
	for v := 0; v <= 100; v += 20 {
		ts = append(ts, plot.Tick{Value: float64(v), Label: fmt.Sprintf("%d%%", v)})
	}
	return ts
}

func countsPlot(weeks []storage.WeekPoint, labels []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Handoffs created per week (the last week so far)"
	p.Title.TextStyle.Font.Size = vg.Points(15)
	p.Y.Label.Text = "Handoffs"
	p.X.Label.Text = "Week starting (Monday)"
	p.Y.Min = 0
	p.Y.Tick.Marker = wholeTicks{}
	values := make(plotter.Values, len(weeks))
	max := 0
	for i, w := range weeks {
		values[i] = float64(w.Handoffs)
		max = maxInt(max, w.Handoffs)
	}
	p.Y.Max = math.Max(1, float64(max)*1.1) // headroom; an empty quarter still draws an axis
	bars, err := plotter.NewBarChart(values, vg.Points(28))
	if err != nil {
		return nil, fmt.Errorf("chart bars: %w", err)
	}
	bars.Color, bars.LineStyle.Color = blue, grey
	p.Add(plotter.NewGrid(), bars)
	p.NominalX(labels...)
	return p, nil
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
