package handoffcsv

// Spreadsheet formulas: see the package documentation.

// quoteMark is what a spreadsheet reads as "text follows": Excel and
// LibreOffice show a cell that starts with it as it is, never as a formula.
const quoteMark = '\''

// needsQuoteMark reports whether an export puts a quoteMark before s: when
// a spreadsheet would take s for a formula (=, +, -, @, tab, carriage
// return), and when s starts with a quoteMark itself, so that import can
// take off exactly one.
func needsQuoteMark(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', quoteMark:
		return true
	}
	return false
}

// neutralise is s as an export writes it for spreadsheets.
func neutralise(s string) string {
	if needsQuoteMark(s) {
		return string(quoteMark) + s
	}
	return s
}

// unneutralise takes off the quoteMark neutralise added, and nothing else:
// a quoteMark before text that needs none was typed by someone.
func unneutralise(s string) string {
	if len(s) > 1 && s[0] == quoteMark && needsQuoteMark(s[1:]) {
		return s[1:]
	}
	return s
}
