package handoffcsv

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handoffcsv/csvtest"
)

// FuzzRead: no input panics, whichever way it is read; a refused file says
// why with line numbers in it; an accepted file re-exports the same way,
// reads back to the same rows, and re-exports byte for byte.
func FuzzRead(f *testing.F) {
	valid := csvFile(f, nil,
		with("external_id", "a", "notes", "multi\nline, \"quoted\""),
		with("external_id", "b", "state", "lost", "accepted_at", t1, "first_touch_at", t2, "closed_at", t3, "close_reason", "other", "reason_note", "=x"),
		with("external_id", "c", "state", "rejected", "rejected_at", "2026-03-02T10:00:00.5+02:00", "reject_reason", "no_need"),
		with("external_id", "d", "company", "'+1", "notes", "''", "phone", "'", "source", "'\t"),
	)
	for _, s := range []string{
		"", "\uFEFF", header, valid, "\uFEFF" + valid,
		strings.ReplaceAll(valid, "\n", "\r\n"),
		strings.ReplaceAll(valid, "\n", "\r"),
		string(mustWrite(f, csvtest.Sample(12, 1))),
		string(mustWriteIn(f, rawMode, csvtest.Sample(12, 1))),
		csvFile(f, nil, with("email", "jane@"), with("state", "accepted")),
		csvFile(f, nil, with("notes", "cr\r\r\nlf"), with("external_id", "x\ry", "notes", "\r")),
		csvFile(f, nil, with("created_at", "0001-01-01T00:00:00+01:00")),
		csvFile(f, nil, with("lead_name", "Jos\xe9", "notes", "\x00")),
		csvFile(f, nil, with("external_id", "'=1", "state", "'pending", "lead_name", "'")),
		strings.Replace(header, "email", "Email", 1),
		header + `a,"b` + "\n",
		header + "a,b\"c\n",
		header + "\n\n\n",
		"x\n" + valid,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range modes {
			rows, _, err := m.read(bytes.NewReader(data))
			if err != nil {
				mustExplain(t, err)
				continue
			}
			first := mustWriteIn(t, m, rows)
			again, _, err := m.read(bytes.NewReader(first))
			if err != nil {
				t.Fatalf("%s: an export of accepted rows is refused: %v\ninput: %q\nexport: %q", m.name, err, data, first)
			}
			if d := diffHandoffs(again, rows); d != "" {
				t.Fatalf("%s: rows change on the way through an export: %s", m.name, d)
			}
			if second := mustWriteIn(t, m, again); !bytes.Equal(second, first) {
				t.Fatalf("%s: re-export differs:\n%q\nwant:\n%q", m.name, second, first)
			}
		}
	})
}

// mustExplain checks that a refusal is an *Error listing its problems by
// line.
func mustExplain(t *testing.T, err error) {
	t.Helper()
	e, ok := errors.AsType[*Error](err)
	if !ok || len(e.Problems) == 0 {
		t.Fatalf("Read error %v is not an *Error with problems", err)
	}
	for _, p := range e.Problems {
		if p.Line < 1 || p.Message == "" {
			t.Fatalf("problem %+v", p)
		}
	}
}

// FuzzWriteRead: any text in the free-text fields exports, neutralised or
// raw, and the export either reads back the same way to the same handoff
// (line breaks as LF) and re-exports byte for byte, or is refused for what
// the text is (not UTF-8, a NUL, too long): neither the writer's quoting
// nor its quote marks lose or invent anything.
func FuzzWriteRead(f *testing.F) {
	for _, s := range []string{"", "a,b", `"`, "\r\n", "\r", "x\r\r\n", "=1+1", " ", "\n", `\.`, "é\x00", "\xff", "\uFEFF",
		"'", "''", "'=1", "+", "-", "@", "\t", "'\r=", "\r=1"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, notes string) {
		for _, m := range modes {
			h := csvtest.Sample(1, 1)[0]
			h.Lead.Name, h.Notes, h.Lead.Company = "x"+name, notes, name
			first := mustWriteIn(t, m, []domain.Handoff{h})
			rows, _, err := m.read(bytes.NewReader(first))
			if err != nil {
				if _, ok := errors.AsType[*Error](err); !ok {
					t.Fatalf("%s Read: %v", m.name, err)
				}
				if fits(name, domain.MaxLeadName-1) && fits(notes, domain.MaxNotes) {
					t.Fatalf("%s refused %q, %q: %v", m.name, name, notes, err)
				}
				continue
			}
			h.Lead.Name, h.Notes, h.Lead.Company = cell(h.Lead.Name), cell(notes), cell(name)
			if d := diffHandoffs(rows, []domain.Handoff{h}); d != "" {
				t.Fatalf("%s: %s", m.name, d)
			}
			if second := mustWriteIn(t, m, rows); !bytes.Equal(second, first) {
				t.Fatalf("%s re-export differs:\n%q\nwant:\n%q", m.name, second, first)
			}
		}
	})
}

// fits reports whether s is text of at most max characters once written.
func fits(s string, max int) bool {
	return utf8.ValidString(s) && !strings.Contains(s, "\x00") && utf8.RuneCountInString(cell(s)) <= max
}
