package handlers

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// minSurveyAnswers is how many answers a team needs before its results
// are shown: with fewer, a median or a statement's mean could give away
// what one person answered.
const minSurveyAnswers = 5

// teamResult sums up one team's answers in a round.
type teamResult struct {
	Responses int
	// Withheld: fewer than minSurveyAnswers answers, so only their
	// number is kept.
	Withheld bool
	Median   float64 // of the totals, 20–100
	Stage    domain.Stage
	Means    [domain.SurveyItems]float64 // per statement
}

// shown says whether the team's figures may be shown.
func (t teamResult) shown() bool { return t.Responses > 0 && !t.Withheld }

// statementGap is how differently the teams rate one statement.
type statementGap struct {
	N                int // statement number, 1–20
	Sales, Marketing float64
}

func (g statementGap) size() float64 { return math.Abs(g.Sales - g.Marketing) }

// surveySummary is a round's result: per team, and the statements the
// teams see most differently (HBR: the gap is itself the finding).
type surveySummary struct {
	Sales, Marketing teamResult
	TopGaps          []statementGap // up to 3, largest first; empty unless both teams answered
}

func summarize(answers []domain.SurveyAnswer) surveySummary {
	var s surveySummary
	byTeam := map[string][]domain.Scores{}
	for _, a := range answers {
		byTeam[a.Team] = append(byTeam[a.Team], a.Scores)
	}
	s.Sales, s.Marketing = teamOf(byTeam[domain.TeamSales]), teamOf(byTeam[domain.TeamMarketing])
	if !s.Sales.shown() || !s.Marketing.shown() {
		return s
	}
	gaps := make([]statementGap, domain.SurveyItems)
	for i := range gaps {
		gaps[i] = statementGap{N: i + 1, Sales: s.Sales.Means[i], Marketing: s.Marketing.Means[i]}
	}
	sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].size() > gaps[j].size() })
	for _, g := range gaps[:3] {
		if g.size() > 0 {
			s.TopGaps = append(s.TopGaps, g)
		}
	}
	return s
}

func teamOf(scores []domain.Scores) teamResult {
	t := teamResult{Responses: len(scores)}
	if t.Responses < minSurveyAnswers {
		t.Withheld = t.Responses > 0
		return t
	}
	totals := make([]float64, len(scores))
	for i, sc := range scores {
		totals[i] = float64(sc.Total())
		for j, v := range sc {
			t.Means[j] += float64(v) / float64(len(scores))
		}
	}
	t.Median = domain.Median(totals)
	t.Stage = domain.StageOf(t.Median)
	return t
}

// measuredWindow is how far back the bot's own figures for statements 6,
// 12 and 14 look.
const measuredWindow = 90 * 24 * time.Hour

// surveyResults posts a round's results in the channel for both teams.
func (a *App) surveyResults(ctx context.Context, cmd Command) error {
	round, err := a.currentRound(ctx)
	if err != nil {
		return err
	}
	answers, err := a.surveys.SurveyAnswers(ctx, round.ID)
	if err != nil {
		return err
	}
	if len(answers) == 0 {
		return domain.Errorf(domain.EINVALID, "Nobody has answered survey round %d yet.", round.ID)
	}
	s := summarize(answers)
	if !s.Sales.shown() && !s.Marketing.shown() {
		return domain.Errorf(domain.EINVALID,
			"Not enough answers yet to keep them anonymous: survey round %d has %d from sales and %d from marketing, and a team's results show once it has %d.",
			round.ID, s.Sales.Responses, s.Marketing.Responses, minSurveyAnswers)
	}
	measured := a.measuredFigures(ctx)
	text := fmt.Sprintf("Alignment survey round %d: sales %s, marketing %s.", round.ID, teamLine(s.Sales), teamLine(s.Marketing))
	_, _, err = a.slack.PostMessageContext(ctx, cmd.ChannelID, slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(resultBlocks(round, s, measured)...))
	return notInChannel(err, "post the survey results")
}

