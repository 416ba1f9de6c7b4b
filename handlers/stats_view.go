package handlers

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// periodTitles names the relative periods as people say them.
var periodTitles = map[string]string{
	"7d": "last 7 days", "30d": "last 30 days", "90d": "last 90 days",
	"quarter": "this quarter", "ytd": "year to date",
}

func periodTitle(p domain.Period) string {
	if t, ok := periodTitles[p.Label]; ok {
		return t
	}
	return p.String()
}

// MetricsDocURL is where the stats' definitions are explained.
const MetricsDocURL = "https://github.com/handoffbot/handoffbot/blob/main/docs/metrics.md"

// fallback is the notification and screen-reader text.
func (r statsReport) fallback() string {
	return fmt.Sprintf("Alignment stats, %s: %d handoffs, acceptance %s, accept-SLA compliance %s.",
		periodTitle(r.q.period), r.cur.Handoffs, r.cur.Acceptance, r.cur.AcceptSLA)
}

// blocks lays the scoreboard out as label | this period | previous period.
func (r statsReport) blocks(askedBy string) []slack.Block {
	prev := r.q.period.Previous()
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncateRunes("📊 Alignment stats — "+periodTitle(r.q.period), maxHeaderText))),
		contextLine(fmt.Sprintf("Handoffs created %s (%s), compared with %s · asked by %s · %s",
			r.q.period, r.loc, prev, user(askedBy), link(MetricsDocURL, "what the numbers mean"))),
	}
	for _, row := range r.rows() {
		blocks = append(blocks, slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			md("*" + row.label + "*\n" + row.cur), md("_previous_\n" + row.prev),
		}, nil))
	}
	if mix := r.mix(); mix != "" {
		blocks = append(blocks, mrkdwn(mix))
	}
	if len(r.breakdown) > 0 {
		blocks = append(blocks, slack.NewDividerBlock(), mrkdwn(r.breakdownTable()))
	}
	return blocks
}

// statRow is one line of the scoreboard.
type statRow struct{ label, cur, prev string }

func (r statsReport) rows() []statRow {
	c, p := r.cur, r.prev
	rows := []statRow{
		{"Handoffs", handoffCount(c), handoffCount(p)},
		{"Acceptance rate", withTrend(c.Acceptance, p.Acceptance) + fmt.Sprintf(" · %d pending", c.Pending), fmt.Sprintf("%s · %d pending", p.Acceptance, p.Pending)},
		{"Time to accept (business time)", durations(c.TimeToAccept), durations(p.TimeToAccept)},
		{"Accept-SLA compliance", withTrend(c.AcceptSLA, p.AcceptSLA), p.AcceptSLA.String()},
		{"Speed-to-lead (wall time)", speed(c.SpeedToLead), speed(p.SpeedToLead)},
		{"First-touch SLA compliance", withTrend(c.FirstTouchSLA, p.FirstTouchSLA), p.FirstTouchSLA.String()},
		{"MQL→SQL conversion", withTrend(c.MQLToSQL, p.MQLToSQL), p.MQLToSQL.String()},
		{"Win rate", withTrend(c.WinRate, p.WinRate), p.WinRate.String()},
		{"Recycle rate (returned to marketing)", c.RecycleRate.String(), p.RecycleRate.String()},
	}
	if r.curFB != nil {
		rows = append(rows,
			statRow{"Feedback volume", feedbackVolume(*r.curFB), feedbackVolume(*r.prevFB)},
			statRow{"Feedback response time (median, business time)", feedbackResponse(*r.curFB), feedbackResponse(*r.prevFB)},
			statRow{"Loop closure (resolved)", withTrend(r.curFB.LoopClosure, r.prevFB.LoopClosure), r.prevFB.LoopClosure.String()})
	}
	return rows
}

func handoffCount(m domain.HandoffMetrics) string {
	return fmt.Sprintf("%d · %d to sales, %d to marketing", m.Handoffs, m.ToSales, m.ToMarketing)
}

// withTrend shows a rate with its counts and which way it moved.
func withTrend(cur, prev domain.Ratio) string {
	s := cur.String()
	if !cur.Defined() || !prev.Defined() {
		return s
	}
	switch d := cur.Rounded() - prev.Rounded(); {
	case d > 0:
		return s + fmt.Sprintf(" ▲ %d pts", d)
	case d < 0:
		return s + fmt.Sprintf(" ▼ %d pts", -d)
	}
	return s + " ="
}

