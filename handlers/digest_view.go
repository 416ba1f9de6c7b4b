package handlers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// digestTop is how many sources and campaigns the digest lists, and
// digestAttention how many overdue handoffs and open feedback items.
const (
	digestTop       = 10
	digestAttention = 5
)

// digest is one digest message: a title and mrkdwn sections, drawn as Block
// Kit for Slack and as text for the command line.
type digest struct {
	title    string
	sections []string
}

func (d digest) blocks() []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain(truncateRunes(d.title, maxHeaderText)))}
	for i, s := range d.sections {
		if i > 0 {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		blocks = append(blocks, mrkdwn(s))
	}
	return blocks
}

// fallback is the notification text.
func (d digest) fallback() string { return d.title }

var (
	mrkdwnDate    = regexp.MustCompile(`<!date\^\d+\^[^|>]*\|([^>]*)>`)
	mrkdwnMention = regexp.MustCompile(`<@([A-Z0-9]+)>`)
	mrkdwnLink    = regexp.MustCompile(`<([^|>]+)\|([^>]+)>`)
	plainText     = strings.NewReplacer("*", "", "&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// text renders the digest for a terminal: dates in UTC, mentions as user
// IDs, links as "text (url)", no bold, entities decoded.
func (d digest) text() string {
	var b strings.Builder
	b.WriteString(d.title + "\n" + strings.Repeat("=", len([]rune(d.title))) + "\n")
	for _, s := range d.sections {
		s = mrkdwnDate.ReplaceAllString(s, "$1")
		s = mrkdwnMention.ReplaceAllString(s, "@$1")
		s = mrkdwnLink.ReplaceAllString(s, "$2 ($1)")
		b.WriteString("\n" + plainText.Replace(s) + "\n")
	}
	return b.String()
}

// buildDigest gathers a period's figures, with the week before for
// comparison. A personal digest (personalFor a marketer) leads with their
// own handoffs and campaigns.
func (a *App) buildDigest(ctx context.Context, p domain.Period, personalFor string) (digest, error) {
	now := a.now()
	cur, err := a.digests.HandoffMetrics(ctx, p.Start, p.End, now)
	if err != nil {
		return digest{}, err
	}
	prevP := domain.Period{Start: p.Start.AddDate(0, 0, -7), End: p.End.AddDate(0, 0, -7)}
	prev, err := a.digests.HandoffMetrics(ctx, prevP.Start, prevP.End, now)
	if err != nil {
		return digest{}, err
	}
	fb, err := a.digests.FeedbackMetrics(ctx, p.Start, p.End)
	if err != nil {
		return digest{}, err
	}
	fbPrev, err := a.digests.FeedbackMetrics(ctx, prevP.Start, prevP.End)
	if err != nil {
		return digest{}, err
	}
	d := digest{title: "Weekly handoff digest · " + a.periodLabel(p)}
	if cur.Handoffs == 0 && fb.Created == 0 {
		d.sections = []string{"A quiet week: no handoffs and no feedback. Nothing to report."}
		return d, nil
	}
	if personalFor != "" {
		mine, err := a.personalSection(ctx, p, personalFor, now)
		if err != nil {
			return digest{}, err
		}
		d.sections = append(d.sections, mine)
	}
	d.sections = append(d.sections, headline(cur, prev), speedAndReasons(cur))
	tops, err := a.topSection(ctx, p, now)
	if err != nil {
		return digest{}, err
	}
	if tops != "" {
		d.sections = append(d.sections, tops)
	}
	d.sections = append(d.sections, feedbackSection(fb, fbPrev, a.set.Calendar.Location()))
	attention, err := a.attentionSection(ctx, now)
	if err != nil {
		return digest{}, err
	}
	if attention != "" {
		d.sections = append(d.sections, attention)
	}
	return d, nil
}

func (a *App) periodLabel(p domain.Period) string {
	loc := a.set.Calendar.Location()
	last := p.End.In(loc).Add(-time.Nanosecond)
	return p.Start.In(loc).Format("Mon 2 Jan") + " – " + last.Format("Mon 2 Jan 2006")
}

// headline is the week's main figures with their counts and the change
// from the week before.
func headline(m, prev domain.HandoffMetrics) string {
	lines := []string{
		fmt.Sprintf("*Handoffs:* %d (to sales %d · to marketing %d)%s", m.Handoffs, m.ToSales, m.ToMarketing, countChange(m.Handoffs, prev.Handoffs)),
		fmt.Sprintf("*Acceptance:* %s%s · %d pending", m.Acceptance, rateChange(m.Acceptance, prev.Acceptance), m.Pending),
		fmt.Sprintf("*Time to accept:* median %s · p90 %s (business time, %d decided)",
			orDash(m.TimeToAccept.Count, m.TimeToAccept.Median), orDash(m.TimeToAccept.Count, m.TimeToAccept.P90), m.TimeToAccept.Count),
		fmt.Sprintf("*Accept SLA met:* %s%s", m.AcceptSLA, rateChange(m.AcceptSLA, prev.AcceptSLA)),
		fmt.Sprintf("*First-touch SLA met:* %s%s", m.FirstTouchSLA, rateChange(m.FirstTouchSLA, prev.FirstTouchSLA)),
		fmt.Sprintf("*MQL → SQL:* %s%s", m.MQLToSQL, rateChange(m.MQLToSQL, prev.MQLToSQL)),
		fmt.Sprintf("*Wins:* %d%s · win rate %s · recycled %s", m.WinRate.Num, countChange(m.WinRate.Num, prev.WinRate.Num), m.WinRate, m.RecycleRate),
	}
	return strings.Join(lines, "\n")
}

func orDash(n int, d time.Duration) string {
	if n == 0 {
		return "—"
	}
	return humanDuration(d)
}

// countChange is " ▲ 3", " ▼ 2" or "" against last week.
func countChange(now, before int) string {
	switch {
	case now > before:
		return fmt.Sprintf(" ▲ %d", now-before)
	case now < before:
		return fmt.Sprintf(" ▼ %d", before-now)
	}
	return ""
}

// rateChange is the change in percentage points, when both weeks had any.
func rateChange(now, before domain.Ratio) string {
	if !now.Defined() || !before.Defined() {
		return ""
	}
	diff := now.Rounded() - before.Rounded()
	switch {
	case diff > 0:
		return fmt.Sprintf(" ▲ %d pts", diff)
	case diff < 0:
		return fmt.Sprintf(" ▼ %d pts", -diff)
	}
	return ""
}

func speedAndReasons(m domain.HandoffMetrics) string {
	s := m.SpeedToLead
	lines := []string{fmt.Sprintf("*Speed to lead* (wall time to first touch): ≤ 5 min %d · ≤ 1 h %d · ≤ 24 h %d · &gt; 24 h %d · not yet %d",
		s.Within5Min, s.Within1Hour, s.Within24Hours, s.Over24Hours, s.NotYet)}
	for _, mix := range []struct {
		name    string
		reasons []domain.Reason
		counts  []domain.ReasonCount
	}{
		{"Rejected", domain.RejectReasons, m.Rejections},
		{"Returned", domain.ReturnReasons, m.Returns},
		{"Lost", domain.LostReasons, m.Losses},
	} {
		if len(mix.counts) == 0 {
			continue
		}
		var parts []string
		for _, c := range mix.counts {
			parts = append(parts, fmt.Sprintf("%s %d", domain.ReasonLabel(mix.reasons, c.Reason), c.Count))
		}
		lines = append(lines, fmt.Sprintf("*%s:* %s", mix.name, strings.Join(parts, " · ")))
	}
	return strings.Join(lines, "\n")
}

// topSection lists the top sources and campaigns with acceptance and
// conversion.
func (a *App) topSection(ctx context.Context, p domain.Period, now time.Time) (string, error) {
	var lines []string
	for _, by := range []string{"source", "campaign"} {
		rows, err := a.digests.HandoffBreakdown(ctx, p.Start, p.End, now, by)
		if err != nil {
			return "", err
		}
		rows = slices.DeleteFunc(rows, func(r domain.BreakdownRow) bool { return r.Other || r.Key == "" })
		if len(rows) == 0 {
			continue
		}
		lines = append(lines, fmt.Sprintf("*Top %ss*", by))
		for _, r := range rows[:min(len(rows), digestTop)] {
			lines = append(lines, breakdownLine(r))
		}
	}
	return strings.Join(lines, "\n"), nil
}

func breakdownLine(r domain.BreakdownRow) string {
	return fmt.Sprintf("• %s — %d %s · accepted %s · MQL → SQL %s",
		escape(truncateRunes(r.Key, 60)), r.Handoffs, plural(r.Handoffs, "handoff"), r.Acceptance, r.MQLToSQL)
}

func (a *App) personalSection(ctx context.Context, p domain.Period, marketer string, now time.Time) (string, error) {
	m, err := a.digests.HandoffMetricsBy(ctx, p.Start, p.End, now, marketer)
	if err != nil {
		return "", err
	}
	lines := []string{fmt.Sprintf("*Your handoffs, %s:* %d · accepted %s · MQL → SQL %s · won %d",
		user(marketer), m.Handoffs, m.Acceptance, m.MQLToSQL, m.WinRate.Num)}
	camps, err := a.digests.CampaignsBy(ctx, p.Start, p.End, now, marketer)
	if err != nil {
		return "", err
	}
	for _, c := range camps {
		if c.Key != "" && len(lines) <= digestTop {
			lines = append(lines, breakdownLine(c))
		}
	}
	return strings.Join(lines, "\n"), nil
}

func feedbackSection(m, prev domain.FeedbackMetrics, loc *time.Location) string {
	var cats []string
	for _, c := range domain.FeedbackCategories {
		if n := m.ByCategory[c.Code]; n > 0 {
			cats = append(cats, fmt.Sprintf("%s %d", c.Label, n))
		}
	}
	by := ""
	if len(cats) > 0 {
		by = " (" + strings.Join(cats, " · ") + ")"
	}
	median := "—"
	if m.Acknowledged > 0 {
		median = humanDuration(time.Duration(m.MedianResponseSecs) * time.Second)
	}
	return fmt.Sprintf("*Feedback from the field:* %d new%s%s\nAcknowledged %d · resolved %d · median response %s (business time) · loop closed %s%s",
		m.Created, by, countChange(m.Created, prev.Created), m.Acknowledged, m.Resolved, median, m.LoopClosure, rateChange(m.LoopClosure, prev.LoopClosure))
}

// attentionSection lists handoffs past an SLA and the oldest open
// feedback, with links, so the digest ends with what to do.
func (a *App) attentionSection(ctx context.Context, now time.Time) (string, error) {
	overdue, err := a.digests.OverdueHandoffs(ctx, now, digestAttention)
	if err != nil {
		return "", err
	}
	open, err := a.digests.OldestOpenFeedback(ctx, digestAttention)
	if err != nil {
		return "", err
	}
	if len(overdue) == 0 && len(open) == 0 {
		return "", nil
	}
	lines := []string{"*Needs attention*"}
	for _, h := range overdue {
		label, when := a.cards.due(h)
		lines = append(lines, fmt.Sprintf("• %s · %s · %s %s", a.handoffRef(h), user(h.Assignee), strings.ToLower(label), when))
	}
	for _, f := range open {
		lines = append(lines, "• "+a.feedbackLine(ctx, f))
	}
	return strings.Join(lines, "\n"), nil
}

// handoffRef names a handoff, linked to its card when it has one.
func (a *App) handoffRef(h domain.Handoff) string {
	if h.CardPermalink != "" {
		return link(h.CardPermalink, h.Lead.Name) + companySuffix(h)
	}
	return "*" + escape(h.Lead.Name) + "*" + companySuffix(h)
}
