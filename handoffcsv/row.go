package handoffcsv

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/domain"
)

// row checks one record and builds its handoff. Each cell gets at most one
// problem: the first rule it breaks.
type row struct {
	p      *parser
	line   int
	cells  [numColumns]string // in Columns order
	bad    uint32             // a bit for each cell with a problem
	times  [numColumns]time.Time
	timeOK uint32 // a bit for each time cell that parsed
	fails  []Problem
}

// fail records a problem with cell c (c < 0: the whole row), unless the
// cell has one already.
func (r *row) fail(c int, format string, args ...any) {
	if c >= 0 {
		if r.bad&(1<<c) != 0 {
			return
		}
		r.bad |= 1 << c
	}
	r.fails = append(r.fails, Problem{Line: r.line, Column: colName(c), Message: fmt.Sprintf(format, args...)})
}

func colName(c int) string {
	if c < 0 {
		return ""
	}
	return columns[c]
}

func (r *row) ok(c int) bool { return r.bad&(1<<c) == 0 }

// handoff validates the row; ok is false if it has problems, which are then
// on the parser.
func (r *row) handoff() (h domain.Handoff, ok bool) {
	r.checkText()
	h.ExternalID = r.externalID()
	h.CreatedAt = r.time(colCreatedAt, true)
	h.Direction = domain.Direction(r.code(colDirection, func(s string) bool { return domain.Direction(s).Valid() },
		"a direction", "to_sales or to_marketing"))
	h.Lead = domain.Lead{
		Name:    r.text(colLeadName, domain.MaxLeadName, true),
		Company: r.text(colCompany, domain.MaxField, false),
		Email:   r.email(),
		Phone:   r.text(colPhone, domain.MaxField, false),
	}
	h.Source = r.text(colSource, domain.MaxField, false)
	h.Campaign = r.text(colCampaign, domain.MaxField, false)
	h.CreatedBy = r.userID(colCreatedBy)
	h.Assignee = r.userID(colAssignee)
	h.Priority = domain.Priority(r.code(colPriority, func(s string) bool { return domain.Priority(s).Valid() },
		"a priority", "hot, warm or cold"))
	h.State = domain.State(r.code(colState, func(s string) bool { return domain.State(s).Valid() },
		"a state", stateCodes))
	for _, c := range timeColumns {
		r.time(c, false)
	}
	h.ReasonNote = r.text(colReasonNote, domain.MaxNotes, false)
	h.Notes = r.text(colNotes, domain.MaxNotes, false)
	if r.ok(colState) {
		r.checkState(h.State)
	}
	h.AcceptedAt = r.timePtr(colAcceptedAt)
	h.RejectedAt = r.timePtr(colRejectedAt)
	h.FirstTouchAt = r.timePtr(colFirstTouchAt)
	h.QualifiedAt = r.timePtr(colQualifiedAt)
	h.ClosedAt = r.timePtr(colClosedAt)
	h.RejectReason = r.cells[colRejectReason]
	h.CloseReason = r.cells[colCloseReason]
	r.checkUnique()

	if len(r.fails) == 0 {
		return h, true
	}
	slices.SortStableFunc(r.fails, func(a, b Problem) int { return columnOrder(a.Column) - columnOrder(b.Column) })
	r.p.problems = append(r.p.problems, r.fails...)
	r.p.rows = nil
	return h, false
}

// columnOrder sorts a row's problems: the whole row first, then by column.
func columnOrder(name string) int {
	if name == "" {
		return -1
	}
	return columnIndex(name)
}

var stateCodes = func() string {
	var b strings.Builder
	for i, s := range domain.States {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(s))
	}
	return b.String()
}()

// checkText rejects cells that are not text, turns the line breaks in the
// rest into LF (see cell in write.go) and, unless the file is raw, takes
// off the quote mark an export put before a formula (formula.go).
func (r *row) checkText() {
	for c, s := range r.cells {
		switch {
		case !utf8.ValidString(s):
			r.fail(c, "%s is not valid UTF-8 (save the file as CSV UTF-8)", quote(s))
		case strings.IndexByte(s, 0) >= 0:
			r.fail(c, "%s contains a NUL byte", quote(s))
		case r.p.raw:
			r.cells[c] = cell(s)
		default:
			r.cells[c] = unneutralise(cell(s))
		}
	}
}

// text is a free-text cell of at most max characters.
func (r *row) text(c, max int, required bool) string {
	s := r.cells[c]
	switch n := utf8.RuneCountInString(s); {
	case !r.ok(c):
	case s == "" && required:
		r.fail(c, "is required")
	case n > max:
		r.fail(c, "%s is %d characters long; the limit is %d", quote(s), n, max)
	}
	return s
}

func (r *row) externalID() string {
	return r.text(colExternalID, MaxExternalID, true)
}

// checkUnique: an external_id names one handoff, so a file may use it once.
func (r *row) checkUnique() {
	id := r.cells[colExternalID]
	if !r.ok(colExternalID) {
		return
	}
	if first, dup := r.p.seen[id]; dup {
		r.fail(colExternalID, "%s is already used on line %d", quote(id), first)
		return
	}
	r.p.seen[id] = r.line
}

func (r *row) email() string {
	s := r.cells[colEmail]
	if r.ok(colEmail) && s != "" && !domain.ValidEmail(s) {
		r.fail(colEmail, "%s is not an email address", quote(s))
	}
	return r.text(colEmail, domain.MaxField, false)
}

func (r *row) userID(c int) string {
	s := r.cells[c]
	switch {
	case !r.ok(c):
	case s == "":
		r.fail(c, "is required (a Slack user ID such as U012AB3CD)")
	case !domain.ValidUserID(s):
		r.fail(c, "%s is not a Slack user ID such as U012AB3CD", quote(s))
	}
	return s
}

