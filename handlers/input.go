package handlers

import (
	"strings"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/domain"
)

// maxCRMLink is the CRM link input's max_length: Slack's largest for a
// plain-text input, and more than any CRM's record URL needs.
const maxCRMLink = 3000

// savable reports whether Postgres can keep s as text. Slack's JSON can
// carry a NUL (\u0000), which Postgres refuses with an error that would
// reach the person as "something went wrong"; forms catch it first and
// say which input holds it.
func savable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// fitsRunes reports whether s has at most max characters, as Slack counts
// an input's max_length.
func fitsRunes(s string, max int) bool {
	return utf8.RuneCountInString(s) <= max
}

// userOrNone keeps id only if it is a Slack user ID. IDs read back from a
// modal's metadata are shown as mentions (<@id>), where anything else
// would be markup in the channel.
func userOrNone(id string) string {
	if !domain.ValidUserID(id) {
		return ""
	}
	return id
}
