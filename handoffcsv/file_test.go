package handoffcsv

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
)

func TestReadHeader(t *testing.T) {
	reordered := slices.Clone(Columns)
	slices.Reverse(reordered)
	t.Run("any order", func(t *testing.T) {
		want := mustRead(t, csvFile(t, nil, with("notes", "n1"), with("external_id", "ext-2")))
		got := mustRead(t, csvFile(t, reordered, with("notes", "n1"), with("external_id", "ext-2")))
		if d := diffHandoffs(got, want); d != "" {
			t.Error(d)
		}
	})
	t.Run("header only", func(t *testing.T) {
		hs, _, err := Read(strings.NewReader(header))
		if err != nil || len(hs) != 0 {
			t.Errorf("Read = %v, %v; want no rows, no error", hs, err)
		}
	})
	t.Run("BOM", func(t *testing.T) {
		mustRead(t, "\uFEFF"+csvFile(t, nil, with()))
		quoted := `"external_id"` + strings.TrimPrefix(csvFile(t, nil, with()), "external_id")
		mustRead(t, "\uFEFF"+quoted)
	})
	t.Run("CRLF", func(t *testing.T) {
		hs := mustRead(t, strings.ReplaceAll(csvFile(t, nil, with("notes", "a\nb")), "\n", "\r\n"))
		if hs[0].Notes != "a\nb" || hs[0].Priority != domain.Hot {
			t.Errorf("read %q, %q", hs[0].Notes, hs[0].Priority)
		}
	})
	cases := []struct {
		name string
		file string
		want []string
	}{
		{"empty file", "", []string{`line 1: the file is empty; expected a header row naming the columns ` + strings.Join(Columns, ",")}},
		{"BOM only", "\uFEFF", []string{`line 1: the file is empty; expected a header row naming the columns ` + strings.Join(Columns, ",")}},
		{"missing column", strings.Replace(header, ",email,", ",Email,", 1) + "whatever,the,rows,say\n", []string{
			`line 1, column email: is missing from the header`}},
		{"duplicate column", strings.Replace(header, "\n", ",notes\n", 1), []string{`line 1, column notes: appears more than once in the header`}},
		{"a different file", "Name,Email\nJane,jane@acme.example\n", missingAllBut()},
		{"semicolons", strings.ReplaceAll(header, ",", ";"), []string{
			`line 1: the columns are separated by semicolons; save the file as comma-separated CSV (in Excel: File → Save As → CSV UTF-8 (Comma delimited))`}},
		{"malformed header", `external_id,"created_at` + "\n", []string{
			`line 1: header: malformed CSV at byte 25: extraneous or missing " in quoted-field (a cell with a quote in it must be quoted, its quotes doubled: "say ""hi""")`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, mustProblems(t, tc.file), tc.want...)
		})
	}
}

// A CRM's export carries many columns besides ours: they are left out,
// each named in a warning (with what a near miss meant), and the rows
// read as if they were not there.
func TestReadIgnoresUnknownColumnsWithAWarning(t *testing.T) {
	extra := strings.Replace(header, "\n", ",hs_object_id,Email \n", 1)
	file := extra + strings.TrimSuffix(strings.SplitN(csvFile(t, nil, with("external_id", "ext-9")), "\n", 2)[1], "\n") + ",901,x\n"
	rows, warnings, err := Read(strings.NewReader(file))
	if err != nil || len(rows) != 1 || rows[0].ExternalID != "ext-9" {
		t.Fatalf("Read = %v rows, %v", len(rows), err)
	}
	want := []string{
		`column "hs_object_id" is not a handoff column and was ignored`,
		`column "Email " is not a handoff column and was ignored (did you mean "email"?)`,
	}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings = %q, want %q", warnings, want)
	}
}

func missingAllBut(except ...string) []string {
	var out []string
	for _, c := range Columns {
		if !slices.Contains(except, c) {
			out = append(out, "line 1, column "+c+": is missing from the header")
		}
	}
	return out
}

func TestReadMalformedRecords(t *testing.T) {
	good := csvFile(t, nil, with("external_id", "a"))
	row := func(id string) string { return strings.TrimPrefix(csvFile(t, nil, with("external_id", id)), header) }
	file := good +
		"b,too,few\n" + // line 3
		strings.TrimSuffix(row("c"), "\n") + ",extra\n" + // line 4
		strings.Replace(row("d"), "Jane Doe", `Jane "JD" Doe`, 1) + // line 5: bare quote
		strings.Replace(row("e"), "Jane Doe", `"Jane" Doe`, 1) + // line 6: quote inside a quoted cell
		row("f") + // line 7: fine
		strings.Replace(row("g"), "jane@acme.example", "bad", 1) // line 8
	checkProblems(t, mustProblems(t, file),
		`line 3: has 3 fields; the header has 22`,
		`line 4: has 23 fields; the header has 22`,
		`line 5: malformed CSV at byte 38: bare " in non-quoted-field (a cell with a quote in it must be quoted, its quotes doubled: "say ""hi""")`,
		`line 6: malformed CSV at byte 38: extraneous or missing " in quoted-field (a cell with a quote in it must be quoted, its quotes doubled: "say ""hi""")`,
		`line 8, column email: "bad" is not an email address`)
}

