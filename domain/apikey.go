package domain

import "time"

// APIKey is an intake API key as stored: its name (the card says "via
// <name>"), its rate limit, and when it was made, last used and revoked.
// The key itself is never stored, only a hash of it.
type APIKey struct {
	ID         int64
	Name       string
	Rate       float64 // requests per second
	Burst      int
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}
