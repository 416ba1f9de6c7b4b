// Package markup holds what every part of the bot that writes Slack
// markup needs: text people typed, shown as typed.
package markup

import "strings"

// Escape makes text display as typed: Slack reads &, < and > as control
// sequences (<!channel> notifies everyone, <http://x|y> is a link), so they
// are entity-encoded, and nothing else is.
func Escape(s string) string {
	return escaper.Replace(s)
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
