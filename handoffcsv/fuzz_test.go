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

// FuzzRead: no input panics; a refused file says why with line numbers in
// it; an accepted file re-exports, reads back to the same rows, and
// re-exports byte for byte.
func FuzzRead(f *testing.F) {
	valid := csvFile(f, nil,
		with("external_id", "a", "notes", "multi\nline, \"quoted\""),
		with("external_id", "b", "state", "lost", "accepted_at", t1, "first_touch_at", t2, "closed_at", t3, "close_reason", "other", "reason_note", "=x"),
		with("external_id", "c", "state", "rejected", "rejected_at", "2026-03-02T10:00:00.5+02:00", "reject_reason", "no_need"),
	)
	for _, s := range []string{
		"", "\uFEFF", header, valid, "\uFEFF" + valid,
		strings.ReplaceAll(valid, "\n", "\r\n"),
		strings.ReplaceAll(valid, "\n", "\r"),
		string(mustWrite(f, csvtest.Sample(12, 1))),
		csvFile(f, nil, with("email", "jane@"), with("state", "accepted")),
		csvFile(f, nil, with("notes", "cr\r\r\nlf"), with("external_id", "x\ry", "notes", "\r")),
		csvFile(f, nil, with("created_at", "0001-01-01T00:00:00+01:00")),
		csvFile(f, nil, with("lead_name", "Jos\xe9", "notes", "\x00")),
		strings.Replace(header, "email", "Email", 1),
		header + `a,"b` + "\n",
		header + "a,b\"c\n",
		header + "\n\n\n",
		"x\n" + valid,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, err := Read(bytes.NewReader(data))
		if err != nil {
			e, ok := errors.AsType[*Error](err)
			if !ok || len(e.Problems) == 0 {
				t.Fatalf("Read error %v is not an *Error with problems", err)
			}
			for _, p := range e.Problems {
				if p.Line < 1 || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
			return
		}
		first := mustWrite(t, rows)
		again, _, err := Read(bytes.NewReader(first))
		if err != nil {
			t.Fatalf("an export of accepted rows is refused: %v\ninput: %q\nexport: %q", err, data, first)
		}
		if d := diffHandoffs(again, rows); d != "" {
			t.Fatalf("rows change on the way through an export: %s", d)
		}
		if second := mustWrite(t, again); !bytes.Equal(second, first) {
			t.Fatalf("re-export differs:\n%q\nwant:\n%q", second, first)
		}
	})
}

// FuzzWriteRead: any text in the free-text fields exports, and the export
// either reads back to the same handoff (line breaks as LF) and re-exports
// byte for byte, or is refused for what the text is (not UTF-8, a NUL, too
// long): the writer's quoting never loses or invents anything.
func FuzzWriteRead(f *testing.F) {
	for _, s := range []string{"", "a,b", `"`, "\r\n", "\r", "x\r\r\n", "=1+1", " ", "\n", `\.`, "é\x00", "\xff", "\uFEFF"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, notes string) {
		h := csvtest.Sample(1, 1)[0]
		h.Lead.Name, h.Notes, h.Lead.Company = "x"+name, notes, name
		first := mustWrite(t, []domain.Handoff{h})
		rows, _, err := Read(bytes.NewReader(first))
		if err != nil {
			if _, ok := errors.AsType[*Error](err); !ok {
				t.Fatalf("Read: %v", err)
			}
			if fits(name, domain.MaxLeadName-1) && fits(notes, domain.MaxNotes) {
				t.Fatalf("refused %q, %q: %v", name, notes, err)
			}
			return
		}
		h.Lead.Name, h.Notes, h.Lead.Company = cell(h.Lead.Name), cell(notes), cell(name)
		if d := diffHandoffs(rows, []domain.Handoff{h}); d != "" {
			t.Fatal(d)
		}
		if second := mustWrite(t, rows); !bytes.Equal(second, first) {
			t.Fatalf("re-export differs:\n%q\nwant:\n%q", second, first)
		}
	})
}

// fits reports whether s is text of at most max characters once written.
func fits(s string, max int) bool {
	return utf8.ValidString(s) && !strings.Contains(s, "\x00") && utf8.RuneCountInString(cell(s)) <= max
}