func durations(d domain.Durations) string {
	if d.Count == 0 {
		return "— (none decided)"
	}
	return fmt.Sprintf("median %s, p90 %s (%d decided)", humanDuration(d.Median), humanDuration(d.P90), d.Count)
}

func speed(s domain.SpeedToLead) string {
	return fmt.Sprintf("≤5 min %d · ≤1 h %d · ≤24 h %d · &gt;24 h %d · not yet %d",
		s.Within5Min, s.Within1Hour, s.Within24Hours, s.Over24Hours, s.NotYet)
}

func feedbackVolume(f domain.FeedbackMetrics) string {
	if f.Created == 0 {
		return "0"
	}
	var cats []string
	for _, c := range domain.FeedbackCategories {
		if n := f.ByCategory[c.Code]; n > 0 {
			cats = append(cats, fmt.Sprintf("%s %d", strings.ToLower(c.Label), n))
		}
	}
	return fmt.Sprintf("%d · %s", f.Created, strings.Join(cats, ", "))
}

func feedbackResponse(f domain.FeedbackMetrics) string {
	if f.Acknowledged == 0 {
		return fmt.Sprintf("— (0 of %d answered)", f.Created)
	}
	return fmt.Sprintf("%s (%d of %d answered)", humanDuration(time.Duration(f.MedianResponseSecs*float64(time.Second))), f.Acknowledged, f.Created)
}

// mix lists the reasons given for rejections, returns and losses.
func (r statsReport) mix() string {
	var lines []string
	for _, m := range []struct {
		name    string
		reasons []domain.Reason
		counts  []domain.ReasonCount
	}{
		{"Rejections", domain.RejectReasons, r.cur.Rejections},
		{"Returns to marketing", domain.ReturnReasons, r.cur.Returns},
		{"Losses", domain.LostReasons, r.cur.Losses},
	} {
		if len(m.counts) == 0 {
			continue
		}
		var parts []string
		for _, c := range m.counts {
			parts = append(parts, fmt.Sprintf("%s %d", escape(domain.ReasonLabel(m.reasons, c.Reason)), c.Count))
		}
		lines = append(lines, fmt.Sprintf("*%s by reason:* %s", m.name, strings.Join(parts, " · ")))
	}
	return strings.Join(lines, "\n")
}

// breakdownTable is the per-group table, monospaced so the columns line
// up. Names are user-typed: escaped, cut, and kept from closing the block.
func (r statsReport) breakdownTable() string {
	const keyWidth = 22
	head := map[string]string{"source": "Source", "campaign": "Campaign", "rep": "Rep"}[r.q.by]
	var b strings.Builder
	fmt.Fprintf(&b, "*By %s* (top %d by handoffs%s)\n```\n", strings.ToLower(head), domain.BreakdownLimit, otherNote(r.breakdown))
	fmt.Fprintf(&b, "%s %8s  %-13s %-13s %-13s %-13s\n", pad(head, keyWidth), "Handoffs", "Accepted", "Accept SLA", "MQL→SQL", "Won")
	for _, row := range r.breakdown {
		name := row.Key
		switch {
		case row.Other:
			name = "Other"
		case name == "":
			name = "(none)"
		case r.breakdownLabels[name] != "":
			name = r.breakdownLabels[name]
		}
		name = escape(strings.ReplaceAll(truncateRunes(name, keyWidth), "`", "'"))
		fmt.Fprintf(&b, "%s %8d  %-13s %-13s %-13s %-13s\n", pad(name, keyWidth), row.Handoffs,
			short(row.Acceptance), short(row.AcceptSLA), short(row.MQLToSQL), short(row.WinRate))
	}
	b.WriteString("```")
	return b.String()
}

func otherNote(rows []domain.BreakdownRow) string {
	if slices.ContainsFunc(rows, func(r domain.BreakdownRow) bool { return r.Other }) {
		return ", the rest summed as Other"
	}
	return ""
}

// short is a Ratio for a table cell: "62% 31/50".
func short(r domain.Ratio) string {
	if !r.Defined() {
		return "— 0/0"
	}
	return fmt.Sprintf("%d%% %d/%d", r.Rounded(), r.Num, r.Den)
}

// pad fills s with spaces to width runes (escaping may make it longer on
// the wire; it still displays as width characters).
func pad(s string, width int) string {
	n := len([]rune(strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)))
	if n >= width {
		return s
	}
	return s + strings.Repeat(" ", width-n)
}
