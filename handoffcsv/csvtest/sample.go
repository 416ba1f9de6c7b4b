// Package csvtest makes sample handoffs for the tests and benchmarks of the
// CSV import and export.
package csvtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// Sample returns n valid handoffs for tests, benchmarks and the demo. States
// take turns, so any eight in a row cover them all; reasons, directions,
// priorities and paths into lost and returned vary, and lead names, notes
// and the other text use what a CSV must survive (accents, CJK, RTL, emoji,
// commas, quotes, line breaks, a leading = + - or @). Times are in UTC with
// microsecond precision, as Postgres keeps them, in early 2026.
//
// The same n and seed give the same handoffs. External IDs are
// "sample-<seed>-<i>", so samples with different seeds do not collide. Only
// what the CSV carries is set: ID, due times, card and CRM link are zero,
// and every handoff reads back from an export unchanged.
func Sample(n int, seed int64) []domain.Handoff {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x68616e646f6666))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	base := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	out := make([]domain.Handoff, n)
	for i := range out {
		dir := domain.ToSales
		from, to := sampleMarketers, sampleReps
		if rng.IntN(4) == 0 {
			dir, from, to = domain.ToMarketing, sampleReps, sampleMarketers
		}
		h := domain.Handoff{
			ExternalID: fmt.Sprintf("sample-%d-%d", seed, i+1),
			Lead: domain.Lead{
				Name:    pick(sampleFirst) + " " + pick(sampleLast),
				Company: pick(sampleCompanies),
				Phone:   pick(samplePhones),
			},
			Direction: dir,
			Priority:  []domain.Priority{domain.Hot, domain.Warm, domain.Cold}[rng.IntN(3)],
			Source:    pick(sampleSources),
			Campaign:  pick(sampleCampaigns),
			Notes:     pick(sampleNotes),
			CreatedBy: pick(from),
			Assignee:  pick(to),
			CreatedAt: base.Add(time.Duration(rng.Int64N(120*24*3600*1e6)) * time.Microsecond),
		}
		if rng.IntN(5) > 0 {
			h.Lead.Email = fmt.Sprintf("%s%d@%s", pick([]string{"lead", "jane.doe", "j_o-s+e", "info"}), i, pick([]string{"example.com", "acme.example", "xn--bcher-kva.example"}))
		}
		if i%50 == 7 {
			h.Notes = strings.Repeat("Long call notes, with \"quotes\" — and ünïcödé.\n", 40)
		}
		sampleHistory(&h, domain.States[i%len(domain.States)], rng)
		out[i] = h
	}
	return out
}

// sampleHistory moves h from pending to st along a random path the domain
// allows, setting each time a little after the one before.
func sampleHistory(h *domain.Handoff, st domain.State, rng *rand.Rand) {
	t := h.CreatedAt
	next := func() *time.Time {
		t = t.Add(time.Duration(1+rng.Int64N(3*24*3600*1e6)) * time.Microsecond)
		v := t
		return &v
	}
	reason := func(list []domain.Reason) string {
		code := list[rng.IntN(len(list))].Code
		switch {
		case code == domain.OtherReason:
			h.ReasonNote = []string{"Asked us to call back \"after the merger\", no date.", "Käufer, nicht Nutzer.\nZweite Zeile.", "=not a formula"}[rng.IntN(3)]
		case rng.IntN(3) == 0:
			h.ReasonNote = "Heard it on the call, twice."
		}
		return code
	}
	h.State = st
	if st == domain.StatePending {
		return
	}
	if st == domain.StateRejected {
		h.RejectedAt = next()
		h.RejectReason = reason(domain.RejectReasons)
		return
	}
	h.AcceptedAt = next()
	// How far a lost or returned handoff got before it closed.
	reached := map[domain.State]int{domain.StateAccepted: 0, domain.StateContacted: 1, domain.StateQualified: 2, domain.StateWon: 2}[st]
	switch st {
	case domain.StateLost:
		reached = rng.IntN(3)
	case domain.StateReturned:
		reached = rng.IntN(2)
	}
	if reached >= 1 {
		h.FirstTouchAt = next()
	}
	if reached >= 2 {
		h.QualifiedAt = next()
	}
	switch st {
	case domain.StateWon:
		h.ClosedAt = next()
	case domain.StateLost:
		h.ClosedAt = next()
		h.CloseReason = reason(domain.LostReasons)
	case domain.StateReturned:
		h.ClosedAt = next()
		h.CloseReason = reason(domain.ReturnReasons)
	}
}

var (
	sampleMarketers = []string{"U01MKTANNA", "U01MKTBEN", "W02MKTCHLOE"}
	sampleReps      = []string{"U01REPDAN", "U01REPEVA", "U01REPFINN", "W02REPGRETA"}
	sampleFirst     = []string{"Jane", "José", "Zoë", "Åsa", "李", "Ngozi", "Søren", "Mary-Kate", "O'Neil", "Юлия", "محمد", "Łukasz", "🦊 Fox", "=Eve", "+Plus"}
	sampleLast      = []string{"Doe", "Núñez", "Ångström", "雷", "Okafor", "Kierkegaard", "Smith, Jr.", `"The Closer" Jones`, "Müller", "Иванова", "-Dash"}
	sampleCompanies = []string{"", "Acme, Inc.", "Globex", "Initech GmbH", "株式会社テスト", "@home Ltd", "Café \"Zur Post\""}
	samplePhones    = []string{"", "+1 555 0100", "+49 30 1234567", "(030) 1234-567", "-"}
	sampleSources   = []string{"", "web form", "event", "referral", "outbound", "webinar, Q1"}
	sampleCampaigns = []string{"", "spring-2026", `Launch "Nova"`, "=cmd|' /C calc'!A0", "ünïcödé 🚀"}
	sampleNotes     = []string{
		"", "Met at booth 12, interested in pricing.", "Line one\nLine two\n\nLine four",
		`Said "call me Monday", then left`, "  leading spaces", "trailing newline\n",
		"Ünïcödé ✓ 日本語 עברית 🚀", "=1+1", "+49 call back", "-", "@channel hi", `\.`, `""`, ",",
	}
)
