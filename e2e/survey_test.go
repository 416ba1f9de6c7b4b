package e2e

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// ratingText is the option people pick for a score.
var ratingText = map[int]string{1: "1 · Strongly disagree", 2: "2 · Disagree", 3: "3 · Neither", 4: "4 · Agree", 5: "5 · Strongly agree"}

// answerSurvey fills the survey modal with scores (statement n at n-1) and
// submits it, checking the thank-you that replaces it.
func (w *world) answerSurvey(form *fakeslack.View, scores domain.Scores) {
	w.T.Helper()
	if got := len(form.Labels()); got != domain.SurveyItems {
		w.T.Fatalf("survey modal has %d inputs: %q", got, form.Labels())
	}
	for i, s := range domain.Statements {
		form.Select(fmt.Sprintf("%d. %s", i+1, s.Text), ratingText[scores[i]])
	}
	sub := form.Submit(w.T)
	if sub.ResponseAction != "update" || sub.View == nil {
		w.T.Fatalf("survey submit: %+v", sub)
	}
	mustContain(w.T, "thank-you", sub.View.Text(), "Thank you", "total "+strconv.Itoa(scores.Total())+" of 100")
}

func scores(v int, changes map[int]int) domain.Scores {
	var s domain.Scores
	for i := range s {
		s[i] = v
	}
	for n, x := range changes {
		s[n-1] = x
	}
	return s
}

// A manager opens a round; both teams (five people each) are invited by
// DM and answer; a second answer replaces the first; the results give each
// team's median, stage and the gap, the statements seen most differently,
// and the bot's own figures next to statements 6, 12 and 14.
func TestSurveyRoundWithBothTeams(t *testing.T) {
	t.Parallel()
	w := newWorld(t, withReps("sales", "marketing"))
	w.User(fox).Slash(t, handoffChannel, "/handoff survey")
	w.User(fox).ExpectEphemeral(t, "No survey round is open yet")
	w.User(fox).Slash(t, handoffChannel, "/handoff survey start")
	w.User(fox).ExpectEphemeral(t, "Only managers")

	w.User(skinner).Slash(t, handoffChannel, "/handoff survey start")
	w.User(skinner).ExpectEphemeral(t, "Survey round 1 is open. I've asked the 10 people")
	invites := map[string]*fakeslack.Message{}
	for _, u := range []string{fox, walter, "USALES1", "USALES2", "USALES3", monica, john, "UMARKETING1", "UMARKETING2", "UMARKETING3"} {
		invites[u] = w.User(u).ExpectDM(t, "opened a round of the sales–marketing alignment survey")
	}
	// sales: fox 39, then replaced by 56, walter 40, and 40, 60, 60;
	// marketing: monica 80, john 63, and 80, 60, 60. Statement 14 (one
	// funnel): sales 1, 2, 2, 3, 3; marketing 4, 5, 4, 3, 3.
	answers := []struct {
		who    string
		scores domain.Scores
	}{
		{fox, scores(2, map[int]int{14: 1})},             // 39
		{walter, scores(2, nil)},                         // 40
		{"USALES1", scores(2, nil)},                      // 40
		{"USALES2", scores(3, nil)},                      // 60
		{"USALES3", scores(3, nil)},                      // 60
		{monica, scores(4, nil)},                         // 80
		{john, scores(3, map[int]int{14: 5, 6: 4})},      // 63
		{"UMARKETING1", scores(4, nil)},                  // 80
		{"UMARKETING2", scores(3, nil)},                  // 60
		{"UMARKETING3", scores(3, nil)},                  // 60
		{fox, scores(3, map[int]int{14: 1, 1: 2, 2: 2})}, // 56: replaces 39
	}
	for i, a := range answers {
		if i < len(answers)-1 {
			w.User(a.who).Click(t, invites[a.who], "Answer the survey")
		} else {
			w.User(a.who).Slash(t, handoffChannel, "/handoff survey")
		}
		form := w.User(a.who).ExpectModal(t)
		if i == len(answers)-1 {
			mustContain(t, "re-answer", form.Text(), "saving again replaces that answer")
		}
		w.answerSurvey(form, a.scores)
	}
	w.User(krycek).Slash(t, handoffChannel, "/handoff survey")
	w.User(krycek).ExpectEphemeral(t, "for the sales and marketing teams")

	w.User(fox).Slash(t, handoffChannel, "/handoff survey results")
	res := w.Channel().ExpectMessage(t, "Alignment survey round 1")
	// sales totals 40, 40, 56, 60, 60 → median 56, Defined; marketing 60,
	// 60, 63, 80, 80 → 63, Aligned; gap 7 points.
	mustContain(t, "results", res.Text(),
		"sales 5 responses, median 56 of 100, Defined", "marketing 5 responses, median 63 of 100, Aligned",
		"*Gap:* 7 points — marketing rates the relationship higher",
		"14. One jointly defined funnel — sales 2.2, marketing 3.8",
		"6. Sales gives marketing feedback — rated: sales 2.6, marketing 3.6", "_measured: 0 feedback items",
		"12. Judged by common metrics", "the shared stats were asked for 0 times in 90 days",
		"_measured: 0 handoffs through the funnel", "Ending the War Between Sales and Marketing")
	w.Finish()
}
