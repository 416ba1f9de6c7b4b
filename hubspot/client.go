package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody bounds what is read from one answer; the largest we ask for is
// a search page of 200 contacts.
const maxBody = 16 << 20

// Client calls HubSpot's CRM API with a static token (a Service Key or a
// private app token). It is safe for concurrent use. It does not retry:
// callers (jobs) decide, with IsTransient and RateLimitError.RetryAfter or
// the Retry helper. It never logs, and never puts the token in an error.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
	now   func() time.Time
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the default HTTP client (30 s timeout), e.g. to
// go through a proxy or to shorten the timeout.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithClock injects the clock used to turn an HTTP-date Retry-After into
// a wait.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client for the API at baseURL (DefaultBaseURL in
// production; a fake's URL in tests) that authenticates with token.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("hubspot: API URL %q: want an absolute http(s) URL", baseURL)
	}
	if strings.TrimSpace(token) == "" {
		return nil, errors.New("hubspot: empty token")
	}
	c := &Client{base: u, token: token, http: &http.Client{Timeout: 30 * time.Second}, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// request is one call: route names it in errors without ids or emails.
type request struct {
	method, path, route string
	query               url.Values
	body                any
}

// do sends r and decodes a 2xx answer into out (if not nil); any other
// answer becomes an *APIError or *RateLimitError.
func (c *Client) do(ctx context.Context, r request, out any) error {
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the URL, which may hold an email
		}
		return &transportError{Method: r.method, Route: r.route, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return &transportError{Method: r.method, Route: r.route, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(r, resp, body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("hubspot: %s %s: decode answer: %w", r.method, r.route, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, r request) (*http.Request, error) {
	u := *c.base
	u.Path = c.base.Path + r.path
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("hubspot: %s %s: encode: %w", r.method, r.route, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("hubspot: %s %s: %w", r.method, r.route, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// errorBody is HubSpot's error format; every field may be missing, and a
// proxy or outage page may send no JSON at all.
type errorBody struct {
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
	Category      string `json:"category"`
	ErrorType     string `json:"errorType"`
	PolicyName    string `json:"policyName"`
	Errors        []struct {
		Context struct {
			RequiredGranularScopes []string `json:"requiredGranularScopes"`
		} `json:"context"`
	} `json:"errors"`
	Context struct {
		RequiredGranularScopes []string `json:"requiredGranularScopes"`
	} `json:"context"`
}

func (c *Client) apiError(r request, resp *http.Response, body []byte) error {
	var eb errorBody
	_ = json.Unmarshal(body, &eb) // not JSON: the status alone tells what happened
	e := APIError{Method: r.method, Route: r.route, Status: resp.StatusCode, Category: eb.Category,
		Message: eb.Message, CorrelationID: eb.CorrelationID}
	if e.CorrelationID == "" {
		e.CorrelationID = resp.Header.Get("X-HubSpot-Correlation-Id")
	}
	e.MissingScopes = append(e.MissingScopes, eb.Context.RequiredGranularScopes...)
	for _, d := range eb.Errors {
		e.MissingScopes = append(e.MissingScopes, d.Context.RequiredGranularScopes...)
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		return &e
	}
	if e.Category == "" {
		e.Category = CategoryRateLimits // HubSpot's 429s often carry only errorType RATE_LIMIT
	}
	return &RateLimitError{APIError: e, Policy: eb.PolicyName,
		RetryAfter: retryAfter(resp.Header, eb.PolicyName, c.now())}
}
