package hubspot_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/hubspot"
)

// waits is a Timer that records each wait and returns at once.
type waits []time.Duration

func (w *waits) After(d time.Duration) <-chan time.Time {
	*w = append(*w, d)
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

func rateLimited(after time.Duration) error {
	return &hubspot.RateLimitError{APIError: hubspot.APIError{Status: http.StatusTooManyRequests}, RetryAfter: after}
}

func TestRetry(t *testing.T) {
	permanent := &hubspot.APIError{Status: http.StatusBadRequest}
	unavailable := &hubspot.APIError{Status: http.StatusServiceUnavailable}
	for _, tc := range []struct {
		name      string
		errs      []error // what each try returns; past the end: success
		policy    hubspot.RetryPolicy
		wantErr   error
		wantTries int
		check     func(waits) bool
	}{
		{"429s wait exactly their Retry-After", []error{rateLimited(2 * time.Second), rateLimited(7 * time.Second)}, hubspot.RetryPolicy{},
			nil, 3, func(w waits) bool { return len(w) == 2 && w[0] == 2*time.Second && w[1] == 7*time.Second }},
		{"5xx backs off", []error{unavailable, unavailable}, hubspot.RetryPolicy{},
			nil, 3, func(w waits) bool { return len(w) == 2 && w[0] > 0 && w[1] > 0 }},
		{"a permanent refusal is not retried", []error{permanent}, hubspot.RetryPolicy{},
			permanent, 1, func(w waits) bool { return len(w) == 0 }},
		{"a daily limit ends retries for the job to reschedule", []error{rateLimited(3 * time.Hour)}, hubspot.RetryPolicy{MaxWait: time.Minute},
			rateLimited(0), 1, func(w waits) bool { return len(w) == 0 }},
		{"attempts run out", []error{unavailable, unavailable, unavailable}, hubspot.RetryPolicy{Attempts: 2},
			unavailable, 2, func(w waits) bool { return len(w) == 1 }},
	} {
		var w waits
		tc.policy.Timer = &w
		tries := 0
		got, err := hubspot.Retry(context.Background(), tc.policy, func(context.Context) (int, error) {
			tries++
			if tries <= len(tc.errs) {
				return 0, tc.errs[tries-1]
			}
			return 42, nil
		})
		switch {
		case tc.wantErr == nil && (err != nil || got != 42):
			t.Errorf("%s: %d, %v", tc.name, got, err)
		case tc.wantErr != nil && !sameKind(err, tc.wantErr):
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.wantErr)
		}
		if tries != tc.wantTries || !tc.check(w) {
			t.Errorf("%s: %d tries, waits %v", tc.name, tries, w)
		}
	}
}

func sameKind(err, want error) bool {
	if _, ok := errors.AsType[*hubspot.RateLimitError](want); ok {
		_, ok := errors.AsType[*hubspot.RateLimitError](err)
		return ok
	}
	return errors.Is(err, want)
}
