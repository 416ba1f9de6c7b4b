package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrNotFound is matched (errors.Is) by every 404 from HubSpot, so callers
// can tell "no such contact" from a failure without reading statuses.
var ErrNotFound = errors.New("hubspot: not found")

// HubSpot's error categories that callers act on. The list is open:
// HubSpot adds categories, and APIError.Category keeps whatever came.
const (
	CategoryInvalidAuth   = "INVALID_AUTHENTICATION"
	CategoryMissingScopes = "MISSING_SCOPES"
	CategoryRateLimits    = "RATE_LIMITS"
	CategoryValidation    = "VALIDATION_ERROR"
	CategoryNotFound      = "OBJECT_NOT_FOUND"
	CategoryConflict      = "CONFLICT"
)

// APIError is a refusal from HubSpot, decoded from its error body
// ({"status":"error","message":…,"correlationId":…,"category":…}; every
// field optional, developers.hubspot.com/docs/api-reference/error-handling).
//
// Error() names the request, the status, the category and the correlation
// id, never Message: HubSpot's messages quote the values sent ("x is not a
// valid email"), which are contact data. Message is kept for a debug log.
type APIError struct {
	Method string // GET, POST, …
	Route  string // the path with ids replaced, e.g. /crm/objects/2026-09/contacts/{id}
	Status int
	// Category is HubSpot's category, e.g. MISSING_SCOPES; for a 429 it is
	// RATE_LIMITS even when HubSpot only sent errorType RATE_LIMIT.
	Category      string
	Message       string
	CorrelationID string
	// MissingScopes lists the scopes a 403 says are required.
	MissingScopes []string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("hubspot: %s %s: %d %s", e.Method, e.Route, e.Status, http.StatusText(e.Status))
	if e.Category != "" {
		s += " " + e.Category
	}
	if len(e.MissingScopes) > 0 {
		s += " (needs " + strings.Join(e.MissingScopes, ", ") + ")"
	}
	if e.CorrelationID != "" {
		s += " correlation id " + e.CorrelationID
	}
	return s
}

// Is makes errors.Is(err, ErrNotFound) true for a 404.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.Status == http.StatusNotFound
}

// RateLimitError is a 429: the caller should wait RetryAfter and try
// again. It unwraps to its APIError.
type RateLimitError struct {
	APIError
	// RetryAfter is how long to wait: the Retry-After header if HubSpot
	// sent one, else the length of the window the policy names.
	RetryAfter time.Duration
	// Policy is HubSpot's policyName: SECONDLY (search),
	// TEN_SECONDLY_ROLLING or DAILY; empty if not given.
	Policy string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s, retry after %s", e.APIError.Error(), e.RetryAfter)
}

// Unwrap gives the APIError, so errors.As finds either type.
func (e *RateLimitError) Unwrap() error { return &e.APIError }

// IsTransient reports whether err may go away if the same request is sent
// again later: rate limits, 5xx, HubSpot's 423 (record locked) and 477
// (migration in progress), timeouts and broken connections. Everything
// else (bad token, missing scope, invalid value, not found) is permanent:
// retrying cannot help until someone changes something. A cancelled
// context is neither: it is not retried.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if _, ok := errors.AsType[*RateLimitError](err); ok {
		return true
	}
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.Status >= 500 || e.Status == http.StatusLocked || e.Status == 477 ||
			e.Status == http.StatusRequestTimeout
	}
	_, ok := errors.AsType[*transportError](err)
	return ok
}

// transportError is a request that got no HTTP answer: refused, reset,
// timed out. The URL is left out: it can carry an email (idProperty=email).
type transportError struct {
	Method, Route string
	Err           error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("hubspot: %s %s: %v", e.Method, e.Route, e.Err)
}

func (e *transportError) Unwrap() error { return e.Err }

// retryAfter reads how long a 429 asks to wait. HubSpot documents
// Retry-After only for workflow actions; its API answers carry
// X-HubSpot-RateLimit-Interval-Milliseconds (not on search) and a
// policyName, so those are the fallbacks, in that order.
func retryAfter(h http.Header, policy string, now time.Time) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second
		}
		if at, err := http.ParseTime(v); err == nil && at.After(now) {
			return at.Sub(now)
		}
	}
	if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	switch policy {
	case "SECONDLY":
		return time.Second
	case "DAILY":
		return time.Hour // the day resets at midnight in the account's zone, which we do not know here
	default:
		return 10 * time.Second
	}
}
