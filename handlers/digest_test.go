package handlers

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// The week the fixed dataset's digest covers, and when it is sent.
var (
	digestWeek = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC) // a Monday
	digestNow  = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // the next Monday, 09:00
)

func newDigestApp(t *testing.T) (*App, *storage.DB) {
	t.Helper()
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	for _, u := range []string{"UMONICA", "UJOHN"} {
		fs.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u[1:])})
	}
	db := storagetest.New(t)
	app := New(Deps{
		Slack: slackClient(fs), Store: db, Digests: db, Feedback: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return digestNow },
		Settings: Settings{
			HandoffChannel: "CHANDOFF", DigestChannel: "CDIGEST", MarketingTeam: []string{"UMONICA", "UJOHN"},
			SLAAccept: 4 * time.Hour, SLAFirstTouch: 24 * time.Hour,
			Calendar: businesstime.New(businesstime.Hours{}, nil, time.UTC),
		},
	})
	return app, db
}

// fixture is one handoff of the dataset; times are offsets from created.
type fixture struct {
	created                                     time.Time
	dir                                         domain.Direction
	source, campaign                            string
	state                                       domain.State
	accepted, rejected, touched, qualified, end time.Duration // 0: never
	reason                                      string
	by                                          string
}

func (f fixture) handoff(i int) domain.Handoff {
	at := func(d time.Duration) *time.Time {
		if d == 0 {
			return nil
		}
		v := f.created.Add(d)
		return &v
	}
	h := domain.Handoff{
		ExternalID: "fx-" + string(rune('a'+i)), Lead: domain.Lead{Name: "Lead " + string(rune('A'+i))},
		Direction: f.dir, State: f.state, Priority: domain.Warm, Source: f.source, Campaign: f.campaign,
		CreatedBy: f.by, Assignee: "UREP", CreatedAt: f.created,
		AcceptDueAt: f.created.Add(4 * time.Hour), FirstTouchDueAt: f.created.Add(24 * time.Hour),
		AcceptedAt: at(f.accepted), RejectedAt: at(f.rejected), FirstTouchAt: at(f.touched), QualifiedAt: at(f.qualified),
		ClosedAt: at(f.end),
	}
	if f.accepted+f.rejected > 0 {
		h.DecisionSecs = (f.accepted + f.rejected).Seconds()
	}
	if f.state == domain.StateRejected {
		h.RejectReason = f.reason
	} else {
		h.CloseReason = f.reason
	}
	return h
}

