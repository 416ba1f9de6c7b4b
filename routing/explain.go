package routing

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/handoffbot/handoffbot/markup"
)

// dateLayout is how a return date reads in explanations ("Mon 7 Dec"); the
// caller passes AwayUntil in the person's own time zone.
const dateLayout = "Mon 2 Jan"

// escape makes text from the rules file safe to show in Slack: &, < and >
// would otherwise be read as markup (a rule named "<!channel>" must not
// notify anyone).
func escape(s string) string { return markup.Escape(s) }

// Words says why the person was skipped, as the explanation shows it
// ("away until Mon 7 Dec", "capped: 15 of 15 open").
func (s Skip) Words() string {
	var w string
	switch s.Reason {
	case ReasonAway:
		w = AwayWords(s.Until)
	case ReasonCappedOpen:
		w = fmt.Sprintf("capped: %d of %d open", s.Count, s.Limit)
	case ReasonCappedToday:
		w = fmt.Sprintf("capped: %d of %d today", s.Count, s.Limit)
	default:
		w = string(s.Reason)
	}
	if s.AccountOwner {
		w = "account owner, " + w
	}
	return w
}

// Line is the one-line explanation posted in the card's thread, in Slack
// mrkdwn: "Routed by *EMEA enterprise* → <@U1>; skipped <@U2> (away until
// Mon 7 Dec)". Names from the rules file are escaped.
func (d Decision) Line() string {
	var b strings.Builder
	switch {
	case d.Escalate && d.RerouteLimit == 0:
		return fmt.Sprintf("*%s* does not re-route after a breach: escalated", escape(d.Rule))
	case d.Escalate && d.Reroute > d.RerouteLimit:
		return fmt.Sprintf("*%s* re-routed it %d times already: escalated", escape(d.Rule), d.RerouteLimit)
	case d.Reroute > 0:
		fmt.Fprintf(&b, "Re-routed by *%s* after the accept SLA breach (%d of %d)", escape(d.Rule), d.Reroute, d.RerouteLimit)
	default:
		fmt.Fprintf(&b, "Routed by *%s*", escape(d.Rule))
	}
	switch {
	case d.Escalate:
		b.WriteString(" → nobody left to re-route to: escalated")
	case d.Assignee == "":
		b.WriteString(" → nobody available")
	default:
		fmt.Fprintf(&b, " → <@%s>", d.Assignee)
	}
	if how := d.how(true); how != "" {
		b.WriteString(" (" + how + ")")
	}
	seen := map[string]bool{}
	sep := "; skipped "
	for _, s := range d.Skipped {
		if seen[s.User] {
			continue
		}
		seen[s.User] = true
		fmt.Fprintf(&b, "%s<@%s> (%s)", sep, s.User, s.Words())
		sep = ", "
	}
	return b.String()
}

// how says how the assignee was reached, when that is not the plain
// rotation of the rule's pool; slack says whether to format for Slack.
func (d Decision) how(slack bool) string {
	name := func(s string) string {
		if slack {
			return "*" + escape(s) + "*"
		}
		return s
	}
	var parts []string
	switch d.Via {
	case ViaOwner:
		parts = append(parts, "account owner, "+name(d.Account.Domain))
	case ViaCatchUp:
		parts = append(parts, "catching up after time away")
	}
	if d.FallbackUsed && d.Assignee != "" {
		if d.From != "" {
			parts = append(parts, "fallback pool "+name(d.From))
		} else {
			parts = append(parts, "fallback")
		}
	}
	return strings.Join(parts, ", ")
}

// Explain is the long explanation `handoffbot routing explain` prints:
// the lead as routing sees it, why each earlier rule did not take it, the
// rule that did, the account, everyone skipped and the result.
func Explain(m Match, d Decision) string {
	var b strings.Builder
	row := func(label, format string, args ...any) {
		if label != "" {
			label += ":"
		}
		fmt.Fprintf(&b, "%-10s %s\n", label, fmt.Sprintf(format, args...))
	}
	row("Lead", "%s", describeLead(m.Lead))
	for i, miss := range m.Misses {
		label := ""
		if i == 0 {
			label = "Missed"
		}
		row(label, "line %d %q: %s", miss.Line, miss.Rule, miss.Why)
	}
	if m.Rule == nil {
		row("Rule", "none matches: the team's plain rotation takes it")
		return b.String()
	}
	row("Rule", "line %d %q: %s", m.Rule.Line, m.Rule.Name, m.Rule.Conditions())
	row("Sends to", "%s", m.Rule.target())
	if m.Rule.AccountOwnerFirst {
		row("Account", "%s", d.accountWords())
	}
	for i, s := range d.Skipped {
		label := ""
		if i == 0 {
			label = "Skipped"
		}
		where := ""
		if s.Pool != "" {
			where = " in pool " + s.Pool
		}
		row(label, "%s%s: %s", s.User, where, s.Words())
	}
	row("Result", "%s", d.result())
	return b.String()
}

