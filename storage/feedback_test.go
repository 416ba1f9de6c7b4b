package storage_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

const feedbackChannel = "CFEEDBACK"

func day(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}

func root(f domain.Feedback) domain.Message {
	return domain.Message{Channel: feedbackChannel, Text: fmt.Sprintf("feedback #%d", f.ID), Purpose: "feedback_root"}
}

func mustFeedback(t *testing.T, db *storage.DB, author string, cat domain.Category, created time.Time) domain.Feedback {
	t.Helper()
	f, err := db.CreateFeedback(context.Background(), domain.NewFeedback{
		Feedback: domain.Feedback{Category: cat, Text: "heard in the field", CreatedBy: author, CreatedAt: created},
		Root:     root,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustChange(t *testing.T, db *storage.DB, f domain.Feedback, to domain.FeedbackState, at time.Time, secs float64) domain.Feedback {
	t.Helper()
	after, err := db.ChangeFeedback(context.Background(), domain.FeedbackChange{FeedbackID: f.ID, Expected: f.State,
		To: to, Actor: "UMKT", At: at, ResponseSecs: secs, Resolution: "changed"})
	if err != nil {
		t.Fatal(err)
	}
	return after
}

// mustPostRoot plays the delivery: Slack took the root as ts. It returns
// the root's text.
func mustPostRoot(t *testing.T, db *storage.DB, ts string) string {
	t.Helper()
	m, err := db.NextOutgoing(context.Background(), feedbackChannel)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(context.Background(), m.ID, ts, t0); err != nil {
		t.Fatal(err)
	}
	return m.Text
}

// The loop metrics on a dataset small enough to compute by hand. Period:
// November 2026, half-open.
//
//	item  category     created           response  state
//	a     product      11-02 10:00       3600 s    resolved
//	b     product      11-03 10:00       7200 s    acknowledged
//	c     pricing      11-10 10:00        600 s    resolved straight from open
//	d     competitor   11-20 10:00       —         open
//	e     content      11-25 10:00       1800 s    acknowledged
//	f     messaging    10-31 23:59:59      60 s    resolved   (before the period)
//	g     product      12-01 00:00          5 s    acknowledged (the end is excluded)
//
// Created 5 (product 2, pricing 1, competitor 1, content 1); acknowledged 4
// (a b c e); resolved 2 (a c); median of 600, 1800, 3600, 7200 is
// (1800 + 3600) / 2 = 2700 s; loop closure 2 of 5.
func TestFeedbackMetricsOnAFixedDataset(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	a := mustFeedback(t, db, "UREP", "product", day("2026-11-02 10:00:00"))
	a = mustChange(t, db, a, domain.FeedbackAcknowledged, day("2026-11-02 11:00:00"), 3600)
	mustChange(t, db, a, domain.FeedbackResolved, day("2026-11-05 10:00:00"), 999) // not a first response: ignored
	b := mustFeedback(t, db, "UREP", "product", day("2026-11-03 10:00:00"))
	mustChange(t, db, b, domain.FeedbackAcknowledged, day("2026-11-03 12:00:00"), 7200)
	c := mustFeedback(t, db, "UREP2", "pricing", day("2026-11-10 10:00:00"))
	mustChange(t, db, c, domain.FeedbackResolved, day("2026-11-10 10:10:00"), 600)
	mustFeedback(t, db, "UREP", "competitor", day("2026-11-20 10:00:00"))
	e := mustFeedback(t, db, "UREP2", "content", day("2026-11-25 10:00:00"))
	mustChange(t, db, e, domain.FeedbackAcknowledged, day("2026-11-25 10:30:00"), 1800)
	f := mustFeedback(t, db, "UREP", "messaging", day("2026-10-31 23:59:59"))
	f = mustChange(t, db, f, domain.FeedbackAcknowledged, day("2026-11-01 00:00:59"), 60)
	mustChange(t, db, f, domain.FeedbackResolved, day("2026-11-01 00:01:00"), 0)
	g := mustFeedback(t, db, "UREP", "product", day("2026-12-01 00:00:00"))
	mustChange(t, db, g, domain.FeedbackAcknowledged, day("2026-12-01 00:00:05"), 5)

	m, err := db.FeedbackMetrics(ctx, day("2026-11-01 00:00:00"), day("2026-12-01 00:00:00"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"product": 2, "pricing": 1, "competitor": 1, "content": 1}
	if m.Created != 5 || !maps.Equal(m.ByCategory, want) {
		t.Errorf("volume: created %d by category %v, want 5 and %v", m.Created, m.ByCategory, want)
	}
	if m.Acknowledged != 4 || m.Resolved != 2 || m.MedianResponseSecs != 2700 {
		t.Errorf("acknowledged %d, resolved %d, median %v s; want 4, 2, 2700", m.Acknowledged, m.Resolved, m.MedianResponseSecs)
	}
	if m.LoopClosure != (domain.Ratio{Num: 2, Den: 5}) || m.LoopClosure.String() != "40% (2 of 5)" {
		t.Errorf("loop closure %+v (%s), want 2 of 5", m.LoopClosure, m.LoopClosure)
	}

	empty, err := db.FeedbackMetrics(ctx, day("2025-01-01 00:00:00"), day("2025-02-01 00:00:00"))
	if err != nil {
		t.Fatal(err)
	}
	if empty.Created != 0 || len(empty.ByCategory) != 0 || empty.MedianResponseSecs != 0 || empty.LoopClosure.Defined() {
		t.Errorf("a period without feedback: %+v", empty)
	}

	oldest, err := db.OldestOpenFeedback(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := categories(oldest); got != "product competitor content" || oldest[0].ID != b.ID {
		t.Errorf("oldest open = %s, want b (product), d (competitor), e (content)", got)
	}
	mine, total, err := db.OpenFeedbackBy(ctx, "UREP2", 10)
	if err != nil || total != 1 || len(mine) != 1 || mine[0].ID != e.ID {
		t.Errorf("UREP2's open feedback = %v (total %d), %v; want e alone", categories(mine), total, err)
	}
	if _, total, _ := db.OpenFeedbackBy(ctx, "", 1); total != 4 {
		t.Errorf("total unresolved = %d, want 4 (b d e g)", total)
	}
}

func categories(fs []domain.Feedback) string {
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += " "
		}
		s += string(f.Category)
	}
	return s
}

// The item and its root are written together; once Slack has the root, a
// reply in its thread finds the item.
func TestFeedbackThreadIsFoundByItsRoot(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	f := mustFeedback(t, db, "UREP", "product", t0)
	if f.State != domain.FeedbackOpen || f.RootChannel != feedbackChannel || f.RootTS != "" {
		t.Fatalf("created %+v", f)
	}
	if _, err := db.FeedbackByThread(ctx, feedbackChannel, "1.000100"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("thread before the root is posted: %v, want not found", err)
	}
	if text := mustPostRoot(t, db, "1.000100"); text != fmt.Sprintf("feedback #%d", f.ID) {
		t.Errorf("root drawn as %q, want it to know the item's id %d", text, f.ID)
	}
	got, err := db.FeedbackByThread(ctx, feedbackChannel, "1.000100")
	if err != nil || got.ID != f.ID || got.RootTS != "1.000100" {
		t.Fatalf("by thread = %+v, %v", got, err)
	}
	if _, err := db.FeedbackByThread(ctx, "COTHER", "1.000100"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("same ts in another channel: %v, want not found", err)
	}
	evs, err := db.FeedbackEvents(ctx, f.ID)
	if err != nil || len(evs) != 1 || evs[0].Kind != "created" || evs[0].To != domain.FeedbackOpen {
		t.Errorf("events %+v, %v", evs, err)
	}
}

// A thread reply is recorded once by its ts, and the first one from
// marketing acknowledges; a redelivery changes nothing.
func TestFeedbackReplyCountsOnce(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	f := mustFeedback(t, db, "UREP", "product", t0)
	reply := domain.FeedbackReply{FeedbackID: f.ID, TS: "2.000200", Actor: "UMKT", At: t0.Add(time.Hour),
		Acknowledge: &domain.FeedbackChange{FeedbackID: f.ID, Expected: domain.FeedbackOpen, To: domain.FeedbackAcknowledged,
			Actor: "UMKT", At: t0.Add(time.Hour), ResponseSecs: 3600,
			Messages: []domain.Message{{Channel: "UREP", Text: "acknowledged", Purpose: "test"}}}}
	first, err := db.RecordFeedbackReply(ctx, reply)
	if err != nil || !first.Recorded || !first.Acknowledged || first.Feedback.State != domain.FeedbackAcknowledged ||
		first.Feedback.ResponseSecs != 3600 || first.Feedback.AcknowledgedBy != "UMKT" {
		t.Fatalf("first delivery: %+v, %v", first, err)
	}
	again, err := db.RecordFeedbackReply(ctx, reply)
	if err != nil || again.Recorded || again.Acknowledged {
		t.Fatalf("redelivery: %+v, %v; want nothing recorded", again, err)
	}
	later := reply
	later.TS, later.At = "3.000300", t0.Add(2*time.Hour)
	later.Acknowledge.At, later.Acknowledge.ResponseSecs = later.At, 7200
	third, err := db.RecordFeedbackReply(ctx, later)
	if err != nil || !third.Recorded || third.Acknowledged || third.Feedback.ResponseSecs != 3600 {
		t.Fatalf("a later reply: %+v, %v; want recorded, not a new acknowledgement", third, err)
	}
	if got := eventKinds(t, db, f.ID); got != "created replied acknowledged replied" {
		t.Errorf("events %q", got)
	}
	if dms := countOutgoing(t, db, "UREP"); dms != 1 {
		t.Errorf("%d DMs queued to the author, want 1", dms)
	}
}

func eventKinds(t *testing.T, db *storage.DB, id int64) string {
	t.Helper()
	evs, err := db.FeedbackEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	s := ""
	for i, e := range evs {
		if i > 0 {
			s += " "
		}
		s += e.Kind
	}
	return s
}

func countOutgoing(t *testing.T, db *storage.DB, channel string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM outbox WHERE channel = $1`, channel).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Resolving open feedback is its first response: it is acknowledged on
// the way, and both events are recorded.
func TestResolvingOpenFeedbackAcknowledgesIt(t *testing.T) {
	db := storagetest.New(t)
	f := mustFeedback(t, db, "UREP", "pricing", t0)
	after := mustChange(t, db, f, domain.FeedbackResolved, t0.Add(10*time.Minute), 600)
	if after.State != domain.FeedbackResolved || after.AcknowledgedAt == nil || !after.AcknowledgedAt.Equal(*after.ResolvedAt) ||
		after.ResponseSecs != 600 || after.Resolution != "changed" || after.ResolvedBy != "UMKT" {
		t.Errorf("resolved %+v", after)
	}
	if got := eventKinds(t, db, f.ID); got != "created acknowledged resolved" {
		t.Errorf("events %q", got)
	}
	_, err := db.ChangeFeedback(context.Background(), domain.FeedbackChange{FeedbackID: f.ID, Expected: domain.FeedbackResolved,
		To: domain.FeedbackAcknowledged, Actor: "UMKT", At: t0})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("acknowledging resolved feedback: %v, want invalid", err)
	}
}

// Two marketers press Acknowledge at once: one acknowledgement, the other
// is told who was first.
func TestConcurrentAcknowledgementsOneWins(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	for round := range 20 {
		f := mustFeedback(t, db, "UREP", "content", t0)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, who := range []string{"UMKT", "UMKT2"} {
			wg.Go(func() {
				_, errs[i] = db.ChangeFeedback(ctx, domain.FeedbackChange{FeedbackID: f.ID, Expected: domain.FeedbackOpen,
					To: domain.FeedbackAcknowledged, Actor: who, At: t0.Add(time.Minute), ResponseSecs: 60})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			var stale *domain.FeedbackStaleError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &stale) && stale.Current.State == domain.FeedbackAcknowledged:
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if got := eventKinds(t, db, f.ID); ok != 1 || got != "created acknowledged" {
			t.Fatalf("round %d: %d succeeded, events %q", round, ok, got)
		}
	}
}

// The App Home count and the Related handoff search.
func TestFeedbackCountsAndHandoffChoices(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	dana := mustCreate(t, db, newHandoff("Dana Scully", "dana@fbi.example"))
	fox := mustCreate(t, db, newHandoff("Fox Mulder", "fox@fbi.example"))
	odd := mustCreate(t, db, newHandoff("100% Real_Lead", ""))
	for range 2 {
		if _, err := db.CreateFeedback(ctx, domain.NewFeedback{
			Feedback: domain.Feedback{Category: "lead_quality", Text: "bad data", CreatedBy: "UREP", CreatedAt: t0, HandoffID: dana.ID},
			Root:     root,
		}); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := db.FeedbackCounts(ctx, []int64{dana.ID, fox.ID})
	if err != nil || !maps.Equal(counts, map[int64]int{dana.ID: 2}) {
		t.Errorf("counts = %v, %v; want dana 2, fox absent", counts, err)
	}
	for query, want := range map[string][]int64{
		"":                                  {odd.ID, fox.ID, dana.ID}, // most recent first
		"scul":                              {dana.ID},
		"MULDER":                            {fox.ID},
		"fbi":                               {odd.ID, fox.ID, dana.ID}, // the company
		"#" + strconv.FormatInt(fox.ID, 10): {fox.ID},
		"%":                                 {odd.ID}, // a literal percent sign, not a wildcard
		"_":                                 {odd.ID},
		"nobody' OR 1=1; DROP TABLE x --":   nil,
	} {
		hs, err := db.HandoffChoices(ctx, query, domain.Visibility{UserID: "U0MKT"}, 10)
		if err != nil {
			t.Fatalf("%q: %v", query, err)
		}
		var ids []int64
		for _, h := range hs {
			ids = append(ids, h.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("HandoffChoices(%q) = %v, want %v", query, ids, want)
		}
	}
}

// The Related handoff search finds only what the person may see, by the
// same rule as domain.Visibility.Sees: what they handed off or own, and,
// for a member of the handoff channel, what has a card there. Every
// handoff is searched for (by number and by the empty query) with every
// kind of person, and the database must agree with Sees.
func TestHandoffChoicesFindOnlyWhatThePersonMaySee(t *testing.T) {
	ctx := context.Background()
	db := storagetest.New(t)
	mk := func(name, by, owner, cardChannel string) domain.Handoff {
		t.Helper()
		h := newHandoff(name, "")
		h.CreatedBy, h.Assignee = by, owner
		h = mustCreate(t, db, h)
		if cardChannel != "" {
			if err := db.SetCard(ctx, h.ID, cardChannel, "1.0001", "https://fake.example/card"); err != nil {
				t.Fatal(err)
			}
			h.CardChannel, h.CardTS = cardChannel, "1.0001"
		}
		return h
	}
	all := []domain.Handoff{
		mk("Made by Ann", "UANN", "UBOB", "CHANDOFF"),
		mk("Owned by Ann", "UBOB", "UANN", ""),
		mk("Carded", "UBOB", "UCAROL", "CHANDOFF"),
		mk("Card elsewhere", "UBOB", "UCAROL", "COTHER"),
		mk("No card yet", "UBOB", "UCAROL", ""),
	}
	for _, vis := range []domain.Visibility{
		{UserID: "UANN"}, {UserID: "UANN", Channel: "CHANDOFF"}, {UserID: "UDAVE"},
		{UserID: "UDAVE", Channel: "CHANDOFF"}, {},
	} {
		hs, err := db.HandoffChoices(ctx, "", vis, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, h := range hs {
			got = append(got, h.Lead.Name)
		}
		for _, h := range all {
			if vis.Sees(h) {
				want = append(want, h.Lead.Name)
			}
			byNumber, err := db.HandoffChoices(ctx, "#"+strconv.FormatInt(h.ID, 10), vis, 100)
			if err != nil {
				t.Fatal(err)
			}
			if found := len(byNumber) == 1; found != vis.Sees(h) {
				t.Errorf("%+v looking up #%d (%s): found %v, may see %v", vis, h.ID, h.Lead.Name, found, vis.Sees(h))
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%+v finds %q, may see %q", vis, got, want)
		}
	}
}
