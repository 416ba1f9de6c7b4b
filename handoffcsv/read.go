package handoffcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// Read parses and validates a whole handoff CSV in one streaming pass and
// returns every row, or, if anything is wrong, an *Error listing every bad
// row and column (import is all-or-nothing). Any other error is a failure
// to read r.
//
// The header must name each of Columns exactly once, in any order; if it
// does not, the header's problems are reported and nothing else is read.
// Columns it does not know are left out, each with a warning: a CRM's
// export carries many columns besides ours.
// Each record is then checked cell by cell (required cells, lengths in
// characters, codes, e-mail and user-ID syntax, RFC 3339 times, UTF-8
// without NUL), for an external_id used twice, and for times and reasons
// that fit its state as a handoff's moves allow (see stateRules). A cell
// gets at most one problem.
//
// Rows come back with the lead, the codes, the times (in UTC), the reasons,
// the notes, and line breaks inside cells as LF. ID, the due times, the
// card and the lead's CRM link are left zero: the file does not carry them.
//
// Read reads an export as NewWriter writes it: the quote mark an export
// put before a cell that looks like a formula is taken off (see the
// package documentation); every other cell, one a person typed as a
// formula included, is taken as it is.
func Read(r io.Reader) (rows []domain.Handoff, warnings []string, err error) {
	return read(r, false)
}

// ReadRaw is Read for a file NewRawWriter wrote (`handoffbot export
// --raw`): every cell is taken exactly as it is.
func ReadRaw(r io.Reader) (rows []domain.Handoff, warnings []string, err error) {
	return read(r, true)
}

func read(r io.Reader, raw bool) (rows []domain.Handoff, warnings []string, err error) {
	src := bufio.NewReader(r)
	if err := skipBOM(src); err != nil {
		return nil, nil, fmt.Errorf("read CSV: %w", err)
	}
	m := &meter{r: src, limit: MaxRecordBytes}
	cr := csv.NewReader(m)
	cr.FieldsPerRecord = -1 // checked here, so that reading goes on
	cr.ReuseRecord = true   // the cells of a record share one string anyway

	p := &parser{seen: make(map[string]int), raw: raw}
	header, err := cr.Read()
	if err := p.header(cr, m, header, err); err != nil {
		return nil, nil, err
	}
	if len(p.problems) == 0 {
		if err := p.records(cr, m); err != nil {
			return nil, nil, err
		}
	}
	if len(p.problems) > 0 {
		return nil, p.warnings, &Error{Problems: p.problems}
	}
	return p.rows, p.warnings, nil
}

// records reads the records after the header up to the end of the file or
// the first record that is too long; the error is a failure to read.
func (p *parser) records(cr *csv.Reader, m *meter) error {
	for {
		m.limit = cr.InputOffset() + MaxRecordBytes
		rec, err := cr.Read()
		if m.tripped {
			p.add(tooLongLine(cr, rec, err, p.lastLine+1), -1, "record longer than 1 MB (is a quote left open?); the rest of the file was not read")
			return nil
		}
		if err == io.EOF {
			return nil
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			p.add(pe.StartLine, -1, parseMessage(pe))
			p.lastLine = pe.Line
			continue
		}
		if err != nil {
			return fmt.Errorf("read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		p.record(line, rec)
		end, _ := cr.FieldPos(len(rec) - 1)
		p.lastLine = end + strings.Count(rec[len(rec)-1], "\n")
	}
}

// header maps the header record onto Columns, or reports why it cannot.
func (p *parser) header(cr *csv.Reader, m *meter, rec []string, err error) error {
	switch pe, isParse := errors.AsType[*csv.ParseError](err); {
	case m.tripped:
		p.add(1, -1, "header longer than 1 MB")
		return nil
	case err == io.EOF:
		p.add(1, -1, "the file is empty; expected a header row naming the columns "+strings.Join(columns[:], ","))
		return nil
	case isParse:
		p.add(1, -1, "header: "+parseMessage(pe))
		return nil
	case err != nil:
		return fmt.Errorf("read CSV: %w", err)
	}
	// Blank lines before the header are skipped; lines are still counted
	// as an editor shows them.
	line, _ := cr.FieldPos(0)
	p.lastLine = line
	for i := range p.pos {
		p.pos[i] = -1
	}
	if len(rec) == 1 && strings.Contains(rec[0], ";") {
		p.add(line, -1, "the columns are separated by semicolons; save the file as comma-separated CSV "+
			"(in Excel: File → Save As → CSV UTF-8 (Comma delimited))")
		return nil
	}
	for i, name := range rec {
		c := columnIndex(name)
		switch {
		case c < 0:
			p.warnings = append(p.warnings, "column "+quote(name)+" is not a handoff column and was ignored"+didYouMean(name))
		case p.pos[c] >= 0:
			p.add(line, c, "appears more than once in the header")
		default:
			p.pos[c] = i
		}
	}
	for c, at := range p.pos {
		if at < 0 {
			p.add(line, c, "is missing from the header")
		}
	}
	p.fields = len(rec)
	return nil
}

func columnIndex(name string) int {
	for i, c := range columns {
		if c == name {
			return i
		}
	}
	return -1
}

// didYouMean names the column a near miss ("Email", " email") meant.
func didYouMean(name string) string {
	for _, c := range columns {
		if strings.EqualFold(strings.TrimSpace(name), c) {
			return fmt.Sprintf(" (did you mean %q?)", c)
		}
	}
	return ""
}

// parseMessage words a csv.ParseError for someone fixing the file.
func parseMessage(pe *csv.ParseError) string {
	where := fmt.Sprintf("at byte %d", pe.Column)
	if pe.Line != pe.StartLine {
		where = fmt.Sprintf("on line %d, byte %d", pe.Line, pe.Column)
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote), errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("malformed CSV %s: %v (a cell with a quote in it must be quoted, its quotes doubled: \"say \"\"hi\"\"\")", where, pe.Err)
	}
	return fmt.Sprintf("malformed CSV %s: %v", where, pe.Err)
}

// tooLongLine is the line on which a record that tripped the meter starts:
// csv.Reader knows it from its first cell, or from the quote it found
// unclosed where the meter cut the record off. A run of blank lines longer
// than the limit has neither; it starts after the last record read.
func tooLongLine(cr *csv.Reader, rec []string, err error, next int) int {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return pe.StartLine
	}
	if err == nil && len(rec) > 0 {
		line, _ := cr.FieldPos(0)
		return line
	}
	return next
}

