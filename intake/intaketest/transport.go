// Package intaketest holds the OpenAPI check of the intake API for tests:
// a client whose every exchange is validated against the document that
// GET /v1/openapi.json serves, so that code and document cannot drift
// apart unnoticed. The intake tests use it, and end-to-end tests against
// the real application can too.
package intaketest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/handoffbot/handoffbot/intake"
)

// NewClient is an http.Client whose exchanges are checked by a Transport
// over http.DefaultTransport.
func NewClient(t testing.TB) *http.Client {
	return &http.Client{Transport: NewTransport(t, http.DefaultTransport)}
}

// Transport is an http.RoundTripper that fails its test when an exchange
// does not match the intake OpenAPI document:
//
//   - every response must be one the document describes for the request's
//     operation and status: body, content type, required and (strictly)
//     undeclared headers;
//   - a request the document refuses must be refused by the server (4xx):
//     tests send such requests on purpose, but a 2xx would mean that the
//     server accepts what the document says it does not.
//
// It is safe for concurrent use.
type Transport struct {
	t    testing.TB
	base http.RoundTripper
	mu   sync.Mutex // the validator's caches are not documented as safe for concurrent use
	v    validator.Validator
}

// NewTransport checks exchanges made through base, failing t.
func NewTransport(t testing.TB, base http.RoundTripper) *Transport {
	t.Helper()
	doc, err := libopenapi.NewDocument(intake.OpenAPIDocument())
	if err != nil {
		t.Fatalf("intake OpenAPI document: %v", err)
	}
	// Strict mode refuses undeclared headers. Bodies are held strictly by
	// the document itself (additionalProperties: false, which generated
	// clients see too), so strict mode leaves them alone: it would also
	// refuse the members of the served document, which is "any object".
	v, errs := validator.NewValidator(doc, config.WithStrictMode(), config.WithStrictIgnorePaths("$.body.**"))
	if len(errs) > 0 {
		t.Fatalf("intake OpenAPI document: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		t.Fatalf("intake OpenAPI document is not valid OpenAPI:\n%s", describe(verrs))
	}
	return &Transport{t: t, base: base, v: v}
}

// RoundTrip sends req through the base transport and checks the exchange.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := drain(&req.Body)
	if err != nil {
		return nil, fmt.Errorf("intaketest: read request body: %w", err)
	}
	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(body))
	tr.mu.Lock()
	reqOK, reqErrs := tr.v.ValidateHttpRequestSync(check)
	tr.mu.Unlock()

	resp, err := tr.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := drain(&resp.Body)
	if err != nil {
		return nil, fmt.Errorf("intaketest: read response body: %w", err)
	}
	check.Body = io.NopCloser(bytes.NewReader(body))
	checkResp := *resp
	checkResp.Body = io.NopCloser(bytes.NewReader(respBody))
	tr.mu.Lock()
	respOK, respErrs := tr.v.ValidateHttpResponse(check, &checkResp)
	tr.mu.Unlock()

	exchange := fmt.Sprintf("%s %s → %d", req.Method, req.URL.Path, resp.StatusCode)
	if !respOK {
		tr.t.Errorf("%s: the response does not match the OpenAPI document:\n%s\nbody: %s", exchange, describe(respErrs), respBody)
	}
	if !reqOK && resp.StatusCode < 400 {
		tr.t.Errorf("%s: the server accepted a request the OpenAPI document refuses:\n%s", exchange, describe(reqErrs))
	}
	return resp, nil
}

// drain reads *body in full and puts back a reader of the same bytes.
func drain(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(*body)
	if cerr := (*body).Close(); err == nil {
		err = cerr
	}
	*body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s: %s", s.FieldPath, s.Reason)
		}
		b.WriteString("\n")
	}
	return b.String()
}
