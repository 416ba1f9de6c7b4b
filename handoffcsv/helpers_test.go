package handoffcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
)

// cells is one record by column name; a row of a test file is the base row
// with some cells replaced.
type cells map[string]string

// baseRow is a valid pending handoff.
var baseRow = cells{
	"external_id": "ext-1", "created_at": "2026-03-02T09:00:00Z", "direction": "to_sales",
	"lead_name": "Jane Doe", "company": "Acme", "email": "jane@acme.example", "phone": "+1 555 0100",
	"source": "web", "campaign": "spring", "created_by": "U01MKT", "assignee": "U01REP",
	"priority": "hot", "state": "pending",
}

// with is the base row changed by kv (column, value, column, value…).
func with(kv ...string) cells {
	c := maps.Clone(baseRow)
	for i := 0; i < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

// csvFile renders a header of the given columns (Columns if nil) and rows.
func csvFile(t testing.TB, header []string, rows ...cells) string {
	t.Helper()
	if header == nil {
		header = Columns
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	mustNoErr(t, w.Write(header))
	for _, r := range rows {
		rec := make([]string, len(header))
		for i, c := range header {
			rec[i] = r[c]
		}
		mustNoErr(t, w.Write(rec))
	}
	w.Flush()
	mustNoErr(t, w.Error())
	return b.String()
}

func mustNoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mode is a way of writing the CSV and the way of reading it back.
type mode struct {
	name  string
	write func(io.Writer) *Writer
	read  func(io.Reader) ([]domain.Handoff, []string, error)
}

var (
	neutralMode = mode{"neutralised", NewWriter, Read}
	rawMode     = mode{"raw", NewRawWriter, ReadRaw}
	modes       = []mode{neutralMode, rawMode}
)

// mustWrite exports hs as `handoffbot export` does.
func mustWrite(t testing.TB, hs []domain.Handoff) []byte {
	t.Helper()
	return mustWriteIn(t, neutralMode, hs)
}

// mustWriteIn exports hs in mode m.
func mustWriteIn(t testing.TB, m mode, hs []domain.Handoff) []byte {
	t.Helper()
	var b bytes.Buffer
	w := m.write(&b)
	for _, h := range hs {
		mustNoErr(t, w.Write(h))
	}
	mustNoErr(t, w.Flush())
	return b.Bytes()
}

// mustRead reads a file that must be valid, as `handoffbot import` does.
func mustRead(t testing.TB, data string) []domain.Handoff {
	t.Helper()
	return mustReadIn(t, neutralMode, data)
}

// mustReadIn reads a file that must be valid in mode m.
func mustReadIn(t testing.TB, m mode, data string) []domain.Handoff {
	t.Helper()
	hs, _, err := m.read(strings.NewReader(data))
	if err != nil {
		t.Fatalf("%s Read: %v\nfile:\n%s", m.name, err, data)
	}
	return hs
}

// mustProblems reads a file that must be refused, and returns why.
func mustProblems(t testing.TB, data string) []Problem {
	t.Helper()
	hs, _, err := Read(strings.NewReader(data))
	e, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("Read = %d rows, %v; want an *Error\nfile:\n%s", len(hs), err, data)
	}
	if hs != nil {
		t.Errorf("Read returned %d rows with its error", len(hs))
	}
	return e.Problems
}

// checkProblems compares problems with want, each rendered as Problem.String.
func checkProblems(t testing.TB, got []Problem, want ...string) {
	t.Helper()
	g := make([]string, len(got))
	for i, p := range got {
		g[i] = p.String()
	}
	if !reflect.DeepEqual(g, want) && !(len(g) == 0 && len(want) == 0) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
}

// diffHandoffs describes the first difference between two lists of rows.
func diffHandoffs(got, want []domain.Handoff) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("row %d:\n got %s\nwant %s", i, dump(got[i]), dump(want[i]))
		}
	}
	return ""
}

// dump prints a handoff with its times dereferenced.
func dump(h domain.Handoff) string {
	s := fmt.Sprintf("%+v", h)
	for _, p := range []struct {
		name string
		t    any
	}{{"AcceptedAt", h.AcceptedAt}, {"RejectedAt", h.RejectedAt}, {"FirstTouchAt", h.FirstTouchAt}, {"QualifiedAt", h.QualifiedAt}, {"ClosedAt", h.ClosedAt}} {
		s += fmt.Sprintf(" %s=%v", p.name, p.t)
	}
	return s
}
