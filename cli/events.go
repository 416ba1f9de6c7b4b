package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/queue"
	"github.com/handoffbot/handoffbot/webhooks"
)

// crmSink is the name the CRM connector's deliveries are stored under
// (storage.DB.SetSinks), which replay accepts when HUBSPOT_TOKEN is set.
const crmSink = "hubspot"

const eventsUsage = "usage: handoffbot events replay --since TIME|DURATION [--sink URL]"

// eventsCmd is `handoffbot events replay --since TIME|DURATION [--sink
// URL]`: every outbound event since then is sent again to the sink (by
// default every sink), which is switched back on if a 410 had disabled it.
// The running bot sends them; receivers drop those they have by event id.
func eventsCmd(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 || args[0] != "replay" {
		return UsageError{errors.New(eventsUsage)}
	}
	fs := flag.NewFlagSet("events replay", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sinceFlag := fs.String("since", "", "an RFC 3339 time, or a duration ago such as 24h")
	sinkFlag := fs.String("sink", "", "one URL of WEBHOOK_URLS (default: all of them)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *sinceFlag == "" {
		return UsageError{errors.New(eventsUsage)}
	}
	now := e.Clock.Now()
	since, err := parseSince(*sinceFlag, now)
	if err != nil {
		return UsageError{err}
	}
	sinks, err := replaySinks(e.Config, *sinkFlag)
	if err != nil {
		return UsageError{err}
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	replayed, err := db.ReplayEvents(ctx, since, sinks, now)
	if err != nil {
		return err
	}
	return printReplayed(e.Out, since, replayed)
}

// parseSince reads --since: an RFC 3339 time, or a positive Go duration
// before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since: want an RFC 3339 time (2026-12-07T09:00:00Z) or a duration such as 24h, not %q", s)
}

// replaySinks is the sinks a replay is for: the one named, which must be
// configured, or every configured one.
func replaySinks(c *config.Config, named string) ([]string, error) {
	all := slices.Clone(c.WebhookURLs)
	if c.HubSpotToken != "" {
		all = append(all, crmSink)
	}
	if named == "" {
		if len(all) == 0 {
			return nil, errors.New("no sink is configured (WEBHOOK_URLS is empty): there is nothing to replay to")
		}
		return all, nil
	}
	if !slices.Contains(all, named) {
		return nil, fmt.Errorf("--sink: %s is not one of WEBHOOK_URLS", domain.SinkLabel(named))
	}
	return []string{named}, nil
}

// printReplayed says what was queued again, a line per sink.
func printReplayed(w io.Writer, since time.Time, rs []domain.Replayed) error {
	if _, err := fmt.Fprintf(w, "Outbound events since %s queued again (the running bot sends them):\n", since.UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	for _, r := range rs {
		line := fmt.Sprintf("  %s: %d events (handoffs and feedback items: %d)", domain.SinkLabel(r.Sink), r.Events, r.Sequences)
		if r.Reenabled {
			line += "; switched back on (it had answered 410 Gone)"
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// webhookSinks makes a sink of each URL of WEBHOOK_URLS, named as its
// deliveries are stored (the URL), signing with WEBHOOK_SECRET at now.
func webhookSinks(c *config.Config, now func() time.Time) map[string]queue.Sink {
	sender := webhooks.NewSender(c.WebhookSecret, webhooks.WithClock(now))
	sinks := make(map[string]queue.Sink, len(c.WebhookURLs))
	for _, u := range c.WebhookURLs {
		sinks[u] = webhooks.NewSink(sender, u)
	}
	return sinks
}
