package handoffcsv

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handoffcsv/csvtest"
)

// TestWriterNeutralisesFormulas: a cell a spreadsheet would run as a
// formula (=, +, -, @, tab) gets a leading apostrophe, and so does one that
// starts with an apostrophe, so that import can take off exactly the one
// the export added. A raw export writes the text as it is. A carriage
// return is written as a line feed (see cell), so no cell starts with one.
func TestWriterNeutralisesFormulas(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{`=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`},
		{"+1 555 0100", "'+1 555 0100"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"'quoted", "''quoted"},
		{"'=1", "''=1"},
		{"'", "''"},
		{"\r=1", "\n=1"},
		{"a=b", "a=b"},
		{" =1", " =1"},
		{"", ""},
	} {
		h := csvtest.Sample(1, 1)[0]
		h.Notes = c.in
		if got := notesCell(t, mustWrite(t, []domain.Handoff{h})); got != c.out {
			t.Errorf("%q exports as %q, want %q", c.in, got, c.out)
		}
		if got, want := notesCell(t, mustWriteIn(t, rawMode, []domain.Handoff{h})), cell(c.in); got != want {
			t.Errorf("%q exports raw as %q, want %q", c.in, got, want)
		}
	}
}

// TestReadRemovesTheApostropheTheExportAdded: import takes off one leading
// apostrophe where the export would have put one, and nothing else: a cell
// a person typed as a formula, or with an apostrophe before plain text, is
// kept as it is. ReadRaw takes every cell as it is.
func TestReadRemovesTheApostropheTheExportAdded(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"'=1+1", "=1+1"},
		{"'+1 555 0100", "+1 555 0100"},
		{"'-2", "-2"},
		{"'@channel", "@channel"},
		{"'\tx", "\tx"},
		{"''quoted", "'quoted"},
		{"'''", "''"},
		{"''", "'"},
		{"'", "'"},
		{"'plain", "'plain"},
		{"=1+1", "=1+1"},
		{"+1 555 0100", "+1 555 0100"},
	} {
		file := csvFile(t, nil, with("notes", c.in, "company", c.in))
		got := mustRead(t, file)[0]
		if got.Notes != c.out || got.Lead.Company != c.out {
			t.Errorf("%q imports as %q, %q; want %q", c.in, got.Notes, got.Lead.Company, c.out)
		}
		if raw := mustReadIn(t, rawMode, file)[0]; raw.Notes != c.in {
			t.Errorf("%q imports raw as %q", c.in, raw.Notes)
		}
	}
}

// TestNeutralisedLengthsAreTheTexts: the apostrophe an export adds does
// not count against a cell's limit, so text at the limit survives.
func TestNeutralisedLengthsAreTheTexts(t *testing.T) {
	h := csvtest.Sample(1, 1)[0]
	h.Lead.Name = "=" + strings.Repeat("x", domain.MaxLeadName-1)
	h.Notes = "'" + strings.Repeat("y", domain.MaxNotes-1)
	got := mustRead(t, string(mustWrite(t, []domain.Handoff{h})))
	if d := diffHandoffs(got, []domain.Handoff{h}); d != "" {
		t.Error(d)
	}
}

// notesCell is the notes cell of an export's only row.
func notesCell(t *testing.T, export []byte) string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(export)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("export %q: %v", export, err)
	}
	return recs[1][colNotes]
}
