package handlers

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-analyze/charts"
	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// The chart's size in pixels: wide enough for twelve week labels side by
// side, readable when Slack shows it at half size.
const (
	ChartWidth  = 1200
	ChartHeight = 800
)

// Type sizes in points (drawn at 96 dpi: 17 pt is 23 pixels), large enough
// to read on a phone, where Slack shrinks the 1200-pixel chart to about a
// third.
const (
	chartTitleSize = 22
	chartTextSize  = 17
)

// chartTheme is the library's light theme with colours that stay apart
// for colour-blind readers (Okabe–Ito blue and orange) and dark text.
var chartTheme = charts.GetTheme(charts.ThemeLight).
	WithSeriesColors([]charts.Color{
		{R: 0, G: 114, B: 178, A: 255}, // blue
		{R: 230, G: 159, B: 0, A: 255}, // orange
	}).
	WithTextColor(chartInk)

// chartInk is the colour of all text: darker than the theme's grey, for
// contrast on a small screen.
var chartInk = charts.Color{R: 40, G: 40, B: 40, A: 255}

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
func chartAltText(weeks []domain.WeekPoint) string {
	total := 0
	for _, w := range weeks {
		total += w.Handoffs
	}
	return fmt.Sprintf("Bar chart of handoffs per week over %d weeks (%d in all), with lines for acceptance rate and accept-SLA compliance.", len(weeks), total)
}

// RenderChart draws the weekly series as a PNG of ChartWidth × ChartHeight:
// rates as lines on top (0–100 %), handoffs as bars below, on the same
// weeks. Two panels instead of two y-axes on one, so neither scale is read
// against the other's gridlines. It uses go-analyze/charts, which embeds a
// single font, to keep the static binary (and the image) small.
func RenderChart(weeks []domain.WeekPoint) ([]byte, error) {
	return drawChart(weeks, charts.ChartOutputPNG)
}

// drawChart lays the chart out once for either format: PNG for Slack, SVG
// for tests that read the text back.
func drawChart(weeks []domain.WeekPoint, format string) ([]byte, error) {
	labels := make([]string, len(weeks))
	for i, w := range weeks {
		labels[i] = w.Start.Format("Jan 2")
	}
	p := charts.NewPainter(charts.PainterOptions{
		OutputFormat: format, Width: ChartWidth, Height: ChartHeight, Theme: chartTheme,
	})
	p.FilledRect(0, 0, ChartWidth, ChartHeight, charts.ColorWhite, charts.ColorWhite, 0)
	top := p.Child(charts.PainterBoxOption(charts.NewBox(0, 0, ChartWidth, ChartHeight/2)))
	bottom := p.Child(charts.PainterBoxOption(charts.NewBox(0, ChartHeight/2, ChartWidth, ChartHeight)))
	rates, counts := ratesChart(weeks, labels), countsChart(weeks, labels)
	alignPanels(p, &rates, &counts)
	if err := top.LineChart(rates); err != nil {
		return nil, fmt.Errorf("draw rates: %w", err)
	}
	if err := bottom.BarChart(counts); err != nil {
		return nil, fmt.Errorf("draw handoffs: %w", err)
	}
	b, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return b, nil
}

// ratesChart is the upper panel: acceptance rate and accept-SLA compliance
// in percent, with a marker per week. A week with nothing to divide is a
// gap in its line rather than an invented value.
func ratesChart(weeks []domain.WeekPoint, labels []string) charts.LineChartOption {
	percents := func(rate func(domain.WeekPoint) domain.Ratio) []float64 {
		vs := make([]float64, len(weeks))
		for i, w := range weeks {
			vs[i] = charts.GetNullValue()
			if r := rate(w); r.Defined() {
				vs[i] = r.Percent()
			}
		}
		return vs
	}
	series := charts.NewSeriesListLine([][]float64{
		percents(func(w domain.WeekPoint) domain.Ratio { return w.Acceptance }),
		percents(func(w domain.WeekPoint) domain.Ratio { return w.AcceptSLA }),
	})
	return charts.LineChartOption{
		Padding:    charts.NewBox(16, 12, 32, 8),
		SeriesList: series,
		Title:      chartTitle(fmt.Sprintf("Acceptance and accept-SLA compliance per week, last %d weeks", len(weeks))),
		Legend: charts.LegendOption{
			SeriesNames: []string{"Acceptance rate (accepted ÷ decided)", "Accept-SLA compliance"},
			FontStyle:   chartFont(chartTextSize),
			Offset:      charts.OffsetStr{Left: charts.PositionRight},
			Padding:     charts.NewBox(0, 42, 0, 14), // below the title, clear of the 100 % label
		},
		XAxis: weekAxis(labels),
		YAxis: []charts.YAxisOption{{
			Title: "% of handoffs", TitleFontStyle: chartFont(chartTextSize), LabelFontStyle: chartFont(chartTextSize),
			Min: charts.Ptr(0.0), Max: charts.Ptr(100.0), LabelCount: 6,
			ValueFormatter: func(v float64) string { return strconv.Itoa(int(math.Round(v))) + "%" },
		}},
		Symbol:          charts.Symbol{Shape: charts.SymbolCircle, Size: 5},
		LineStrokeWidth: 3,
	}
}

