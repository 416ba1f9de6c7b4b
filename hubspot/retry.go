package hubspot

import (
	"context"
	"errors"
	"time"

	"github.com/avast/retry-go/v4"
)

// Timer waits; tests pass one that advances a fake clock instead.
type Timer interface {
	After(d time.Duration) <-chan time.Time
}

// RetryPolicy says how a caller retries transient failures of one request:
// a rate-limited request waits out its RetryAfter; any other transient
// failure backs off exponentially with jitter. The zero value is usable.
type RetryPolicy struct {
	// Attempts is the most tries in all; 0 means 8.
	Attempts uint
	// MaxWait caps one wait; a Retry-After longer than this (a daily
	// limit) ends the retries, so the job is rescheduled instead of
	// sleeping for hours. 0 means one minute.
	MaxWait time.Duration
	// Timer waits between tries; nil means real time.
	Timer Timer
}

// Retry runs op until it succeeds, fails permanently (see IsTransient), or
// p runs out. It is the one retry loop of the package, for callers that
// make many requests in one job (the window search) and would otherwise
// start over on every 429; single writes are retried by the job queue.
func Retry[T any](ctx context.Context, p RetryPolicy, op func(context.Context) (T, error)) (T, error) {
	attempts, maxWait := p.Attempts, p.MaxWait
	if attempts == 0 {
		attempts = 8
	}
	if maxWait == 0 {
		maxWait = time.Minute
	}
	opts := []retry.Option{
		retry.Context(ctx),
		retry.Attempts(attempts),
		retry.LastErrorOnly(true),
		retry.RetryIf(func(err error) bool { return IsTransient(err) && waitFor(err) <= maxWait }),
		retry.DelayType(func(n uint, err error, c *retry.Config) time.Duration {
			if rl, ok := errors.AsType[*RateLimitError](err); ok {
				return rl.RetryAfter
			}
			return retry.CombineDelay(retry.BackOffDelay, retry.RandomDelay)(n, err, c)
		}),
		retry.Delay(200 * time.Millisecond),
		retry.MaxJitter(200 * time.Millisecond),
	}
	if p.Timer != nil {
		opts = append(opts, retry.WithTimer(p.Timer))
	}
	return retry.DoWithData(func() (T, error) { return op(ctx) }, opts...)
}

// waitFor is how long err asks to wait (0 when it does not say).
func waitFor(err error) time.Duration {
	if rl, ok := errors.AsType[*RateLimitError](err); ok {
		return rl.RetryAfter
	}
	return 0
}

// Searcher runs one contact search; *Client is one, and WithRetry wraps
// one in a RetryPolicy.
type Searcher interface {
	SearchContacts(ctx context.Context, r SearchRequest) (SearchPage, error)
}

// WithRetry makes each search of s retry by p, so a long window search
// survives a burst of 429s without starting over.
func WithRetry(s Searcher, p RetryPolicy) Searcher { return retryingSearcher{s, p} }

type retryingSearcher struct {
	s Searcher
	p RetryPolicy
}

func (r retryingSearcher) SearchContacts(ctx context.Context, req SearchRequest) (SearchPage, error) {
	return Retry(ctx, r.p, func(ctx context.Context) (SearchPage, error) { return r.s.SearchContacts(ctx, req) })
}
