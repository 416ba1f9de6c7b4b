package handoffcsv

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/handoffbot/handoffbot/domain"
)

// Problem is one thing wrong with an imported file: where it is and, in
// words a person fixing the file understands, what is wrong.
type Problem struct {
	Line    int    // 1 is the header; a record is reported at the line it starts on
	Column  string // a name of Columns, or "" for the whole line
	Message string // quotes the bad value, shortened if long
}

// String renders the problem the way the import command prints it:
// `line 7, column email: "jane@" is not an email address`.
func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return fmt.Sprintf("line %d, column %s: %s", p.Line, p.Column, p.Message)
}

// MaxRenderedProblems is how many problems Error.Error spells out; the rest
// are counted. All of them stay in Error.Problems.
const MaxRenderedProblems = 50

// Error is why Read refused a file: every problem found, in file order.
// Import is all-or-nothing, so one Error replaces all the rows.
type Error struct {
	Problems []Problem
}

// Error lists the problems one per line, the first MaxRenderedProblems of
// them, then how many more there are.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i == MaxRenderedProblems {
			fmt.Fprintf(&b, "\n… and %d more", len(e.Problems)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap presents the error in the domain's vocabulary (invalid input, with
// the rendered list as its user-facing message), so that the edges can
// treat it like any other domain.Error.
func (e *Error) Unwrap() error {
	return &domain.Error{Code: domain.EINVALID, Message: e.Error()}
}

// quoteMax is how many characters of a bad value a message quotes.
const quoteMax = 40

// quote renders a cell for a message: Go-quoted, so that invisible and
// invalid bytes show, and cut after quoteMax characters.
func quote(s string) string {
	n := 0
	for i := range s {
		if n == quoteMax {
			return strconv.Quote(s[:i] + "…")
		}
		n++
	}
	return strconv.Quote(s)
}
