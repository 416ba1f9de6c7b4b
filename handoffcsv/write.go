package handoffcsv

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// Writer writes handoffs as the contract's CSV. It writes what it is given
// without validating it: an export must never fail because of one odd row.
// Like csv.Writer it buffers; call Flush at the end and check its error.
type Writer struct {
	cw     *csv.Writer
	header bool // whether the header row has been written
	raw    bool // cells as stored, formulas and all (NewRawWriter)
	rec    [numColumns]string
}

// NewWriter returns a Writer to w that neutralises cells a spreadsheet
// would run as formulas (see the package documentation): every export
// people open, `/handoff export` and `handoffbot export`, is written so.
// Read reads it back. The header is written with the first row, or by
// Flush if there is none, so an empty export is the header alone.
func NewWriter(w io.Writer) *Writer {
	return &Writer{cw: csv.NewWriter(w)}
}

// NewRawWriter returns a Writer to w that writes every cell exactly as
// stored, for programs (`handoffbot export --raw`); ReadRaw reads it back.
// Opened in a spreadsheet, its cells can run as formulas.
func NewRawWriter(w io.Writer) *Writer {
	return &Writer{cw: csv.NewWriter(w), raw: true}
}

// Write writes one handoff. Times go out in UTC (RFC 3339 with nanoseconds),
// nil times and empty strings as empty cells, line breaks in text as LF
// (CRLF and lone CR included), and, unless the Writer is raw, a cell a
// spreadsheet would run as a formula after a quote mark.
func (w *Writer) Write(h domain.Handoff) error {
	if err := w.writeHeader(); err != nil {
		return err
	}
	r := &w.rec
	r[colExternalID] = cell(h.ExternalID)
	r[colCreatedAt] = formatTime(h.CreatedAt)
	r[colDirection] = cell(string(h.Direction))
	r[colLeadName] = cell(h.Lead.Name)
	r[colCompany] = cell(h.Lead.Company)
	r[colEmail] = cell(h.Lead.Email)
	r[colPhone] = cell(h.Lead.Phone)
	r[colSource] = cell(h.Source)
	r[colCampaign] = cell(h.Campaign)
	r[colCreatedBy] = cell(h.CreatedBy)
	r[colAssignee] = cell(h.Assignee)
	r[colPriority] = cell(string(h.Priority))
	r[colState] = cell(string(h.State))
	r[colAcceptedAt] = formatTimePtr(h.AcceptedAt)
	r[colRejectedAt] = formatTimePtr(h.RejectedAt)
	r[colRejectReason] = cell(h.RejectReason)
	r[colFirstTouchAt] = formatTimePtr(h.FirstTouchAt)
	r[colQualifiedAt] = formatTimePtr(h.QualifiedAt)
	r[colClosedAt] = formatTimePtr(h.ClosedAt)
	r[colCloseReason] = cell(h.CloseReason)
	r[colReasonNote] = cell(h.ReasonNote)
	r[colNotes] = cell(h.Notes)
	if !w.raw {
		for i := range r {
			r[i] = neutralise(r[i])
		}
	}
	if err := w.cw.Write(r[:]); err != nil {
		return fmt.Errorf("write handoff %s: %w", h.ExternalID, err)
	}
	return nil
}

// Flush writes the header if no row has been written, then any buffered
// data, and reports the first write error of the Writer's life.
func (w *Writer) Flush() error {
	if err := w.writeHeader(); err != nil {
		return err
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

func (w *Writer) writeHeader() error {
	if w.header {
		return nil
	}
	w.header = true
	if err := w.cw.Write(columns[:]); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	return nil
}

// cell is text as the file carries it. CSV readers turn a CRLF inside a
// quoted cell into LF, so line breaks are written as LF to begin with: CRLF
// and a lone CR (old Mac) alike. Read does the same, so that an export
// reads back and re-exports byte for byte.
func cell(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

func formatTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatTime(*t)
}
