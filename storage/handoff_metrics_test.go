package storage_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// step is one move of a fixture handoff, after its creation.
type step struct {
	move   domain.Move
	after  time.Duration
	reason string
}

// fixture is a handoff as the test wants it to have happened; the
// expected metrics are computed from these by plain Go, never by SQL.
type fixture struct {
	created   time.Time
	dir       domain.Direction
	source    string
	campaign  string
	assignee  string
	acceptSLA time.Duration // accept due after creation (wall time)
	touchSLA  time.Duration
	steps     []step
}

// derived is what the moves leave on the handoff.
type derived struct {
	state                                       domain.State
	accepted, rejected, touched, qualified, end *time.Time
	reason                                      string
	decisionSecs                                float64
}

func (f fixture) derive() derived {
	d := derived{state: domain.StatePending}
	for _, s := range f.steps {
		at := f.created.Add(s.after)
		d.state, _ = d.state.Next(s.move)
		switch s.move {
		case domain.MoveAccept:
			d.accepted, d.decisionSecs = &at, s.after.Seconds()
		case domain.MoveReject:
			d.rejected, d.decisionSecs, d.reason = &at, s.after.Seconds(), s.reason
		case domain.MoveTouch:
			d.touched = &at
		case domain.MoveQualify:
			d.qualified = &at
		case domain.MoveWin:
			d.end = &at
		case domain.MoveLose, domain.MoveReturn:
			d.end, d.reason = &at, s.reason
		}
	}
	return d
}

// mustSeed creates the fixtures through the real create and move paths.
func mustSeed(t *testing.T, db *storage.DB, fs []fixture) {
	t.Helper()
	ctx := context.Background()
	for i, f := range fs {
		h := domain.Handoff{
			Lead:      domain.Lead{Name: fmt.Sprintf("Lead %d", i)},
			Direction: f.dir, State: domain.StatePending, Priority: domain.Warm,
			Source: f.source, Campaign: f.campaign, CreatedBy: "UCREATOR", Assignee: f.assignee,
			CreatedAt: f.created, AcceptDueAt: f.created.Add(f.acceptSLA), FirstTouchDueAt: f.created.Add(f.touchSLA),
		}
		created := mustCreate(t, db, h)
		state := domain.StatePending
		for _, s := range f.steps {
			c := domain.Change{HandoffID: created.ID, Expected: state, Move: s.move, Actor: f.assignee,
				Reason: s.reason, At: f.created.Add(s.after)}
			if s.move == domain.MoveAccept || s.move == domain.MoveReject {
				c.DecisionSecs = s.after.Seconds()
			}
			if _, err := db.ApplyChange(ctx, c); err != nil {
				t.Fatalf("fixture %d %s: %v", i, s.move, err)
			}
			state, _ = state.Next(s.move)
		}
	}
}

// expected computes docs/metrics.md's figures over the fixtures created in
// [from, to), as of now, by straightforward counting.
func expected(fs []fixture, from, to, now time.Time) domain.HandoffMetrics {
	m := domain.HandoffMetrics{From: from, To: to}
	var decisions []float64
	mix := map[domain.State]map[string]int{}
	for _, f := range fs {
		if f.created.Before(from) || !f.created.Before(to) {
			continue
		}
		d := f.derive()
		m.Handoffs++
		if f.dir == domain.ToSales {
			m.ToSales++
		} else {
			m.ToMarketing++
		}
		decided := d.accepted != nil || d.rejected != nil
		acceptDue, touchDue := f.created.Add(f.acceptSLA), f.created.Add(f.touchSLA)
		if d.accepted != nil {
			m.Acceptance.Num++
			m.RecycleRate.Den++
		}
		if decided {
			m.Acceptance.Den++
			m.AcceptSLA.Den++
			decisions = append(decisions, d.decisionSecs)
			when := d.accepted
			if when == nil {
				when = d.rejected
			}
			if !when.After(acceptDue) {
				m.AcceptSLA.Num++
			}
		}
		if d.state == domain.StatePending {
			m.Pending++
			if acceptDue.Before(now) {
				m.AcceptSLA.Den++
			}
		}
		if d.rejected == nil {
			switch wait := time.Duration(0); {
			case d.touched == nil:
				m.SpeedToLead.NotYet++
				closed := now
				if d.end != nil && d.end.Before(now) {
					closed = *d.end
				}
				if touchDue.Before(closed) {
					m.FirstTouchSLA.Den++
				}
			default:
				wait = d.touched.Sub(f.created)
				switch {
				case wait <= 5*time.Minute:
					m.SpeedToLead.Within5Min++
				case wait <= time.Hour:
					m.SpeedToLead.Within1Hour++
				case wait <= 24*time.Hour:
					m.SpeedToLead.Within24Hours++
				default:
					m.SpeedToLead.Over24Hours++
				}
				m.FirstTouchSLA.Den++
				if !d.touched.After(touchDue) {
					m.FirstTouchSLA.Num++
				}
			}
		}
		if f.dir == domain.ToSales && d.accepted != nil {
			m.MQLToSQL.Den++
			if d.qualified != nil {
				m.MQLToSQL.Num++
			}
		}
		switch d.state {
		case domain.StateWon:
			m.WinRate.Num++
			m.WinRate.Den++
		case domain.StateLost:
			m.WinRate.Den++
		case domain.StateReturned:
			m.RecycleRate.Num++
		}
		if d.state == domain.StateRejected || d.state == domain.StateLost || d.state == domain.StateReturned {
			if mix[d.state] == nil {
				mix[d.state] = map[string]int{}
			}
			mix[d.state][d.reason]++
		}
	}
	m.TimeToAccept = domain.Durations{Count: len(decisions), Median: percentile(decisions, 0.5), P90: percentile(decisions, 0.9)}
	m.Rejections, m.Returns, m.Losses = counts(mix[domain.StateRejected]), counts(mix[domain.StateReturned]), counts(mix[domain.StateLost])
	return m
}

