// Package handoffcsv reads and writes the handoff CSV (docs/csv.md): `handoffbot import FILE.csv`,
// `handoffbot export` and `/handoff export` all go through it, so that an
// export imports back to the same rows.
//
// # Format
//
// UTF-8, comma-separated, one header row naming the columns of [Columns]
// (any order on import, that order on export), one handoff per record.
// Times are RFC 3339; the writer prints them in UTC with nanosecond
// precision ([time.RFC3339Nano]), so the microseconds Postgres keeps survive
// a round trip. People are Slack user IDs, enumerations and reasons are the
// codes listed in docs/csv.md, and an empty cell is a null. A leading byte order mark
// and CRLF line endings are accepted on import.
//
// A line break inside a cell is LF on both sides: CSV readers (ours
// included) turn a CRLF inside a quoted cell into LF, so the writer writes
// CRLF and a lone CR as LF, and Read turns any CR left in a cell into LF
// too. An export therefore reads back to the same rows and re-exports byte
// for byte.
//
// # Reading is validation
//
// [Read] is the gate of `handoffbot import`, which is all-or-nothing: it
// checks every record against the rules of the domain (see [Read]) and
// either returns every row or an [*Error] that lists every bad cell by line
// and column. Line numbers count the header as line 1; a record whose
// quoted cells span several lines is reported at the line it starts on.
// Cells are taken as they are: nothing is trimmed or case-folded, so what
// is imported is exactly what the file says.
//
// Memory stays bounded by the file's rows, never by one line: a record
// longer than [MaxRecordBytes] stops the reading with a problem instead of
// being buffered whole. Such a record is almost always a quote left open,
// which swallows the rest of the file, so nothing after it is checked.
//
// # Spreadsheet formulas
//
// Cells are written exactly as stored, including text that starts with =,
// +, - or @ (a phone number "+1 555 0100", or a lead name someone typed as
// "=HYPERLINK(…)"). Escaping such cells with a leading apostrophe, as some
// exporters do, would change the data for every script that reads the
// export and would make an apostrophe a value could legitimately start with
// ambiguous on import. The export is data, not a spreadsheet: whoever opens
// it in Excel or LibreOffice should import it as text (Data → From
// Text/CSV, columns as Text) rather than double-click it.
package handoffcsv

import "slices"

// Columns are the CSV columns, in the order the writer puts them. It is a
// copy: changing it changes nothing in the package.
var Columns = slices.Clone(columns[:])

// columns are the names the package itself uses, indexed by the col
// constants.
var columns = [numColumns]string{
	"external_id", "created_at", "direction", "lead_name", "company", "email", "phone",
	"source", "campaign", "created_by", "assignee", "priority", "state", "accepted_at",
	"rejected_at", "reject_reason", "first_touch_at", "qualified_at", "closed_at",
	"close_reason", "reason_note", "notes",
}

// Column indexes into Columns; the reader and writer work in this order.
const (
	colExternalID = iota
	colCreatedAt
	colDirection
	colLeadName
	colCompany
	colEmail
	colPhone
	colSource
	colCampaign
	colCreatedBy
	colAssignee
	colPriority
	colState
	colAcceptedAt
	colRejectedAt
	colRejectReason
	colFirstTouchAt
	colQualifiedAt
	colClosedAt
	colCloseReason
	colReasonNote
	colNotes
	numColumns
)

// MaxExternalID is the longest external_id accepted, in characters.
const MaxExternalID = 200

// MaxRecordBytes bounds one record (its line or lines, with the line
// ending). The longest valid record is a few tens of kilobytes; the limit
// only exists so that one enormous line cannot exhaust memory.
const MaxRecordBytes = 1 << 20