// measuredFigures are what the bot itself saw for statements 6, 12 and 14
// over the last 90 days; a figure that cannot be had is left out.
func (a *App) measuredFigures(ctx context.Context) map[int]string {
	now := a.now()
	from := now.Add(-measuredWindow)
	out := map[int]string{}
	if fb, err := a.metrics.FeedbackMetrics(ctx, from, now); err == nil {
		out[6] = fmt.Sprintf("%d feedback items from the field in 90 days, %d answered by marketing, %s resolved",
			fb.Created, fb.Acknowledged, fb.LoopClosure)
	} else {
		a.log.WarnContext(ctx, "survey: feedback figure left out", "error", err)
	}
	if n, err := a.metrics.CountStatsRequests(ctx, from, now); err == nil {
		out[12] = fmt.Sprintf("the shared stats were asked for %d times in 90 days", n)
	} else {
		a.log.WarnContext(ctx, "survey: stats figure left out", "error", err)
	}
	if m, err := a.metrics.HandoffMetrics(ctx, from, now, now); err == nil {
		out[14] = fmt.Sprintf("%d handoffs through the funnel in 90 days: accepted %s, MQL→SQL %s, won %s",
			m.Handoffs, m.Acceptance, m.MQLToSQL, m.WinRate)
	} else {
		a.log.WarnContext(ctx, "survey: funnel figure left out", "error", err)
	}
	return out
}

func teamLine(t teamResult) string {
	switch {
	case t.Responses == 0:
		return "no answers yet"
	case t.Withheld:
		return fmt.Sprintf("not enough answers yet to keep them anonymous (%d of the %d needed)", t.Responses, minSurveyAnswers)
	}
	return fmt.Sprintf("%d %s, median %s of 100, %s", t.Responses, plural(t.Responses, "response"), domain.FormatScore(t.Median), t.Stage)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func resultBlocks(round domain.SurveyRound, s surveySummary, measured map[int]string) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(fmt.Sprintf("🤝 Sales–marketing alignment, survey round %d", round.ID))),
		contextLine("Stages: 20–39 Undefined · 40–59 Defined · 60–79 Aligned · 80–100 Integrated. After " + domain.SurveyCitation + "."),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			md("*Sales*\n" + teamLine(s.Sales)), md("*Marketing*\n" + teamLine(s.Marketing)),
		}, nil),
		mrkdwn(gapLine(s)),
	}
	if len(s.TopGaps) > 0 {
		var lines []string
		for _, g := range s.TopGaps {
			lines = append(lines, fmt.Sprintf("%d. %s — sales %.1f, marketing %.1f", g.N, domain.Statements[g.N-1].Short, g.Sales, g.Marketing))
		}
		blocks = append(blocks, mrkdwn("*Seen most differently*\n"+strings.Join(lines, "\n")))
	}
	var lines []string
	for _, n := range []int{6, 12, 14} {
		fig, ok := measured[n]
		if !ok {
			continue
		}
		lines = append(lines, fmt.Sprintf("%d. %s — rated: sales %s, marketing %s\n      _measured: %s_", n, domain.Statements[n-1].Short,
			meanOf(s.Sales, n), meanOf(s.Marketing, n), fig))
	}
	if len(lines) > 0 {
		blocks = append(blocks, mrkdwn("*What people say, next to what the bot measured*\n"+strings.Join(lines, "\n")))
	}
	return blocks
}

func meanOf(t teamResult, n int) string {
	if !t.shown() {
		return "—"
	}
	return fmt.Sprintf("%.1f", t.Means[n-1])
}

func gapLine(s surveySummary) string {
	if !s.Sales.shown() || !s.Marketing.shown() {
		return fmt.Sprintf("*Gap:* — (it needs at least %d answers from each team)", minSurveyAnswers)
	}
	d := s.Marketing.Median - s.Sales.Median
	switch {
	case d > 0:
		return fmt.Sprintf("*Gap:* %s points — marketing rates the relationship higher than sales does.", domain.FormatScore(d))
	case d < 0:
		return fmt.Sprintf("*Gap:* %s points — sales rates the relationship higher than marketing does.", domain.FormatScore(-d))
	}
	return "*Gap:* none — both teams give the same median."
}