// code is an enumeration cell: required, one of the codes (lower case).
func (r *row) code(c int, valid func(string) bool, what, codes string) string {
	s := r.cells[c]
	switch {
	case !r.ok(c):
	case s == "":
		r.fail(c, "is required (%s)", codes)
	case !valid(s):
		r.fail(c, "%s is not %s (%s)", quote(s), what, codes)
	}
	return s
}

const timeExample = "2026-03-02T15:04:05Z"

// time parses an RFC 3339 cell into UTC; an empty optional cell is the zero
// time and not marked parsed.
func (r *row) time(c int, required bool) time.Time {
	s := r.cells[c]
	if !r.ok(c) {
		return time.Time{}
	}
	if s == "" {
		if required {
			r.fail(c, "is required (an RFC 3339 time such as %s)", timeExample)
		}
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || !rfc3339Shape(s) {
		r.fail(c, "%s is not an RFC 3339 time such as %s", quote(s), timeExample)
		return time.Time{}
	}
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		r.fail(c, "%s is outside the years 0001 to 9999", quote(s))
		return time.Time{}
	}
	r.times[c] = t
	r.timeOK |= 1 << c
	return t
}

// rfc3339Shape reports whether s is laid out as RFC 3339 says
// (2006-01-02T15:04:05, an optional fraction, Z or ±hh:mm). time.Parse
// checks the values but, for compatibility, also takes a one-digit hour or
// a decimal comma.
func rfc3339Shape(s string) bool {
	const layout = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(layout)+1 {
		return false
	}
	for i := range len(layout) {
		if layout[i] == 'd' && (s[i] < '0' || s[i] > '9') || layout[i] != 'd' && s[i] != layout[i] {
			return false
		}
	}
	rest := s[len(layout):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	return rest == "Z" || len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':'
}

func (r *row) timePtr(c int) *time.Time {
	if r.timeOK&(1<<c) == 0 || !r.ok(c) {
		return nil
	}
	return r.p.newTime(r.times[c])
}

// checkState checks the times and reasons against the histories the moves
// allow for state st, and the times against each other.
func (r *row) checkState(st domain.State) {
	rule := stateRules[st]
	var set uint32
	for _, c := range timeColumns {
		if r.cells[c] != "" {
			set |= 1 << c
		}
	}
	for _, c := range timeColumns {
		bit := uint32(1) << c
		switch {
		case rule.must&bit != 0 && set&bit == 0:
			r.fail(c, "is required when state is %s", st)
		case rule.may&bit == 0 && set&bit != 0:
			r.fail(c, "must be empty when state is %s; found %s", st, quote(r.cells[c]))
		}
	}
	h, exact, ok := rule.match(set & rule.may)
	switch {
	case !ok:
		r.fail(-1, "the times set do not fit state %s", st)
		return
	case !exact:
		r.requireImplied(rule, st, set&rule.may, h.set)
	}
	r.checkOrder(h)
	r.checkReasons(st, h.enter)
}

// requireImplied explains a missing time that only some of a state's
// histories need (a lost handoff that was qualified was contacted first):
// set are the times the row has, want the nearest history's.
func (r *row) requireImplied(rule *stateRule, st domain.State, set, want uint32) {
	for _, c := range timeColumns {
		if want&(1<<c) == 0 || set&(1<<c) != 0 || !r.ok(c) {
			continue // not missing, or already reported as required
		}
		because := -1
		for _, t := range timeColumns {
			if set&(1<<t) != 0 && rule.must&(1<<t) == 0 && rule.implies(t, c) {
				because = t
				break
			}
		}
		if because < 0 {
			r.fail(c, "is required when state is %s", st)
			continue
		}
		r.fail(c, "is required when state is %s and %s is set", st, columns[because])
	}
}

// checkOrder: the moves happened in order after creation, and so did the
// times they set.
func (r *row) checkOrder(h history) {
	prev := colCreatedAt
	if r.timeOK&(1<<prev) == 0 {
		return
	}
	for _, c := range h.times {
		if r.timeOK&(1<<c) == 0 || !r.ok(c) {
			continue
		}
		if r.times[c].Before(r.times[prev]) {
			r.fail(c, "%s is before %s %s", quote(r.cells[c]), columns[prev], quote(r.cells[prev]))
			continue
		}
		prev = c
	}
}

// checkReasons: the move that entered the state records its reason (an
// "other" one with a note), and no other reason is there.
func (r *row) checkReasons(st domain.State, enter domain.Move) {
	want, has := moveReason[enter]
	for _, c := range []int{colRejectReason, colCloseReason} {
		s := r.cells[c]
		switch {
		case !r.ok(c):
		case has && c == want && s == "":
			r.fail(c, "is required when state is %s (%s)", st, reasonCodes(enter.Reasons()))
		case has && c == want && !domain.ValidReason(enter.Reasons(), s):
			r.fail(c, "%s is not a %s reason (%s)", quote(s), reasonKind[enter], reasonCodes(enter.Reasons()))
		case (!has || c != want) && s != "":
			r.fail(c, "must be empty when state is %s; found %s", st, quote(s))
		}
	}
	note := r.cells[colReasonNote]
	switch {
	case !r.ok(colReasonNote):
	case has && note == "" && r.cells[want] == domain.OtherReason:
		r.fail(colReasonNote, "is required when %s is %s", columns[want], domain.OtherReason)
	case !has && note != "":
		r.fail(colReasonNote, "must be empty when state is %s (it explains a reason); found %s", st, quote(note))
	}
}

func reasonCodes(list []domain.Reason) string {
	codes := make([]string, len(list))
	for i, x := range list {
		codes[i] = x.Code
	}
	return strings.Join(codes, ", ")
}
