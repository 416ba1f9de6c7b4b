package handlers

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"math"
	"time"

	"github.com/slack-go/slack"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

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
	var accept, sla plotter.XYs
	for i, w := range weeks {
		if w.Acceptance.Defined() {
			accept = append(accept, plotter.XY{X: float64(i), Y: w.Acceptance.Percent()})
		}
		if w.AcceptSLA.Defined() {
			sla = append(sla, plotter.XY{X: float64(i), Y: w.AcceptSLA.Percent()})
		}
	}
	for _, s := range []struct {
		name string
		xys  plotter.XYs
		c    color.Color
	}{{"Acceptance rate (accepted ÷ decided)", accept, blue}, {"Accept-SLA compliance", sla, orange}} {
		if len(s.xys) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return nil, fmt.Errorf("chart line: %w", err)
		}
		l.Color, l.Width, pts.Color, pts.Radius = s.c, vg.Points(2.5), s.c, vg.Points(3.5)
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), -vg.Points(4)
	p.Legend.TextStyle.Font.Size = vg.Points(12)
	return p, nil
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
