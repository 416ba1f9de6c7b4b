package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// SurveyStore keeps survey rounds and answers; *storage.DB satisfies it.
type SurveyStore interface {
	OpenSurveyRound(ctx context.Context, openedBy string, at time.Time, msgs []domain.Message) (domain.SurveyRound, error)
	CurrentSurveyRound(ctx context.Context) (domain.SurveyRound, error)
	SaveSurveyAnswer(ctx context.Context, a domain.SurveyAnswer) error
	SurveyAnswer(ctx context.Context, round int64, userID string) (domain.SurveyAnswer, error)
	SurveyAnswers(ctx context.Context, round int64) ([]domain.SurveyAnswer, error)
}

// The survey's modal and button.
const (
	CallbackSurvey     = "survey_modal"
	ActionSurveyAnswer = "survey_answer"
)

// surveyMeta travels in the survey modal's private_metadata.
type surveyMeta struct {
	Round int64 `json:"r"`
}

// ratings are the five answers to every statement, as the modal shows them.
var ratings = []option{
	{"1", "1 · Strongly disagree"}, {"2", "2 · Disagree"}, {"3", "3 · Neither"},
	{"4", "4 · Agree"}, {"5", "5 · Strongly agree"},
}

// Survey answers /handoff survey [start|results].
func (a *App) Survey(ctx context.Context, cmd Command) error {
	switch strings.ToLower(strings.TrimSpace(cmd.Text)) {
	case "":
		return a.openSurvey(ctx, cmd.UserID, cmd.TriggerID, againCommand(cmd, "survey"))
	case "start":
		return a.startSurvey(ctx, cmd)
	case "results":
		return a.surveyResults(ctx, cmd)
	}
	return domain.Errorf(domain.EINVALID, "Use `/handoff survey` to answer, `/handoff survey start` to open a round (managers) or `/handoff survey results`.")
}

// SurveyButton is the "Answer the survey" button of the invitation DM.
func (a *App) SurveyButton(ctx context.Context, act Action) error {
	return a.openSurvey(ctx, act.UserID, act.TriggerID, againButton)
}

// surveyTeam is the team a person answers for; someone listed in both
// counts for sales.
func (a *App) surveyTeam(ctx context.Context, userID string) (string, error) {
	if ok, err := a.dir.in(ctx, userID, a.set.SalesTeam); err != nil || ok {
		return domain.TeamSales, err
	}
	if ok, err := a.dir.in(ctx, userID, a.set.MarketingTeam); err != nil || ok {
		return domain.TeamMarketing, err
	}
	return "", forbidden("The alignment survey is for the sales and marketing teams (SALES_TEAM and MARKETING_TEAM), and you are in neither.")
}

func (a *App) currentRound(ctx context.Context) (domain.SurveyRound, error) {
	r, err := a.surveys.CurrentSurveyRound(ctx)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return r, domain.Errorf(domain.EINVALID, "No survey round is open yet. A manager opens one with `/handoff survey start`.")
	}
	return r, err
}

// openSurvey shows the twenty statements, prefilled with the person's
// earlier answer in this round if there is one.
func (a *App) openSurvey(ctx context.Context, userID, triggerID, again string) error {
	if _, err := a.surveyTeam(ctx, userID); err != nil {
		return err
	}
	round, err := a.currentRound(ctx)
	if err != nil {
		return err
	}
	prev, err := a.surveys.SurveyAnswer(ctx, round.ID, userID)
	var earlier *domain.SurveyAnswer
	switch domain.ErrorCode(err) {
	case "":
		earlier = &prev
	case domain.ENOTFOUND:
	default:
		return err
	}
	return a.openModal(ctx, triggerID, again, surveyModal(round, earlier))
}

