package domain

import (
	"strings"
	"testing"
)

func TestStageBands(t *testing.T) {
	for _, c := range []struct {
		total float64
		want  Stage
	}{
		{20, StageUndefined}, {39, StageUndefined}, {39.5, StageUndefined},
		{40, StageDefined}, {59, StageDefined}, {59.5, StageDefined},
		{60, StageAligned}, {79, StageAligned}, {79.5, StageAligned},
		{80, StageIntegrated}, {100, StageIntegrated},
	} {
		if got := StageOf(c.total); got != c.want {
			t.Errorf("StageOf(%v) = %s, want %s", c.total, got, c.want)
		}
	}
}

func TestStatementsAreTwentyOwnWords(t *testing.T) {
	if len(Statements) != 20 {
		t.Fatalf("%d statements", len(Statements))
	}
	seen := map[string]bool{}
	for i, s := range Statements {
		if s.Text == "" || s.Short == "" || len(s.Text) > 2000 || seen[s.Text] {
			t.Errorf("statement %d: %+v", i+1, s)
		}
		seen[s.Text] = true
	}
	if !strings.Contains(SurveyCitation, "Ending the War Between Sales and Marketing") {
		t.Errorf("citation %q", SurveyCitation)
	}
}

func TestScores(t *testing.T) {
	var s Scores
	for i := range s {
		s[i] = 3
	}
	if s.Total() != 60 || s.Validate() != nil {
		t.Errorf("all 3s: total %d, %v", s.Total(), s.Validate())
	}
	s[7] = 6
	if err := s.Validate(); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "statement 8") {
		t.Errorf("a 6: %v", err)
	}
	s[7] = 0
	if s.Validate() == nil {
		t.Error("a 0 passed")
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{70}, 70}, {[]float64{80, 40}, 60}, {[]float64{61, 20, 99}, 61}, {[]float64{40, 59, 60, 100}, 59.5}} {
		if got := Median(c.xs); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
	if FormatScore(59.5) != "59.5" || FormatScore(60) != "60" {
		t.Errorf("FormatScore: %s %s", FormatScore(59.5), FormatScore(60))
	}
}