// countsChart is the lower panel: handoffs created per week as bars, each
// with its count, on an axis of whole numbers.
func countsChart(weeks []domain.WeekPoint, labels []string) charts.BarChartOption {
	counts := make([]float64, len(weeks))
	most := 0
	for i, w := range weeks {
		counts[i] = float64(w.Handoffs)
		most = max(most, w.Handoffs)
	}
	step, top := wholeScale(most)
	whole := func(v float64) string { return strconv.Itoa(int(math.Round(v))) } // 12345, not 12.35k
	series := charts.NewSeriesListBar([][]float64{counts})
	series[0].Label = charts.SeriesLabel{Show: charts.Ptr(true), FontStyle: chartFont(chartTextSize), ValueFormatter: whole}
	return charts.BarChartOption{
		Padding:      charts.NewBox(16, 20, 32, 8),
		SeriesList:   series,
		Title:        chartTitle("Handoffs created per week (the last week so far)"),
		Legend:       charts.LegendOption{Show: charts.Ptr(false)},
		CategoryAxis: weekAxis(labels),
		ValueAxis: []charts.ValueAxisOption{{
			Title: "Handoffs", TitleFontStyle: chartFont(chartTextSize), LabelFontStyle: chartFont(chartTextSize),
			Min: charts.Ptr(0.0), Max: charts.Ptr(float64(top)), LabelCount: top/step + 1,
		}},
		ValueFormatter: whole,
		BarSize:        0.6,
	}
}

// alignPanels widens the left margin of the panel whose y-axis labels are
// narrower, so each bar stands under its week in the panel above.
func alignPanels(p *charts.Painter, rates *charts.LineChartOption, counts *charts.BarChartOption) {
	// The widest label of each axis is its top: "100%", and the most digits.
	rateAxis, countAxis := &rates.YAxis[0], &counts.ValueAxis[0]
	ratesWidth := p.MeasureText(rateAxis.ValueFormatter(*rateAxis.Max), 0, rateAxis.LabelFontStyle).Width()
	countsWidth := p.MeasureText(counts.ValueFormatter(*countAxis.Max), 0, countAxis.LabelFontStyle).Width()
	if d := ratesWidth - countsWidth; d > 0 {
		counts.Padding.Left += d
	} else {
		rates.Padding.Left -= d
	}
}

// wholeScale picks a step of 1, 2 or 5 times a power of ten and the first
// multiple of it above the tallest bar, for at most five intervals: there
// is no such thing as 2.5 handoffs, and an empty quarter still draws an axis.
func wholeScale(most int) (step, top int) {
	for mag := 1; ; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			if step = m * mag; most/step < 5 {
				return step, (most/step + 1) * step
			}
		}
	}
}

// weekAxis labels every week: twelve short dates fit side by side.
func weekAxis(labels []string) charts.XAxisOption {
	return charts.XAxisOption{
		Labels: labels, LabelCount: len(labels), LabelFontStyle: chartFont(chartTextSize), BoundaryGap: charts.Ptr(true),
		Title: "Week starting (Monday)", TitleFontStyle: chartFont(chartTextSize),
	}
}

func chartTitle(text string) charts.TitleOption {
	return charts.TitleOption{Text: text, FontStyle: chartFont(chartTitleSize)}
}

func chartFont(size float64) charts.FontStyle {
	return charts.FontStyle{FontSize: size, FontColor: chartInk}
}