// percentile is percentile_cont: linear interpolation between ranks.
func percentile(xs []float64, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := p * float64(len(s)-1)
	lo := int(math.Floor(pos))
	v := s[lo]
	if lo+1 < len(s) {
		v += (pos - float64(lo)) * (s[lo+1] - s[lo])
	}
	return time.Duration(math.Round(v)) * time.Second
}

func counts(m map[string]int) []domain.ReasonCount {
	var out []domain.ReasonCount
	for r, n := range m {
		out = append(out, domain.ReasonCount{Reason: r, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

// A small dataset worked out by hand, so the definitions themselves are
// pinned down, not only their agreement with a Go transcription.
func TestHandoffMetricsByHand(t *testing.T) {
	db := storagetest.New(t)
	day := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // a Monday
	now := day.Add(48 * time.Hour)
	h := func(d domain.Direction, steps ...step) fixture {
		return fixture{created: day, dir: d, source: "web", assignee: "UREP", acceptSLA: 4 * time.Hour, touchSLA: 24 * time.Hour, steps: steps}
	}
	fs := []fixture{
		// accepted after 2 min (in SLA), touched after 3 min, qualified, won
		h(domain.ToSales, step{domain.MoveAccept, 2 * time.Minute, ""}, step{domain.MoveTouch, 3 * time.Minute, ""},
			step{domain.MoveQualify, 2 * time.Hour, ""}, step{domain.MoveWin, 3 * time.Hour, ""}),
		// accepted after 5 h (late), touched after 30 h (late), lost on price
		h(domain.ToSales, step{domain.MoveAccept, 5 * time.Hour, ""}, step{domain.MoveTouch, 30 * time.Hour, ""},
			step{domain.MoveLose, 31 * time.Hour, "price"}),
		// rejected after 2 h (in SLA): no touch owed
		h(domain.ToSales, step{domain.MoveReject, 2 * time.Hour, "no_budget"}),
		// accepted after 3 h, returned untouched after 30 h: first touch past due
		h(domain.ToSales, step{domain.MoveAccept, 3 * time.Hour, ""}, step{domain.MoveReturn, 30 * time.Hour, "not_ready"}),
		// pending, both SLAs past due as of now
		h(domain.ToMarketing),
		// accepted after exactly 4 h (in SLA), touched after 4 h 30 m
		h(domain.ToMarketing, step{domain.MoveAccept, 4 * time.Hour, ""}, step{domain.MoveTouch, 4*time.Hour + 30*time.Minute, ""}),
		// accepted after 10 min, touched after 45 min, not qualified yet
		h(domain.ToSales, step{domain.MoveAccept, 10 * time.Minute, ""}, step{domain.MoveTouch, 45 * time.Minute, ""}),
	}
	fs = append(fs, fixture{created: now.Add(-time.Hour), dir: domain.ToSales, assignee: "UREP",
		acceptSLA: 4 * time.Hour, touchSLA: 24 * time.Hour}) // pending, not yet due anywhere
	mustSeed(t, db, fs)

	got, err := db.HandoffMetrics(context.Background(), day.Add(-time.Hour), now, now)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"handoffs", [3]int{got.Handoffs, got.ToSales, got.ToMarketing}, [3]int{8, 6, 2}},
		{"acceptance", got.Acceptance.String(), "83% (5 of 6)"},
		{"pending", got.Pending, 2},
		{"time to accept", got.TimeToAccept, domain.Durations{Count: 6, Median: 2*time.Hour + 30*time.Minute, P90: 4*time.Hour + 30*time.Minute}},
		{"accept SLA", got.AcceptSLA.String(), "71% (5 of 7)"},
		{"speed to lead", got.SpeedToLead, domain.SpeedToLead{Within5Min: 1, Within1Hour: 1, Within24Hours: 1, Over24Hours: 1, NotYet: 3}},
		{"first-touch SLA", got.FirstTouchSLA.String(), "50% (3 of 6)"},
		{"MQL→SQL", got.MQLToSQL.String(), "25% (1 of 4)"},
		{"win rate", got.WinRate.String(), "50% (1 of 2)"},
		{"recycle rate", got.RecycleRate.String(), "20% (1 of 5)"},
		{"rejections", fmt.Sprint(got.Rejections), "[{no_budget 1}]"},
		{"returns", fmt.Sprint(got.Returns), "[{not_ready 1}]"},
		{"losses", fmt.Sprint(got.Losses), "[{price 1}]"},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// genFixtures makes n handoffs over the two years before now (most in the
// last 100 days) with every state, reason, SLA outcome and speed bucket,
// spread over 20 campaigns, 6 sources and 5 reps; deterministic.
func genFixtures(n int, now time.Time) []fixture {
	sources := []string{"web", "event", "referral", "outbound", "partner", ""}
	reps := []string{"UFOX", "UWALTER", "UDANA", "UMONICA", "UJOHN"}
	rejects := []string{"no_budget", "not_a_fit", "duplicate", "bad_data"}
	returns := []string{"not_ready", "no_response"}
	losses := []string{"price", "competitor", "timing"}
	var fs []fixture
	for i := range n {
		created := now.Add(-time.Duration(i*37%400)*6*time.Hour - time.Duration(i%60)*time.Minute) // last 100 days
		if i%3 == 0 {
			created = now.Add(-time.Duration(i*53%700)*25*time.Hour - time.Duration(i%60)*time.Minute) // or two years
		}
		f := fixture{
			created: created, dir: domain.ToSales, source: sources[i%len(sources)],
			campaign: fmt.Sprintf("camp-%02d", (i*7)%20), assignee: reps[i%len(reps)],
			acceptSLA: 4 * time.Hour, touchSLA: 24 * time.Hour,
		}
		if i%4 == 3 {
			f.dir = domain.ToMarketing
		}
		decide := time.Duration(i%9) * time.Hour
		touch := decide + []time.Duration{2 * time.Minute, 20 * time.Minute, 5 * time.Hour, 40 * time.Hour}[i%4]
		switch i % 11 {
		case 0: // pending
		case 1, 2:
			f.steps = []step{{domain.MoveReject, decide, rejects[i%len(rejects)]}}
		case 3:
			f.steps = []step{{domain.MoveAccept, decide, ""}}
		case 4:
			f.steps = []step{{domain.MoveAccept, decide, ""}, {domain.MoveReturn, decide + 50*time.Hour, returns[i%2]}}
		case 5:
			f.steps = []step{{domain.MoveAccept, decide, ""}, {domain.MoveTouch, touch, ""}}
		case 6:
			f.steps = []step{{domain.MoveAccept, decide, ""}, {domain.MoveTouch, touch, ""}, {domain.MoveReturn, touch + time.Hour, returns[i%2]}}
		case 7:
			f.steps = []step{{domain.MoveAccept, decide, ""}, {domain.MoveTouch, touch, ""}, {domain.MoveQualify, touch + time.Hour, ""}}
		case 8, 9:
			f.steps = []step{{domain.MoveAccept, decide, ""}, {domain.MoveTouch, touch, ""}, {domain.MoveQualify, touch + time.Hour, ""},
				{domain.MoveWin, touch + 2*time.Hour, ""}}
		case 10:
			f.steps = []step{{domain.MoveAccept, decide, ""}, {domain.MoveTouch, touch, ""}, {domain.MoveLose, touch + 3*time.Hour, losses[i%3]}}
		}
		// nothing may happen after now
		for len(f.steps) > 0 && f.created.Add(f.steps[len(f.steps)-1].after).After(now) {
			f.steps = f.steps[:len(f.steps)-1]
		}
		fs = append(fs, f)
	}
	return fs
}

// Every period form of /handoff stats, and each one's previous period,
// against counts computed in Go from the fixtures.
func TestHandoffMetricsMatchIndependentCountsForEveryPeriod(t *testing.T) {
	db := storagetest.New(t)
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 15, 30, 0, 0, loc)
	fs := genFixtures(330, now)
	mustSeed(t, db, fs)
	for _, form := range []string{"7d", "30d", "90d", "quarter", "ytd", "2026-08-01..2026-09-15", ""} {
		p, err := domain.ParsePeriod(form, now, loc)
		if err != nil {
			t.Fatal(err)
		}
		for _, per := range []domain.Period{p, p.Previous()} {
			got, err := db.HandoffMetrics(context.Background(), per.Start, per.End, now)
			if err != nil {
				t.Fatal(err)
			}
			want := expected(fs, per.Start, per.End, now)
			if want.Handoffs == 0 {
				t.Fatalf("period %q (%s) holds no fixtures: the test would prove nothing", form, per)
			}
			if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
				t.Errorf("period %q %s:\n got %s\nwant %s", form, per, g, w)
			}
		}
	}
}

// Each breakdown, with more groups than the limit (campaigns) so the Other
// row is checked too.
func TestHandoffBreakdownMatchesIndependentCounts(t *testing.T) {
	db := storagetest.New(t)
	now := time.Date(2026, 11, 26, 15, 30, 0, 0, time.UTC)
	fs := genFixtures(330, now)
	mustSeed(t, db, fs)
	from, to := now.AddDate(0, 0, -90), now
	keys := map[string]func(fixture) string{
		"source":   func(f fixture) string { return f.source },
		"campaign": func(f fixture) string { return f.campaign },
		"rep":      func(f fixture) string { return f.assignee },
	}
	for by, key := range keys {
		got, err := db.HandoffBreakdown(context.Background(), from, to, now, by)
		if err != nil {
			t.Fatal(err)
		}
		want := expectedBreakdown(fs, key, from, to, now)
		if len(want) < 2 {
			t.Fatalf("by %s: only %d groups, the test would prove little", by, len(want))
		}
		if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
			t.Errorf("by %s:\n got %s\nwant %s", by, g, w)
		}
		if by == "campaign" && !got[len(got)-1].Other {
			t.Errorf("by campaign: 20 campaigns but no Other row: %+v", got)
		}
	}
	if _, err := db.HandoffBreakdown(context.Background(), from, to, now, "colour"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown breakdown: %v", err)
	}
}

// expectedBreakdown groups the fixtures by key, ranks groups by handoffs
// (then key), keeps the top ones and sums the rest into Other.
func expectedBreakdown(fs []fixture, key func(fixture) string, from, to, now time.Time) []domain.BreakdownRow {
	groups := map[string][]fixture{}
	for _, f := range fs {
		if !f.created.Before(from) && f.created.Before(to) {
			groups[key(f)] = append(groups[key(f)], f)
		}
	}
	var names []string
	for k := range groups {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := len(groups[names[i]]), len(groups[names[j]])
		if a != b {
			return a > b
		}
		return names[i] < names[j]
	})
	var rows []domain.BreakdownRow
	var rest []fixture
	for i, k := range names {
		if i >= domain.BreakdownLimit {
			rest = append(rest, groups[k]...)
			continue
		}
		m := expected(groups[k], from, to, now)
		m.Rejections, m.Returns, m.Losses = nil, nil, nil
		rows = append(rows, domain.BreakdownRow{Key: k, HandoffMetrics: m})
	}
	if len(rest) > 0 {
		m := expected(rest, from, to, now)
		m.Rejections, m.Returns, m.Losses = nil, nil, nil
		rows = append(rows, domain.BreakdownRow{Other: true, HandoffMetrics: m})
	}
	return rows
}

// The chart's weeks: Monday 00:00 in the zone, across a DST change, each
// week's figures counted independently.
func TestWeeklySeries(t *testing.T) {
	db := storagetest.New(t)
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 15, 30, 0, 0, loc) // a Thursday; DST ended 1 November
	fs := genFixtures(330, now)
	mustSeed(t, db, fs)
	got, err := db.WeeklySeries(context.Background(), 12, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12 {
		t.Fatalf("%d weeks", len(got))
	}
	if first, last := got[0].Start, got[11].Start; first.Weekday() != time.Monday || first.Hour() != 0 ||
		last.Format(time.DateOnly) != "2026-11-23" || first.Format(time.DateOnly) != "2026-09-07" {
		t.Errorf("weeks run %s … %s", first, last)
	}
	for i, w := range got {
		end := w.Start.AddDate(0, 0, 7)
		want := expected(fs, w.Start, end, now)
		if w.Start.Hour() != 0 || w.Handoffs != want.Handoffs || w.Acceptance != want.Acceptance || w.AcceptSLA != want.AcceptSLA {
			t.Errorf("week %d (%s): got %+v, want %d handoffs, %v, %v", i, w.Start, w, want.Handoffs, want.Acceptance, want.AcceptSLA)
		}
	}
}