func seedDigestWeek(t *testing.T, db *storage.DB) {
	t.Helper()
	mon := digestWeek.Add(10 * time.Hour) // Mon 10:00
	const h, d, m = time.Hour, 24 * time.Hour, time.Minute
	fixtures := []fixture{
		{created: mon, dir: domain.ToSales, source: "web", campaign: "Q4", state: domain.StateWon, accepted: h, touched: 90 * m, qualified: 2 * d, end: 5 * d, by: "UMONICA"},
		{created: mon, dir: domain.ToSales, source: "web", campaign: "Q4", state: domain.StateContacted, accepted: 2 * h, touched: 2*h + 3*m, by: "UMONICA"},
		{created: mon, dir: domain.ToSales, source: "event", campaign: "Summit", state: domain.StateRejected, rejected: 30 * m, reason: "no_budget", by: "UJOHN"},
		{created: mon, dir: domain.ToSales, source: "event", campaign: "Summit", state: domain.StateRejected, rejected: 5 * h, reason: "not_a_fit", by: "UJOHN"},
		{created: mon, dir: domain.ToSales, source: "web", campaign: "Q4", state: domain.StatePending, by: "UMONICA"},
		{created: mon, dir: domain.ToMarketing, source: "referral", state: domain.StateAccepted, accepted: 3 * h, touched: 4 * m, by: "UREP"},
		{created: mon, dir: domain.ToSales, source: "web", campaign: "Q4", state: domain.StateReturned, accepted: h, end: 20 * h, reason: "not_ready", by: "UMONICA"},
		{created: mon, dir: domain.ToSales, source: "event", campaign: "Summit", state: domain.StateLost, accepted: 10 * m, touched: 30 * m, qualified: d, end: 3 * d, reason: "price", by: "UJOHN"},
		{created: mon, dir: domain.ToSales, source: "web", campaign: "Q4", state: domain.StateContacted, accepted: 6 * h, touched: 30 * h, by: "UMONICA"},
		{created: digestWeek.Add(6*d + 23*h), dir: domain.ToMarketing, source: "referral", state: domain.StatePending, by: "UREP"}, // Sun 23:00
		// The week before, for the changes: one accepted, one rejected, in time.
		{created: mon.Add(-7 * d), dir: domain.ToSales, source: "web", state: domain.StateAccepted, accepted: h, by: "UMONICA"},
		{created: mon.Add(-7 * d), dir: domain.ToSales, source: "web", state: domain.StateRejected, rejected: h, reason: "bad_data", by: "UMONICA"},
	}
	var hs []domain.Handoff
	for i, f := range fixtures {
		hs = append(hs, f.handoff(i))
	}
	if _, err := db.ImportHandoffs(context.Background(), hs, "UTEST", digestNow); err != nil {
		t.Fatal(err)
	}
	// Feedback: two answered in the week (1 h and 2 h), one still open,
	// one from the week before still open.
	for _, q := range []string{
		`INSERT INTO feedback (category, body, created_by, state, created_at, acknowledged_at, acknowledged_by, response_secs, updated_at)
		 VALUES ('product', 'SSO please', 'UREP', 'acknowledged', '2026-11-17 10:00Z', '2026-11-17 11:00Z', 'UMONICA', 3600, now())`,
		`INSERT INTO feedback (category, body, created_by, state, created_at, acknowledged_at, acknowledged_by, response_secs, resolved_at, resolved_by, updated_at)
		 VALUES ('pricing', 'too dear', 'UREP', 'resolved', '2026-11-18 10:00Z', '2026-11-18 12:00Z', 'UJOHN', 7200, '2026-11-19 10:00Z', 'UJOHN', now())`,
		`INSERT INTO feedback (category, body, created_by, state, created_at, updated_at)
		 VALUES ('product', 'dark mode', 'UREP', 'open', '2026-11-19 10:00Z', now())`,
		`INSERT INTO feedback (category, body, created_by, state, created_at, updated_at)
		 VALUES ('content', 'old deck', 'UREP', 'open', '2026-11-10 10:00Z', now())`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// Every figure of the week's digest, computed by hand from the fixtures
// above (see the comments for the arithmetic).
func TestDigestFiguresOfAFixedWeek(t *testing.T) {
	app, db := newDigestApp(t)
	seedDigestWeek(t, db)
	d, err := app.buildDigest(context.Background(), app.Week(digestWeek), "")
	if err != nil {
		t.Fatal(err)
	}
	text := d.text()
	for _, want := range []string{
		"Weekly handoff digest · Mon 16 Nov – Sun 22 Nov 2026",
		// 10 created: 8 to sales, 2 to marketing; the week before had 2.
		"Handoffs: 10 (to sales 8 · to marketing 2) ▲ 8",
		// accepted: fixtures 1,2,6,7,8,9; rejected 3,4 → 6 of 8; 5 and 10 pending.
		// The week before: 1 of 2 → 50%, so ▲ 25 pts.
		"Acceptance: 75% (6 of 8) ▲ 25 pts · 2 pending",
		// decisions 10m 30m 1h 1h 2h 3h 5h 6h: median (1h+2h)/2, p90 5h + 0.3 × 1h.
		"Time to accept: median 1 h 30 m · p90 5 h 18 m (business time, 8 decided)",
		// within 4 h: all but 4 (5 h) and 9 (6 h) → 6; plus 5 and 10 pending past due → 6 of 10.
		// The week before: 2 of 2 → ▼ 40 pts.
		"Accept SLA met: 60% (6 of 10) ▼ 40 pts",
		// touched in 24 h: 1,2,6,8 (9 took 30 h); untouched past due: 5 → 4 of 6.
		// The week before: 0 of 1 (accepted, never touched) → ▲ 67 pts.
		"First-touch SLA met: 67% (4 of 6) ▲ 67 pts",
		// to sales and accepted: 1,2,7,8,9; qualified: 1 (won) and 8 → 2 of 5; before 0 of 1.
		"MQL → SQL: 40% (2 of 5) ▲ 40 pts",
		// won: 1; lost: 8 → 1 of 2; returned 7 of the 6 accepted.
		"Wins: 1 ▲ 1 · win rate 50% (1 of 2) · recycled 17% (1 of 6)",
		// not rejected: 6 took 4 m; 8 30 m; 1 90 m and 2 123 m; 9 30 h; 5, 7, 10 untouched.
		"≤ 5 min 1 · ≤ 1 h 1 · ≤ 24 h 2 · > 24 h 1 · not yet 3",
		"Rejected: No budget 1 · Not a fit 1",
		"Returned: Not ready (timing) 1",
		"Lost: Price 1",
		// web: 1,2,5,7,9 → accepted 1,2,7,9 of 4 decided; qualified 1 of 4.
		"• web — 5 handoffs · accepted 100% (4 of 4) · MQL → SQL 25% (1 of 4)",
		// event: 3,4,8 → accepted 8 of 3 decided; 8 qualified.
		"• event — 3 handoffs · accepted 33% (1 of 3) · MQL → SQL 100% (1 of 1)",
		"• referral — 2 handoffs · accepted 100% (1 of 1) · MQL → SQL — (0 of 0)",
		"• Q4 — 5 handoffs",
		"• Summit — 3 handoffs",
		// feedback created in the week: product ×2, pricing; the week before: 1.
		"Feedback from the field: 3 new (Pricing 1 · Product 2) ▲ 2",
		// answered in 1 h and 2 h; resolved 1 of 3; the week before 0 of 1.
		"Acknowledged 2 · resolved 1 · median response 1 h 30 m (business time) · loop closed 33% (1 of 3) ▲ 33 pts",
		"Needs attention",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q", want)
		}
	}
	// Needs attention: the two pending handoffs past due (5 first: older),
	// then open feedback oldest first (the week before's, then this week's).
	att := text[strings.Index(text, "Needs attention"):]
	order := []string{"Lead E", "Lead J", "old deck", "SSO please", "dark mode"}
	last := -1
	for _, w := range order {
		i := strings.Index(att, w)
		if i < last {
			t.Errorf("needs attention out of order or missing %q:\n%s", w, att)
		}
		last = i
	}
	if t.Failed() {
		t.Logf("digest:\n%s", text)
	}
}

func TestPersonalDigestLeadsWithTheMarketersOwn(t *testing.T) {
	app, db := newDigestApp(t)
	seedDigestWeek(t, db)
	d, err := app.buildDigest(context.Background(), app.Week(digestWeek), "UMONICA")
	if err != nil {
		t.Fatal(err)
	}
	// Monica's: 1,2,5,7,9 — accepted 1,2,7,9 of 4 decided; qualified 1 of 4; won 1.
	want := "Your handoffs, @UMONICA: 5 · accepted 100% (4 of 4) · MQL → SQL 25% (1 of 4) · won 1"
	if text := d.text(); !strings.HasPrefix(strings.SplitN(text, "\n\n", 2)[1], want) {
		t.Errorf("personal digest does not start with %q:\n%s", want, text)
	}
}

func TestQuietWeekIsTwoLines(t *testing.T) {
	app, _ := newDigestApp(t)
	d, err := app.buildDigest(context.Background(), app.Week(digestWeek), "")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(d.text()), "\n"); len(lines) != 4 || !strings.Contains(lines[3], "quiet week") {
		t.Errorf("quiet digest:\n%s", d.text())
	}
}

