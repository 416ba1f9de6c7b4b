package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

func TestParseStatsQuery(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		text, period, by, start, end string
	}{
		{"", "30d", "", "2026-10-28", "2026-11-27"},
		{"7d", "7d", "", "2026-11-20", "2026-11-27"},
		{"90D by Campaign", "90d", "campaign", "2026-08-29", "2026-11-27"},
		{"by rep", "30d", "rep", "2026-10-28", "2026-11-27"},
		{"by source quarter", "quarter", "source", "2026-10-01", "2027-01-01"},
		{"ytd", "ytd", "", "2026-01-01", "2026-11-27"},
		{"2026-01-01..2026-03-31 by source", "2026-01-01..2026-03-31", "source", "2026-01-01", "2026-04-01"},
	} {
		q, err := parseStatsQuery(c.text, now, time.UTC)
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if q.period.Label != c.period || q.by != c.by || q.period.Start.Format(time.DateOnly) != c.start || q.period.End.Format(time.DateOnly) != c.end {
			t.Errorf("%q = %+v", c.text, q)
		}
	}
	for _, c := range []struct{ text, says string }{
		{"45d", domain.PeriodForms},
		{"by colour", "by source"},
		{"30d by", "by campaign"},
		{"2026-03-01..2026-01-01", "ends before it starts"},
	} {
		_, err := parseStatsQuery(c.text, now, time.UTC)
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), c.says) {
			t.Errorf("%q: %v, want a message with %q", c.text, err, c.says)
		}
	}
}

// User-typed campaign names in the breakdown table are escaped and cannot
// close the code block; the table stays inside a section.
func TestBreakdownTableEscapes(t *testing.T) {
	r := statsReport{q: statsQuery{by: "campaign"}, breakdown: []domain.BreakdownRow{
		{Key: "<!channel> ```drop```", HandoffMetrics: domain.HandoffMetrics{Handoffs: 3, Acceptance: domain.Ratio{Num: 1, Den: 2}}},
		{Key: "", HandoffMetrics: domain.HandoffMetrics{Handoffs: 2}},
		{Other: true, HandoffMetrics: domain.HandoffMetrics{Handoffs: 1}},
	}}
	table := r.breakdownTable()
	if strings.Contains(table, "<!channel>") || strings.Count(table, "```") != 2 {
		t.Errorf("unsafe table:\n%s", table)
	}
	for _, want := range []string{"&lt;!channel&gt;", "(none)", "Other", "50% 1/2", "— 0/0", "the rest summed as Other"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if len([]rune(table)) > maxSectionText {
		t.Errorf("table of %d chars", len([]rune(table)))
	}
}
