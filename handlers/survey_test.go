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
	// sales: totals 39 and 58 → median 48.5 (Defined); marketing: 80, 70
	// and 79 → median 79 (Aligned); statement 14 is where they differ most.
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
		{Team: domain.TeamMarketing, Scores: mk}, {Team: domain.TeamMarketing, Scores: mk2}, {Team: domain.TeamMarketing, Scores: mk3},
	}
	s := summarize(answers)
	if s.Sales.Responses != 2 || s.Sales.Median != 48.5 || s.Sales.Stage != domain.StageDefined {
		t.Errorf("sales %+v", s.Sales)
	}
	if s.Marketing.Responses != 3 || s.Marketing.Median != 79 || s.Marketing.Stage != domain.StageAligned {
		t.Errorf("marketing %+v", s.Marketing)
	}
	if len(s.TopGaps) != 3 || s.TopGaps[0].N != 14 || s.TopGaps[0].Sales != 1 || s.TopGaps[0].Marketing != 4 {
		t.Errorf("top gaps %+v", s.TopGaps)
	}
	if got := gapLine(s); got != "*Gap:* 30.5 points — marketing rates the relationship higher than sales does." {
		t.Errorf("gap line %q", got)
	}
	one := summarize(answers[:2])
	if one.Marketing.Responses != 0 || len(one.TopGaps) != 0 || gapLine(one) != "*Gap:* — (it needs answers from both teams)" {
		t.Errorf("one team only: %+v %q", one, gapLine(one))
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