// SendDigest records each destination before queuing its message: running
// it again (a retry, a replica, a restart) queues nothing more, and an
// unsubscribed marketer gets no DM.
func TestSendDigestOncePerDestination(t *testing.T) {
	app, db := newDigestApp(t)
	seedDigestWeek(t, db)
	ctx := context.Background()
	if err := db.SetDigestSubscription(ctx, "UJOHN", false, digestNow); err != nil {
		t.Fatal(err)
	}
	n, err := app.SendDigest(ctx, digestWeek)
	if err != nil || n != 2 {
		t.Fatalf("first run queued %d, %v; want the team digest and Monica's", n, err)
	}
	if n, err := app.SendDigest(ctx, digestWeek); err != nil || n != 0 {
		t.Fatalf("second run queued %d, %v; want none", n, err)
	}
	dests, err := db.DigestDestinations(ctx, digestWeek)
	if err != nil || strings.Join(dests, ",") != "CDIGEST,UMONICA" {
		t.Errorf("destinations %v %v", dests, err)
	}
	var queued int
	db.SQL().QueryRow(`SELECT count(*) FROM outbox WHERE purpose LIKE 'digest_%'`).Scan(&queued)
	if queued != 2 {
		t.Errorf("%d digest messages queued, want 2", queued)
	}
}
