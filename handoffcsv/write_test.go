package handoffcsv

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handoffcsv/csvtest"
)

const header = "external_id,created_at,direction,lead_name,company,email,phone,source,campaign,created_by,assignee,priority,state,accepted_at,rejected_at,reject_reason,first_touch_at,qualified_at,closed_at,close_reason,reason_note,notes\n"

func TestWriterEmptyExportIsTheHeader(t *testing.T) {
	if got := string(mustWrite(t, nil)); got != header {
		t.Errorf("empty export = %q, want %q", got, header)
	}
	if got := strings.Join(Columns, ",") + "\n"; got != header {
		t.Errorf("Columns = %q", got)
	}
}

func TestWriterFormat(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		mustNoErr(t, err)
		return &v
	}
	h := domain.Handoff{
		ID: 42, ExternalID: "hb-42",
		Lead:      domain.Lead{Name: "Zoë \"Z\" Ångström", Company: "Acme, Inc.", Email: "zoe@acme.example", Phone: "+1 555 0100", CRMURL: "https://crm.example/1"},
		Direction: domain.ToSales, State: domain.StateLost, Priority: domain.Warm,
		Source: "=cmd", Campaign: " spring", Notes: "line 1\r\nline 2\rline 3\n",
		CreatedBy: "U01MKT", Assignee: "W01REP",
		CreatedAt:  time.Date(2026, 3, 2, 10, 0, 0, 123456000, berlin),
		AcceptedAt: at("2026-03-02T09:30:00Z"), FirstTouchAt: at("2026-03-02T09:45:00.5Z"),
		ClosedAt: at("2026-03-09T12:00:00.000001Z"), CloseReason: "other", ReasonNote: "went with a friend's firm",
		CardChannel: "C1", CardTS: "1.2",
	}
	want := header + `hb-42,2026-03-02T09:00:00.123456Z,to_sales,"Zoë ""Z"" Ångström","Acme, Inc.",zoe@acme.example,'+1 555 0100,'=cmd," spring",U01MKT,W01REP,warm,lost,2026-03-02T09:30:00Z,,,2026-03-02T09:45:00.5Z,,2026-03-09T12:00:00.000001Z,other,went with a friend's firm,"line 1
line 2
line 3
"
`
	if got := string(mustWrite(t, []domain.Handoff{h})); got != want {
		t.Errorf("export:\n%s\nwant:\n%s", got, want)
	}
	raw := strings.Replace(strings.Replace(want, "'+1", "+1", 1), "'=cmd", "=cmd", 1)
	if got := string(mustWriteIn(t, rawMode, []domain.Handoff{h})); got != raw {
		t.Errorf("raw export:\n%s\nwant:\n%s", got, raw)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsWriteErrors(t *testing.T) {
	w := NewWriter(failingWriter{})
	for _, h := range csvtest.Sample(100, 1) {
		if err := w.Write(h); err != nil {
			break // csv.Writer buffers: the error may come now or at Flush
		}
	}
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Flush = %v, want the write error", err)
	}
}

func TestRoundTripSample(t *testing.T) {
	want := csvtest.Sample(400, 7)
	for _, m := range modes {
		first := mustWriteIn(t, m, want)
		got := mustReadIn(t, m, string(first))
		if d := diffHandoffs(got, want); d != "" {
			t.Fatalf("%s: %s", m.name, d)
		}
		if second := mustWriteIn(t, m, got); !bytes.Equal(second, first) {
			t.Errorf("%s re-export differs:\n%s\nwant:\n%s", m.name, second, first)
		}
	}
}

// TestRoundTripText: text a CSV must carry comes back as it went out, with
// line breaks as LF, through the export and the raw export alike.
func TestRoundTripText(t *testing.T) {
	texts := []struct{ in, out string }{
		{"plain", "plain"},
		{"a, b, c", "a, b, c"},
		{`say "hi"`, `say "hi"`},
		{`"`, `"`},
		{`""`, `""`},
		{"line 1\nline 2", "line 1\nline 2"},
		{"crlf 1\r\ncrlf 2\r\n", "crlf 1\ncrlf 2\n"},
		{"cr 1\rcr 2", "cr 1\ncr 2"},
		{"cr cr lf\r\r\n", "cr cr lf\n\n"},
		{"\n\nleading blank lines", "\n\nleading blank lines"},
		{"trailing\n", "trailing\n"},
		{"Zoë 李雷 محمد 🦊 \u200b zero-width", "Zoë 李雷 محمد 🦊 \u200b zero-width"},
		{"=SUM(A1:A9)", "=SUM(A1:A9)"},
		{"+1 555 0100", "+1 555 0100"},
		{"-2", "-2"},
		{"@channel", "@channel"},
		{"'quoted", "'quoted"},
		{"'=1", "'=1"},
		{"''", "''"},
		{"'", "'"},
		{"  leading spaces", "  leading spaces"},
		{"\ttab", "\ttab"},
		{`\.`, `\.`},
		{"#not a comment", "#not a comment"},
		{"\uFEFFbom inside", "\uFEFFbom inside"},
	}
	var in, want []domain.Handoff
	for i, x := range texts {
		h := csvtest.Sample(1, int64(i))[0]
		h.Notes, h.Lead.Company, h.Source = x.in, x.in, x.in
		in = append(in, h)
		h.Notes, h.Lead.Company, h.Source = x.out, x.out, x.out
		want = append(want, h)
	}
	for _, m := range modes {
		first := mustWriteIn(t, m, in)
		got := mustReadIn(t, m, string(first))
		if d := diffHandoffs(got, want); d != "" {
			t.Fatalf("%s: %s", m.name, d)
		}
		if second := mustWriteIn(t, m, got); !bytes.Equal(second, first) {
			t.Errorf("%s re-export differs:\n%q\nwant:\n%q", m.name, second, first)
		}
	}
}

func TestSample(t *testing.T) {
	hs := csvtest.Sample(800, 3)
	if d := diffHandoffs(csvtest.Sample(800, 3), hs); d != "" {
		t.Errorf("same seed, different sample: %s", d)
	}
	if d := diffHandoffs(csvtest.Sample(800, 4), hs); d == "" {
		t.Error("different seeds, same sample")
	}
	states := map[domain.State]int{}
	reasons := map[string]bool{}
	dirs := map[domain.Direction]bool{}
	lostFrom := map[[2]bool]bool{} // whether first touch and qualified are set
	for _, h := range hs {
		states[h.State]++
		reasons[string(h.State)+":"+h.RejectReason+h.CloseReason] = true
		dirs[h.Direction] = true
		if h.State == domain.StateLost {
			lostFrom[[2]bool{h.FirstTouchAt != nil, h.QualifiedAt != nil}] = true
		}
	}
	for _, s := range domain.States {
		if states[s] != 100 {
			t.Errorf("%d handoffs %s, want 100", states[s], s)
		}
	}
	for st, list := range map[domain.State][]domain.Reason{domain.StateRejected: domain.RejectReasons, domain.StateLost: domain.LostReasons, domain.StateReturned: domain.ReturnReasons} {
		for _, r := range list {
			if !reasons[string(st)+":"+r.Code] {
				t.Errorf("no %s handoff with reason %s", st, r.Code)
			}
		}
	}
	if len(dirs) != 2 || len(lostFrom) != 3 {
		t.Errorf("directions %v, lost from %v", dirs, lostFrom)
	}
	mustRead(t, string(mustWrite(t, hs))) // every one valid
}