// endless yields a header, one good row, then a cell that never ends, and
// counts what was read of it.
type endless struct {
	head string
	read int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	if len(e.head) > 0 {
		n = copy(p, e.head)
		e.head = e.head[n:]
	}
	for ; n < len(p); n++ {
		p[n] = 'x'
	}
	e.read += n
	return n, nil
}

// TestReadRecordTooLong: an enormous record is a problem, not an
// out-of-memory; reading stops soon after the limit.
func TestReadRecordTooLong(t *testing.T) {
	good := csvFile(t, nil, with("external_id", "a", "notes", "two\nlines")) // lines 2-3
	for _, tc := range []struct{ name, start string }{
		{"unquoted", `b,`},
		{"quoted", `"b`},
		{"quoted later cell", `b,"`},
		{"quote left open", `b,2026-03-02T09:00:00Z,to_sales,"Jane`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &endless{head: good + "\n" + tc.start} // a blank line 4, the record on line 5
			_, _, err := Read(src)
			e, ok := errors.AsType[*Error](err)
			if !ok {
				t.Fatalf("Read error %v, want an *Error", err)
			}
			checkProblems(t, e.Problems, `line 5: record longer than 1 MB (is a quote left open?); the rest of the file was not read`)
			if src.read > MaxRecordBytes+64<<10 {
				t.Errorf("read %d bytes of an endless record", src.read)
			}
		})
	}
	t.Run("at the limit", func(t *testing.T) {
		row := strings.TrimSuffix(strings.TrimPrefix(csvFile(t, nil, with()), header), "\n") // notes last, empty
		fill := func(size int) string { return row + strings.Repeat("n", size-len(row)) }    // a record of size bytes
		notes := func(size int) string {
			return fmt.Sprintf(`line 4, column notes: "%s…" is %d characters long; the limit is 3000`, strings.Repeat("n", 40), size-len(row))
		}
		checkProblems(t, mustProblems(t, good+fill(MaxRecordBytes-1)+"\n"), notes(MaxRecordBytes-1))
		checkProblems(t, mustProblems(t, good+fill(MaxRecordBytes)), notes(MaxRecordBytes)) // ends with the file
		checkProblems(t, mustProblems(t, good+fill(MaxRecordBytes)+"\n"),
			`line 4: record longer than 1 MB (is a quote left open?); the rest of the file was not read`)
	})
	t.Run("header", func(t *testing.T) {
		_, _, err := Read(&endless{})
		e, ok := errors.AsType[*Error](err)
		if !ok {
			t.Fatalf("Read error %v, want an *Error", err)
		}
		checkProblems(t, e.Problems, `line 1: header longer than 1 MB`)
	})
}

type brokenReader struct{ after string }

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.after == "" {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, b.after)
	b.after = b.after[n:]
	return n, nil
}

func TestReadIOError(t *testing.T) {
	for _, in := range []string{"", header, csvFile(t, nil, with())[:300]} {
		_, _, err := Read(&brokenReader{after: in})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Read after %d bytes = %v, want the read error", len(in), err)
		}
		if _, ok := errors.AsType[*Error](err); ok {
			t.Errorf("a read error is an *Error: %v", err)
		}
	}
}

func TestErrorRendering(t *testing.T) {
	var rows []cells
	for range 60 {
		rows = append(rows, with("email", "x"))
	}
	hs, _, err := Read(strings.NewReader(csvFile(t, nil, rows...)))
	e, ok := errors.AsType[*Error](err)
	if !ok || hs != nil {
		t.Fatalf("Read = %v, %v", hs, err)
	}
	// 60 bad emails, and 59 repeated external IDs.
	if len(e.Problems) != 119 {
		t.Errorf("%d problems, want 119", len(e.Problems))
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 51 || lines[0] != `line 2, column email: "x" is not an email address` || lines[50] != "… and 69 more" {
		t.Errorf("rendered %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorMessage(err) != err.Error() {
		t.Errorf("domain code %q, message %q", domain.ErrorCode(err), domain.ErrorMessage(err))
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":                        `""`,
		"jane@":                   `"jane@"`,
		"tab\there":               `"tab\there"`,
		"\xff":                    `"\xff"`,
		strings.Repeat("ü", 40):   `"` + strings.Repeat("ü", 40) + `"`,
		strings.Repeat("ü", 41):   `"` + strings.Repeat("ü", 40) + `…"`,
		strings.Repeat("ab", 500): `"` + strings.Repeat("ab", 20) + `…"`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}