var bom = []byte("\uFEFF")

// skipBOM drops a UTF-8 byte order mark, which spreadsheet programs put at
// the start of a CSV they save as UTF-8.
func skipBOM(r *bufio.Reader) error {
	b, err := r.Peek(len(bom))
	if err != nil && err != io.EOF {
		return err
	}
	if bytes.Equal(b, bom) {
		_, err = r.Discard(len(bom))
		return err
	}
	return nil
}

// meter stands between the input and csv.Reader and lets through at most
// limit bytes in all. Read sets limit to where the next record starts plus
// MaxRecordBytes, so csv.Reader can buffer at most that much of one record:
// at the limit the meter reports the end of the input, and tripped says it
// was the limit, not the input, that ended. csv.Reader then returns what it
// has, which is how the record's start line is still known.
type meter struct {
	r       io.Reader
	n       int64 // bytes let through
	limit   int64
	tripped bool
}

func (m *meter) Read(p []byte) (int, error) {
	room := m.limit - m.n
	if room <= 0 {
		// At the limit: the record is too long only if there is more.
		var b [1]byte
		if _, err := io.ReadFull(m.r, b[:]); err != nil {
			return 0, err // io.EOF included: the record ended with the input
		}
		m.tripped = true
		return 0, io.EOF
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := m.r.Read(p)
	m.n += int64(n)
	return n, err
}

// parser holds what reading one file accumulates.
type parser struct {
	pos      [numColumns]int // position in the record of each column
	fields   int             // fields in the header, and so in every record
	lastLine int             // the line the last record read ended on
	seen     map[string]int  // external_id → line of its first row
	raw      bool            // cells as they are: no quote mark to take off
	problems []Problem
	warnings []string         // columns left out
	rows     []domain.Handoff // nil from the first problem on: they will not be returned
	slab     []time.Time      // backing store for the rows' optional times
}

// add records a problem; c < 0 is the whole line.
func (p *parser) add(line, c int, msg string) {
	col := ""
	if c >= 0 {
		col = columns[c]
	}
	p.problems = append(p.problems, Problem{Line: line, Column: col, Message: msg})
	p.rows = nil
}

// record validates one record and keeps its row if the file is still good.
func (p *parser) record(line int, rec []string) {
	if len(rec) != p.fields {
		p.add(line, -1, fmt.Sprintf("has %d fields; the header has %d", len(rec), p.fields))
		return
	}
	r := row{p: p, line: line}
	for c, at := range p.pos {
		r.cells[c] = rec[at]
	}
	h, ok := r.handoff()
	if ok && len(p.problems) == 0 {
		if len(p.rows) == cap(p.rows) {
			// Double: append grows big slices by a quarter, which for 10,000
			// rows allocates five times what they need.
			p.rows = slices.Grow(p.rows, max(len(p.rows), 256))
		}
		p.rows = append(p.rows, h)
	}
}

// newTime returns a pointer to a copy of t carved from a slab, so that a
// row's optional times cost no allocation of their own.
func (p *parser) newTime(t time.Time) *time.Time {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]time.Time, 0, 1024)
	}
	p.slab = append(p.slab, t)
	return &p.slab[len(p.slab)-1]
}
