package domain

import "time"

// Account is a company we already sell to, known by its email domain, and
// the rep who owns it (`handoffbot accounts import`, or the CRM).
type Account struct {
	Domain  string // lower case, such as acme.com
	Company string
	Owner   string // Slack user ID
}

// Away is someone who said `/handoff away`: they get no handoffs from a
// rotation until Until (zero: until they say they are back).
type Away struct {
	User  string
	Until time.Time
	Since time.Time
}
