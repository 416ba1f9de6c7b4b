package routing

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a rules file, placed so an editor can
// jump to it.
type Problem struct {
	Line    int // 1-based; 0 when the place is unknown
	Column  int // 1-based; 0 when only the line is known
	Message string
}

// String places the problem the way compilers do ("12:7: …"), which
// editors and CI logs turn into links.
func (p Problem) String() string {
	switch {
	case p.Line == 0:
		return p.Message
	case p.Column == 0:
		return fmt.Sprintf("%d: %s", p.Line, p.Message)
	}
	return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Message)
}

// ParseError lists every problem Parse found, so one run of `routing check`
// is enough to fix a file instead of one problem per run.
type ParseError struct {
	File     string
	Problems []Problem
}

// Error lists the problems one per line, each prefixed with the file name.
func (e *ParseError) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	fmt.Fprintf(&b, "%s: %d problem", e.File, n)
	if n != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n%s:%s", e.File, p)
	}
	return b.String()
}

// yamlLine finds the line number in a YAML library syntax error, whose
// messages read "yaml: line 7: did not find expected key".
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxProblem turns a YAML syntax error into a placed Problem.
func syntaxProblem(err error) Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1]) // the pattern only matches digits
		return Problem{Line: line, Message: "YAML syntax: " + strings.TrimPrefix(msg, m[0])}
	}
	return Problem{Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// suggest finds the allowed word closest to a misspelt one, for "did you
// mean …?" hints; "" when none is close enough to be a likely typo.
func suggest(word string, allowed []string) string {
	best, bestDist := "", 3
	for _, a := range allowed {
		if d := editDistance(strings.ToLower(word), a); d < bestDist {
			best, bestDist = a, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