// accountWords describes the account step for Explain.
func (d Decision) accountWords() string {
	if d.Account == nil {
		return d.OwnerNote
	}
	a := d.Account
	return fmt.Sprintf("%s (%s), owner %s", a.Domain, a.Company, a.Owner)
}

// result is Explain's last line.
func (d Decision) result() string {
	var s string
	switch {
	case d.Escalate:
		s = "nobody to re-route to: escalate"
	case d.Assignee == "":
		s = "nobody available"
		if d.Fallback != "" {
			s += " (the fallback, " + d.Fallback + ", could not take it either)"
		}
	default:
		s = d.Assignee + " by " + string(d.Via)
		if d.From != "" {
			s += " of pool " + d.From
		}
		if d.FallbackUsed {
			s += " (fallback)"
		}
	}
	return s
}

// describeLead lists the fields a rule can test, skipping empty ones.
func describeLead(l Lead) string {
	parts := []string{enumFold(l.Direction), "priority " + enumFold(l.Priority)}
	add := func(label, v string) {
		if strings.TrimSpace(v) != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("source", l.Source)
	add("campaign", l.Campaign)
	add("country", strings.ToUpper(l.Country))
	add("region", l.Region)
	if l.Employees != nil {
		add("employees", strconv.Itoa(*l.Employees))
	}
	add("industry", l.Industry)
	add("domain", l.Domain())
	return strings.Join(parts, " · ")
}

// target describes where a rule sends leads and how it picks.
func (r *Rule) target() string {
	var parts []string
	if r.AccountOwnerFirst {
		parts = append(parts, "the account's owner, else")
	}
	if r.Pool != nil {
		parts = append(parts, "pool "+r.Pool.Name)
	} else {
		parts = append(parts, r.Person)
	}
	if !r.Fallback.IsZero() {
		parts = append(parts, "(fallback "+r.Fallback.String()+")")
	}
	var opts []string
	if r.SkipOutsideHours {
		opts = append(opts, "skips people outside working hours")
	}
	if r.OnReturn == CatchUp {
		opts = append(opts, fmt.Sprintf("catch-up of up to %d on return", r.CatchUpLimit))
	}
	if r.RerouteOnBreach > 0 {
		opts = append(opts, fmt.Sprintf("re-routes up to %d× on an accept breach", r.RerouteOnBreach))
	}
	if len(opts) > 0 {
		parts = append(parts, "— "+strings.Join(opts, "; "))
	}
	return strings.Join(parts, " ")
}

// Describe lists the rules in order with what they send where, then each
// pool's members with weights and caps: the body of `routing check` and
// of /handoff routing (which adds who is away and the shares).
func (r *Rules) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rules, first match wins:\n", len(r.List))
	for i, rule := range r.List {
		fmt.Fprintf(&b, "%2d. %s — %s → %s\n", i+1, rule.Name, rule.Conditions(), rule.target())
	}
	for _, p := range r.Pools {
		fmt.Fprintf(&b, "pool %s:\n", p.Name)
		for _, m := range p.Members {
			fmt.Fprintf(&b, "    %s\n", m.describe())
		}
	}
	return b.String()
}

// describe shows a member with its weight and caps.
func (m Member) describe() string {
	s := m.Person
	if m.Group != "" {
		s = "group " + m.Group + " (each)"
	}
	s += fmt.Sprintf(" weight %d", m.Weight)
	if m.MaxOpen > 0 {
		s += fmt.Sprintf(", at most %d open", m.MaxOpen)
	}
	if m.MaxPerDay > 0 {
		s += fmt.Sprintf(", at most %d a day", m.MaxPerDay)
	}
	return s
}

// AwayWords says "away" or "away until Mon 7 Dec", so that /handoff
// routing shows who is away in the same words as the explanations.
func AwayWords(until time.Time) string {
	if until.IsZero() {
		return "away"
	}
	return "away until " + until.Format(dateLayout)
}
