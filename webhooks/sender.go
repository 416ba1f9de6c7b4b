package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// DefaultTimeout bounds one delivery attempt, connection to last byte
// (contract.md: no answer within 10 s is a failure).
const DefaultTimeout = 10 * time.Second

// UserAgent names the sender to receivers and their firewalls.
const UserAgent = "handoffbot-webhooks/1 (+https://github.com/handoffbot/handoffbot)"

// maxResponseRead is how much of a receiver's answer is read (and thrown
// away, to reuse the connection): a receiver cannot make us read more.
const maxResponseRead = 64 << 10

// Result is what a delivery job does after an attempt.
type Result int

// The results of an attempt.
const (
	// Retry: the receiver failed or did not answer in time; try again with
	// backoff, signed afresh.
	Retry Result = iota
	// Delivered: the receiver answered 2xx.
	Delivered
	// Gone: the receiver answered 410; disable the URL and tell managers.
	Gone
)

func (r Result) String() string {
	return [...]string{"retry", "delivered", "gone"}[r]
}

// Outcome is one attempt's result with what the job should log: the
// receiver's status, or the error that kept it from answering.
type Outcome struct {
	Result Result
	Status int   // 0 when the receiver did not answer
	Err    error // why there was no answer, or what a non-2xx means
	// RetryAfter is how long a 429 or 503 asked the sender to wait (its
	// Retry-After, in seconds or as a date); zero when it did not say.
	RetryAfter time.Duration
}

// Sender POSTs signed events. Its client is made for URLs that the
// operator configures but a receiver controls: redirects are not followed
// (a 3xx is a failed attempt, so a signed body never goes to a host the
// operator did not name, and a moved receiver shows up in the logs), only
// the first 64 KB of an answer is read, and each attempt has a deadline.
type Sender struct {
	secret string
	client *http.Client
	now    func() time.Time
}

// Option changes a Sender's defaults.
type Option func(*Sender)

// WithTimeout bounds each attempt (DefaultTimeout otherwise).
func WithTimeout(d time.Duration) Option { return func(s *Sender) { s.client.Timeout = d } }

// WithClock sets the clock of signature timestamps (time.Now otherwise).
func WithClock(now func() time.Time) Option { return func(s *Sender) { s.now = now } }

// NewSender signs with secret (WEBHOOK_SECRET).
func NewSender(secret string, opts ...Option) *Sender {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxResponseHeaderBytes = 64 << 10
	s := &Sender{secret: secret, now: time.Now, client: &http.Client{
		Transport: transport,
		Timeout:   DefaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Send POSTs body, the JSON of the event with id eventID, to target, signed
// now. Errors never carry target, which may hold a credential (a hook's
// secret path, user:password).
func (s *Sender) Send(ctx context.Context, target, eventID string, body []byte) Outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return Outcome{Result: Retry, Err: errors.New("webhooks: the URL is not valid")}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(EventIDHeader, eventID)
	req.Header.Set(SignatureHeader, Sign(s.secret, s.now(), body))
	resp, err := s.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // without the URL
		}
		return Outcome{Result: Retry, Err: fmt.Errorf("webhooks: post event: %w", err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead)) // what is not read is not needed
	_ = resp.Body.Close()                                                  // a read-only body: nothing to lose
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return Outcome{Result: Delivered, Status: code}
	case code == http.StatusGone:
		return Outcome{Result: Gone, Status: code, Err: errors.New("webhooks: the receiver answered 410 Gone")}
	case code >= 300 && code < 400:
		return Outcome{Result: Retry, Status: code, Err: fmt.Errorf("webhooks: redirect (%d) not followed; update the URL", code)}
	default:
		return Outcome{Result: Retry, Status: code, Err: fmt.Errorf("webhooks: the receiver answered %d", code),
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), s.now())}
	}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date after
// now. Anything else (or nothing) is zero: the sender's backoff decides.
func retryAfter(h string, now time.Time) time.Duration {
	if secs, err := strconv.Atoi(h); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// CheckURL reports whether raw can receive events: an absolute http or
// https URL with a host. For the configuration of WEBHOOK_URLS.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an absolute http:// or https:// URL")
	}
	return nil
}

// Redact is target as logs may show it: scheme and host, without the
// path, query or user information that often hold a hook's secret.
func Redact(target string) string { return domain.SinkLabel(target) }
