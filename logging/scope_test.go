package logging

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// What a callee learns (Add) marks the caller's later lines, once per key;
// a context without a scope ignores Add.
func TestScopeCarriesWhatCalleesLearn(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "text", slog.LevelInfo)
	ctx := WithScope(With(context.Background(), "envelope_id", "E1"))
	handler := func(ctx context.Context) {
		Add(ctx, "handoff_id", 7)
		Add(ctx, "handoff_id", 42) // replaces
	}
	handler(ctx)
	log.InfoContext(ctx, "handler failed")
	log.InfoContext(ctx, "move refused", "handoff_id", 42)
	Add(context.Background(), "lost", true)
	log.InfoContext(context.Background(), "unscoped")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("lines:\n%s", buf.String())
	}
	if !strings.Contains(lines[0], "envelope_id=E1 handoff_id=42") {
		t.Errorf("caller's line lacks the handoff: %s", lines[0])
	}
	if strings.Count(lines[1], "handoff_id=") != 1 {
		t.Errorf("handoff_id repeated: %s", lines[1])
	}
	if strings.Contains(lines[2], "lost") || strings.Contains(lines[2], "handoff_id") {
		t.Errorf("unscoped line got attributes: %s", lines[2])
	}
}

func TestScopeIsSafeForConcurrentUse(t *testing.T) {
	log := New(&bytes.Buffer{}, "json", slog.LevelInfo)
	ctx := WithScope(context.Background())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			Add(ctx, "worker", i)
			log.InfoContext(ctx, "working")
		})
	}
	wg.Wait()
}
