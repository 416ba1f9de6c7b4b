package domain

import (
	"fmt"
	"slices"
	"time"
)

// SurveyCitation names the article the alignment survey follows; the
// statements are our paraphrase of its twenty themes, not its wording.
const SurveyCitation = "Kotler, Rackham and Krishnaswamy, “Ending the War Between Sales and Marketing”, Harvard Business Review, July–August 2006"

// Statement is one of the survey's twenty themes: the full sentence people
// rate, and a short name for results.
type Statement struct {
	Text  string
	Short string
}

// Statements are the twenty themes of the HBR diagnostic in our own
// words, in its order (statement n is Statements[n-1]); people rate each
// from 1 (strongly disagree) to 5 (strongly agree).
var Statements = [SurveyItems]Statement{
	{"Our sales forecasts usually turn out close to what we actually sell.", "Forecasts match actual sales"},
	{"When results disappoint, neither team points the finger at the other.", "No blame when results disappoint"},
	{"Marketers join conversations with important customers while a deal is in progress.", "Marketers meet key customers"},
	{"Sales has a real say in writing the marketing plan.", "Sales shapes the marketing plan"},
	{"Salespeople find the material marketing produces useful in front of customers.", "Marketing material is useful"},
	{"Sales readily passes on the feedback from the field that marketing asks for.", "Sales gives marketing feedback"},
	{"The two teams mean the same thing by the same words, such as what makes a lead qualified.", "Common language"},
	{"The heads of sales and marketing regularly discuss early questions together: new ideas, what the market is saying, where the product should go.", "Heads discuss upstream questions"},
	{"The teams work out together how each customer segment goes about buying.", "Segments' buying defined together"},
	{"When the teams meet, little of the time goes to settling disagreements.", "Meetings free of disputes"},
	{"The heads of sales and marketing plan together what we will offer two or more years from now.", "Long-range offering plans together"},
	{"Both teams are judged and rewarded by the same numbers.", "Judged by common metrics"},
	{"Marketing helps decide how we approach our most important accounts.", "Marketing shapes key accounts"},
	{"Leads move through one funnel whose stages sales and marketing defined together.", "One jointly defined funnel"},
	{"Marketing uses what the funnel data shows to make the pipeline more predictable.", "Funnel data makes pipeline predictable"},
	{"People in both teams feel that they succeed or fail together.", "Rise or fall together"},
	{"Sales and marketing answer to one leader who is responsible for revenue.", "One revenue leader"},
	{"People move between sales and marketing jobs over their careers here.", "People move between teams"},
	{"The teams take part in training and events together.", "Joint training and events"},
	{"Each team helps present the other's plans to senior management.", "Present each other's plans"},
}

// Survey bounds: twenty statements rated 1–5 give a total of 20–100.
const (
	SurveyItems = 20
	MinScore    = 1
	MaxScore    = 5
)

// Stage is where a survey total places the relationship (HBR's four
// stages, docs/metrics.md).
type Stage string

// The stages, from worst to best.
const (
	StageUndefined  Stage = "Undefined"
	StageDefined    Stage = "Defined"
	StageAligned    Stage = "Aligned"
	StageIntegrated Stage = "Integrated"
)

// StageOf places a total (or a median of totals, which may end in .5):
// 20–39 Undefined, 40–59 Defined, 60–79 Aligned, 80–100 Integrated. A
// median between two bands (59.5) has not reached the upper one.
func StageOf(total float64) Stage {
	switch {
	case total < 40:
		return StageUndefined
	case total < 60:
		return StageDefined
	case total < 80:
		return StageAligned
	}
	return StageIntegrated
}

// Scores are one person's ratings, statement n at index n-1.
type Scores [SurveyItems]int

// Validate checks every statement is rated 1–5.
func (s Scores) Validate() error {
	for i, v := range s {
		if v < MinScore || v > MaxScore {
			return Errorf(EINVALID, "Rate statement %d from %d to %d.", i+1, MinScore, MaxScore)
		}
	}
	return nil
}

// Total is the survey score, 20–100 for a valid answer.
func (s Scores) Total() int {
	t := 0
	for _, v := range s {
		t += v
	}
	return t
}

// Median is the continuous median (as Postgres percentile_cont(0.5)): the
// middle value, or the mean of the two middle values. It is 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// FormatScore shows a median or mean without a needless ".0": "62", "61.5".
func FormatScore(x float64) string {
	if x == float64(int(x)) {
		return fmt.Sprintf("%d", int(x))
	}
	return fmt.Sprintf("%.1f", x)
}

// SurveyRound is one run of the alignment survey; the newest is the one
// people answer.
type SurveyRound struct {
	ID       int64     `db:"id"`
	OpenedBy string    `db:"opened_by"`
	OpenedAt time.Time `db:"opened_at"`
}

// Teams a survey answer counts for.
const (
	TeamSales     = "sales"
	TeamMarketing = "marketing"
)

// SurveyAnswer is one person's ratings in one round.
type SurveyAnswer struct {
	RoundID    int64
	UserID     string
	Team       string // TeamSales or TeamMarketing
	Scores     Scores
	AnsweredAt time.Time
}