func surveyModal(round domain.SurveyRound, earlier *domain.SurveyAnswer) slack.ModalViewRequest {
	blocks := []slack.Block{
		mrkdwn("How well do sales and marketing work together here? Rate each statement from *1* (strongly disagree) to *5* (strongly agree). Results are reported per team; nobody sees your own answers."),
		contextLine(fmt.Sprintf("Round %d. The twenty themes of %s, in our own words.", round.ID, domain.SurveyCitation)),
	}
	if earlier != nil {
		blocks = append(blocks, contextLine("You have answered this round already, "+slackDate(earlier.AnsweredAt, "{date_short_pretty}")+": saving again replaces that answer."))
	}
	for i, s := range domain.Statements {
		initial := ""
		if earlier != nil {
			initial = strconv.Itoa(earlier.Scores[i])
		}
		blocks = append(blocks, selectInput(statementBlock(i), fmt.Sprintf("%d. %s", i+1, s.Text), ratings, initial))
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: CallbackSurvey,
		Title: plain("Alignment survey"), Submit: plain("Save answers"), Close: plain("Cancel"),
		PrivateMetadata: encodeMeta(surveyMeta{Round: round.ID}),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func statementBlock(i int) string { return fmt.Sprintf("statement_%02d", i+1) }

// SubmitSurvey saves the ratings; a second answer in a round replaces the
// first. The modal turns into a thank-you, which is the confirmation.
func (a *App) SubmitSurvey(ctx context.Context, s Submission) (SubmitResult, error) {
	meta, err := decodeMeta[surveyMeta](s.PrivateMetadata)
	if err != nil {
		return SubmitResult{}, err
	}
	scores, block := readScores(s.View.State)
	if block != "" {
		return errorsOn(block, "Choose from 1 to 5."), nil
	}
	team, err := a.surveyTeam(ctx, s.UserID)
	if domain.ErrorCode(err) == domain.EFORBIDDEN {
		return errorsOn(statementBlock(0), domain.ErrorMessage(err)), nil
	} else if err != nil {
		return SubmitResult{}, err
	}
	if round, err := a.currentRound(ctx); err != nil {
		return SubmitResult{}, err
	} else if round.ID != meta.Round {
		return errorsOn(statementBlock(0), fmt.Sprintf(
			"Survey round %d has started since this form was opened, so these answers would count for a round that is over. Close it and answer the new round with `/handoff survey`.",
			round.ID)), nil
	}
	answer := domain.SurveyAnswer{RoundID: meta.Round, UserID: s.UserID, Team: team, Scores: scores, AnsweredAt: a.now().UTC()}
	if err := a.surveys.SaveSurveyAnswer(ctx, answer); err != nil {
		return SubmitResult{}, err
	}
	done := slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("Alignment survey"), Close: plain("Done"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{mrkdwn(fmt.Sprintf(
			"✅ Thank you. Your answers count for %s (total %d of 100). You can change them until the next round opens: `/handoff survey`.",
			team, scores.Total()))}},
	}
	return SubmitResult{Response: slack.NewUpdateViewSubmissionResponse(&done)}, nil
}

// readScores takes the twenty ratings out of a submitted survey modal, or
// the block of the first statement without a rating from 1 to 5.
func readScores(state *slack.ViewState) (domain.Scores, string) {
	var scores domain.Scores
	for i := range scores {
		v, err := strconv.Atoi(value(state, statementBlock(i)))
		if err != nil || v < domain.MinScore || v > domain.MaxScore {
			return scores, statementBlock(i)
		}
		scores[i] = v
	}
	return scores, ""
}

// startSurvey opens a round and invites both teams by DM, through the
// outbox in the same transaction.
func (a *App) startSurvey(ctx context.Context, cmd Command) error {
	if ok, err := a.isManager(ctx, cmd.UserID); err != nil {
		return err
	} else if !ok {
		return forbidden("Only managers (MANAGERS) can open a survey round. You can answer the current one with `/handoff survey`.")
	}
	people, err := a.dir.members(ctx, append(append([]string{}, a.set.SalesTeam...), a.set.MarketingTeam...))
	if err != nil {
		return err
	}
	if len(people) == 0 {
		return domain.Errorf(domain.EINVALID, "Nobody to ask: SALES_TEAM and MARKETING_TEAM are empty.")
	}
	text := fmt.Sprintf("%s opened a round of the sales–marketing alignment survey: twenty statements, 1 to 5, about two minutes.", user(cmd.UserID))
	blocks := blocksJSON([]slack.Block{
		mrkdwn(text),
		contextLine("Based on " + domain.SurveyCitation + "."),
		slack.NewActionBlock("survey_actions", button(ActionSurveyAnswer, "Answer the survey", "", slack.StylePrimary)),
	})
	msgs := make([]domain.Message, len(people))
	for i, p := range people {
		msgs[i] = domain.Message{Channel: p, Text: text, Blocks: blocks, Purpose: "survey_invite"}
	}
	round, err := a.surveys.OpenSurveyRound(ctx, cmd.UserID, a.now().UTC().Truncate(time.Microsecond), msgs)
	if err != nil {
		return err
	}
	a.deliverNow(ctx, people...)
	return a.replyPrivately(ctx, cmd.ResponseURL, fmt.Sprintf(
		"Survey round %d is open. I've asked the %d people of sales and marketing by DM; `/handoff survey results` shows how it stands.", round.ID, len(people)))
}
