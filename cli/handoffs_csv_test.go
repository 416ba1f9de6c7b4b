package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/clock"
	"github.com/handoffbot/handoffbot/config"
)

// An export whose first day comes after its last is a mistake, not an
// empty file.
func TestExportRefusesFromAfterTo(t *testing.T) {
	c := &config.Config{DatabaseURL: "postgres://localhost/unused", TimeZone: "UTC", BusinessHours: "always", DigestSchedule: "@weekly", LogLevel: "info", LogFormat: "text"}
	if err := c.ValidateFor(config.NeedDatabase); err != nil {
		t.Fatal(err)
	}
	e := Env{Config: c, Log: slog.New(slog.DiscardHandler), Out: io.Discard, Clock: clock.Real{}}
	err := RunWith(context.Background(), e, []string{"export", "--from", "2026-12-10", "--to", "2026-12-01"})
	if _, usage := errors.AsType[UsageError](err); !usage || !strings.Contains(err.Error(), "--from 2026-12-10 is after --to 2026-12-01") {
		t.Errorf("export with --from after --to = %v", err)
	}
}
