package domain

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// Limits on what people type, checked at every entrance (modal, CSV).
const (
	MaxLeadName = 200
	MaxNotes    = 3000
	MaxField    = 200 // company, phone, source, campaign
)

// ValidEmail reports whether s is a bare address such as jane@acme.example
// (no display name, a dot in the domain).
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

// ValidWebURL reports whether s is an absolute http(s) URL: only those are
// shown as links, so no javascript: or slack: link can ride on a card.
func ValidWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

var userID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// ValidUserID reports whether s looks like a Slack user ID.
func ValidUserID(s string) bool { return userID.MatchString(s) }
