package logging

import (
	"context"
	"log/slog"
	"slices"
	"sync"
)

// scope is one request's attributes learned along the way. With adds to a
// context, which only callees see; a scope is shared, so what a handler
// learns (the handoff it acts on) also marks the lines its caller logs
// afterwards, such as the runtime's "handler failed".
type scope struct {
	mu    sync.Mutex
	attrs []slog.Attr
}

type scopeKey struct{}

// WithScope starts a request scope: later Add calls on ctx or any context
// derived from it attach attributes to every record logged with them.
func WithScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, &scope{})
}

// Add attaches args (slog key-value pairs or Attrs) to the request scope
// of ctx, replacing an attribute of the same key; without a scope it does
// nothing.
func Add(ctx context.Context, args ...any) {
	s, ok := ctx.Value(scopeKey{}).(*scope)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range argsToAttrs(args) {
		s.attrs = slices.DeleteFunc(s.attrs, func(b slog.Attr) bool { return b.Key == a.Key })
		s.attrs = append(s.attrs, a)
	}
}

// addScope adds the scope's attributes to r, except keys r already has
// (a line that names its handoff_id itself keeps it once).
func addScope(ctx context.Context, r *slog.Record) {
	s, ok := ctx.Value(scopeKey{}).(*scope)
	if !ok {
		return
	}
	s.mu.Lock()
	attrs := slices.Clone(s.attrs)
	s.mu.Unlock()
	r.Attrs(func(a slog.Attr) bool {
		attrs = slices.DeleteFunc(attrs, func(b slog.Attr) bool { return b.Key == a.Key })
		return len(attrs) > 0
	})
	r.AddAttrs(attrs...)
}
