package handlers

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/domain"
)

// Draft is what text typed after /handoff (or a message handed off) says
// about a lead, to prefill the New handoff form.
type Draft struct {
	Name     string
	Company  string
	Email    string
	Phone    string
	CRMURL   string
	Assignee string
	Notes    string
}

var (
	// Slack's escaped forms: <@U123|name>, <mailto:a@b|a@b>, <https://x|label>, <#C1|general>.
	slackUser  = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)
	slackLink  = regexp.MustCompile(`<((?:https?|mailto):[^|>\s]+)(?:\|[^>]*)?>`)
	slackOther = regexp.MustCompile(`<[#!][^>]*>`)
	emailRe    = regexp.MustCompile(`(?i)\b[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}\b`)
	urlRe      = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+`)
	phoneRe    = regexp.MustCompile(`\+?\(?\d[\d\s().\-]{5,}\d`)
	companyRe  = regexp.MustCompile(`^(.*?)\s*\(([^()]+)\)\s*$`)
	spaces     = regexp.MustCompile(`\s+`)
)

// maxNameFromText is how much of the remaining text may become the lead
// name; longer text goes to Notes and the name takes its first words.
const maxNameFromText = 80

// ParseDraft reads an email, a phone number, a URL (the CRM link) and a
// mentioned user (the assignee) out of free text; the rest names the lead,
// "Name (Company)" sets the company, and long text also becomes the notes.
func ParseDraft(text string) Draft {
	var d Draft
	text = strings.ReplaceAll(strings.ToValidUTF8(text, ""), "\x00", "") // Postgres keeps no NUL
	if m := slackUser.FindStringSubmatch(text); m != nil {
		d.Assignee = m[1]
	}
	text = slackUser.ReplaceAllString(text, " ")
	text = slackLink.ReplaceAllStringFunc(text, func(s string) string {
		return " " + slackLink.FindStringSubmatch(s)[1] + " "
	})
	text = slackOther.ReplaceAllString(text, " ")
	text = strings.ReplaceAll(text, "mailto:", "")
	// What does not fit its input stays in the text, so that the form
	// Slack is asked to open never holds more than the input allows.
	if m := emailRe.FindString(text); m != "" && fitsRunes(m, domain.MaxField) {
		d.Email = m
		text = strings.Replace(text, m, " ", 1)
	}
	if m := urlRe.FindString(text); m != "" && fitsRunes(m, maxCRMLink) {
		d.CRMURL = strings.TrimRight(m, ".,;)")
		text = strings.Replace(text, d.CRMURL, " ", 1)
	}
	if m := phoneRe.FindString(text); countDigits(m) >= 7 && fitsRunes(m, domain.MaxField) {
		d.Phone = strings.TrimSpace(m)
		text = strings.Replace(text, m, " ", 1)
	}
	rest := strings.TrimSpace(spaces.ReplaceAllString(text, " "))
	rest = strings.Trim(rest, " ,;:-–—")
	if utf8.RuneCountInString(rest) > maxNameFromText {
		d.Notes = truncateRunes(strings.TrimSpace(text), domain.MaxNotes)
		rest = firstWords(rest, maxNameFromText)
	}
	if m := companyRe.FindStringSubmatch(rest); m != nil && m[1] != "" {
		rest, d.Company = m[1], strings.TrimSpace(m[2])
	}
	d.Name = truncateRunes(rest, domain.MaxLeadName)
	return d
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// firstWords keeps whole words, up to a sentence end or max runes.
func firstWords(s string, max int) string {
	if i := strings.IndexAny(s, ".!?\n"); i > 0 && utf8.RuneCountInString(s[:i]) <= max {
		return s[:i]
	}
	out := ""
	for _, w := range strings.Fields(s) {
		if utf8.RuneCountInString(out)+1+utf8.RuneCountInString(w) > max {
			break
		}
		out = strings.TrimSpace(out + " " + w)
	}
	if out == "" {
		return truncateRunes(s, max)
	}
	return out
}

// truncateRunes cuts s to at most max runes, marking a cut with "…".
func truncateRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
