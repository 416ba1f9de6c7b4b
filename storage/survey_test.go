package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestSurveyRoundsAndAnswers(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	if _, err := db.CurrentSurveyRound(ctx); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("no round yet: %v", err)
	}
	invite := domain.Message{Channel: "UFOX", Text: "answer the survey", Purpose: "survey_invite"}
	r1, err := db.OpenSurveyRound(ctx, "USKINNER", t0, []domain.Message{invite})
	if err != nil {
		t.Fatal(err)
	}
	var queued int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM outbox WHERE purpose = 'survey_invite' AND channel = 'UFOX'`).Scan(&queued); err != nil || queued != 1 {
		t.Errorf("invitation queued %d times (%v)", queued, err)
	}
	var s domain.Scores
	for i := range s {
		s[i] = 2
	}
	save := func(user, team string, sc domain.Scores) error {
		return db.SaveSurveyAnswer(ctx, domain.SurveyAnswer{RoundID: r1.ID, UserID: user, Team: team, Scores: sc, AnsweredAt: t0})
	}
	if err := save("UFOX", domain.TeamSales, s); err != nil {
		t.Fatal(err)
	}
	s[19] = 5
	if err := save("UFOX", domain.TeamSales, s); err != nil { // replaces the first
		t.Fatal(err)
	}
	bad := s
	bad[3] = 6
	if err := save("UMONICA", domain.TeamMarketing, bad); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("score 6 saved: %v", err)
	}
	got, err := db.SurveyAnswers(ctx, r1.ID)
	if err != nil || len(got) != 1 || got[0].Scores != s || got[0].Scores.Total() != 43 || got[0].Team != domain.TeamSales {
		t.Fatalf("answers %+v, %v", got, err)
	}
	r2, err := db.OpenSurveyRound(ctx, "USKINNER", t0.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cur, err := db.CurrentSurveyRound(ctx); err != nil || cur.ID != r2.ID || cur.ID == r1.ID {
		t.Errorf("current %+v, %v", cur, err)
	}
	if _, err := db.SurveyAnswer(ctx, r2.ID, "UFOX"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("answer in a new round: %v", err)
	}
	if err := db.RecordStatsRequest(ctx, domain.StatsRequest{UserID: "USKINNER", Channel: "C1", Period: "30d", At: t0}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountStatsRequests(ctx, t0.Add(-time.Hour), t0.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("stats requests %d, %v", n, err)
	}
}
