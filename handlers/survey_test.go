package handlers

import (
	"testing"

	"github.com/handoffbot/handoffbot/domain"
)

func uniform(v int) domain.Scores {
	var s domain.Scores
	for i := range s {
		s[i] = v
	}
	return s
}

func TestSummarize(t *testing.T) {
	// sales: totals 39, 40, 58, 60 and 60 → median 58 (Defined);
	// marketing: 80, 70, 79, 80 and 80 → median 80 (Integrated);
	// statement 14 is where they differ most (sales 2.0, marketing 4).
	mk := uniform(4)  // 80
	mk2 := uniform(4) // 70 below
	for i := range 10 {
		mk2[i] = 3
	}
	mk3 := uniform(4)
	mk3[0] = 3 // 79
	sales1, sales2 := uniform(2), uniform(3)
	sales1[13], sales2[13] = 1, 1 // statement 14
	answers := []domain.SurveyAnswer{
		{Team: domain.TeamSales, Scores: sales1}, {Team: domain.TeamSales, Scores: sales2},
		{Team: domain.TeamSales, Scores: uniform(2)}, {Team: domain.TeamSales, Scores: uniform(3)}, {Team: domain.TeamSales, Scores: uniform(3)},
		{Team: domain.TeamMarketing, Scores: mk}, {Team: domain.TeamMarketing, Scores: mk2}, {Team: domain.TeamMarketing, Scores: mk3},
		{Team: domain.TeamMarketing, Scores: uniform(4)}, {Team: domain.TeamMarketing, Scores: uniform(4)},
	}
	s := summarize(answers)
	if s.Sales.Responses != 5 || s.Sales.Withheld || s.Sales.Median != 58 || s.Sales.Stage != domain.StageDefined {
		t.Errorf("sales %+v", s.Sales)
	}
	if s.Marketing.Responses != 5 || s.Marketing.Withheld || s.Marketing.Median != 80 || s.Marketing.Stage != domain.StageIntegrated {
		t.Errorf("marketing %+v", s.Marketing)
	}
	if len(s.TopGaps) != 3 || s.TopGaps[0].N != 14 || s.TopGaps[0].Sales != 2 || s.TopGaps[0].Marketing != 4 {
		t.Errorf("top gaps %+v", s.TopGaps)
	}
	if got := gapLine(s); got != "*Gap:* 22 points — marketing rates the relationship higher than sales does." {
		t.Errorf("gap line %q", got)
	}
}

// A team with fewer than five answers is withheld: only its number of
// answers is kept, so no median, stage, statement mean or gap can give
// away what one person answered. The other team, with five, is shown.
func TestSummarizeWithholdsATeamOfFewerThanFive(t *testing.T) {
	answers := func(sales, marketing int) []domain.SurveyAnswer {
		var out []domain.SurveyAnswer
		for range sales {
			out = append(out, domain.SurveyAnswer{Team: domain.TeamSales, Scores: uniform(2)})
		}
		for range marketing {
			out = append(out, domain.SurveyAnswer{Team: domain.TeamMarketing, Scores: uniform(4)})
		}
		return out
	}
	const withheld = "not enough answers yet to keep them anonymous"
	for _, c := range []struct {
		sales, marketing   int
		salesLine, mktLine string
	}{
		{1, 0, withheld + " (1 of the 5 needed)", "no answers yet"},
		{4, 5, withheld + " (4 of the 5 needed)", "5 responses, median 80 of 100, Integrated"},
		{5, 4, "5 responses, median 40 of 100, Defined", withheld + " (4 of the 5 needed)"},
	} {
		s := summarize(answers(c.sales, c.marketing))
		if got := teamLine(s.Sales); got != c.salesLine {
			t.Errorf("%d/%d: sales %q, want %q", c.sales, c.marketing, got, c.salesLine)
		}
		if got := teamLine(s.Marketing); got != c.mktLine {
			t.Errorf("%d/%d: marketing %q, want %q", c.sales, c.marketing, got, c.mktLine)
		}
		for _, team := range []teamResult{s.Sales, s.Marketing} {
			if team.Withheld && (team.Median != 0 || team.Means != [domain.SurveyItems]float64{} || meanOf(team, 14) != "—") {
				t.Errorf("%d/%d: a withheld team keeps figures: %+v", c.sales, c.marketing, team)
			}
		}
		if len(s.TopGaps) != 0 || gapLine(s) != "*Gap:* — (it needs at least 5 answers from each team)" {
			t.Errorf("%d/%d: gaps %+v, %q", c.sales, c.marketing, s.TopGaps, gapLine(s))
		}
	}
}

// The survey modal fits Slack's limits: 20 required 1–5 inputs, under 100
// blocks, a title of at most 24 characters.
func TestSurveyModalFitsSlack(t *testing.T) {
	v := surveyModal(domain.SurveyRound{ID: 3}, &domain.SurveyAnswer{Scores: uniform(4)})
	inputs := 0
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(interface{ ID() string }); ok && len(in.ID()) > 10 && in.ID()[:10] == "statement_" {
			inputs++
		}
	}
	if inputs != 20 || len(v.Blocks.BlockSet) > maxModalBlocks || len([]rune(v.Title.Text)) > 24 {
		t.Errorf("%d inputs, %d blocks, title %q", inputs, len(v.Blocks.BlockSet), v.Title.Text)
	}
	if len(ratings) != 5 || ratings[0].value != "1" || ratings[4].value != "5" {
		t.Errorf("ratings %v", ratings)
	}
}
