package intake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// exchange is what the log line of one request says, filled in as the
// request is handled.
type exchange struct {
	id        string
	log       *slog.Logger
	key       string // the key's name, never the token
	handoffID int64
	problem   string // the problem type's name, for a refused request
	// badFields counts the bad fields of a 422; their names are not
	// logged, as an unknown field's name is the client's text.
	badFields int
}

type exchangeKey struct{}

func withExchange(ctx context.Context, x *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, x)
}

// exchangeOf is the request's exchange; a detached one outside ServeHTTP
// (in tests of single handlers) so that callers need not check.
func exchangeOf(ctx context.Context) *exchange {
	if x, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		return x
	}
	return &exchange{log: slog.Default()}
}

func requestID(ctx context.Context) string { return exchangeOf(ctx).id }

func logger(ctx context.Context) *slog.Logger { return exchangeOf(ctx).log }

// noteProblem records a refusal for the log line.
func noteProblem(ctx context.Context, p Problem) {
	x := exchangeOf(ctx)
	x.problem = p.Type[len(ProblemTypeBase):]
	x.badFields = len(p.Errors)
}

// newRequestID names a request for the client (Request-Id) and the logs.
func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "req_" + hex.EncodeToString(b)
}

// logDone writes the request's one log line: who, what, how it ended. No
// body content is logged at any level: a lead's details are personal data.
func (x *exchange) logDone(r *http.Request, status int, took time.Duration) {
	attrs := []any{"method", r.Method, "path", r.URL.Path, "status", status, "duration_ms", took.Milliseconds()}
	if x.key != "" {
		attrs = append(attrs, "key", x.key)
	}
	if x.handoffID != 0 {
		attrs = append(attrs, "handoff_id", x.handoffID)
	}
	if x.problem != "" {
		attrs = append(attrs, "problem", x.problem)
	}
	if x.badFields > 0 {
		attrs = append(attrs, "bad_fields", x.badFields)
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	x.log.Log(r.Context(), level, "intake request", attrs...)
}
