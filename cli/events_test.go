package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"24h":                       now.Add(-24 * time.Hour),
		"90m":                       now.Add(-90 * time.Minute),
		"2026-12-01T08:00:00Z":      time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		"2026-12-01T08:00:00+01:00": time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC),
	} {
		if got, err := parseSince(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "7d", "-1h", "0s", "2026-12-01"} {
		if _, err := parseSince(bad, now); err == nil || !strings.Contains(err.Error(), "--since") {
			t.Errorf("parseSince(%q) = %v, want an error naming --since", bad, err)
		}
	}
}

// A replay is for the sink named, which must be configured (and is never
// echoed with its secret), or for every configured one.
func TestReplaySinks(t *testing.T) {
	c := &config.Config{WebhookURLs: config.URLs{"https://a.example/SECRET", "https://b.example/x"}}
	if got, err := replaySinks(c, ""); err != nil || len(got) != 2 {
		t.Errorf("all: %v, %v", got, err)
	}
	if got, err := replaySinks(c, "https://b.example/x"); err != nil || len(got) != 1 || got[0] != "https://b.example/x" {
		t.Errorf("one: %v, %v", got, err)
	}
	if _, err := replaySinks(c, "https://c.example/SECRET-C"); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("an unknown URL: %v", err)
	}
	if _, err := replaySinks(c, "hubspot"); err == nil {
		t.Error("hubspot replayed while HUBSPOT_TOKEN is not set")
	}
	c.HubSpotToken = "pat-test"
	if got, err := replaySinks(c, ""); err != nil || len(got) != 3 || got[2] != "hubspot" {
		t.Errorf("all with HubSpot: %v, %v", got, err)
	}
	if _, err := replaySinks(&config.Config{}, ""); err == nil {
		t.Error("a replay with nowhere to go")
	}
}
