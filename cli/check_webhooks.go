package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/handoffbot/handoffbot/webhooks"
)

// webhooks sends each URL of WEBHOOK_URLS a signed ping (type "ping"), as
// the bot would send an event, and says how it answered. It changes
// nothing: a URL that answers 410 is reported, not disabled.
func (c *checker) webhooks(ctx context.Context) {
	if len(c.cfg.WebhookURLs) == 0 {
		c.skip("webhooks (WEBHOOK_URLS): none set, no outbound events are sent")
		return
	}
	sender := webhooks.NewSender(c.cfg.WebhookSecret)
	for i, u := range c.cfg.WebhookURLs {
		what := fmt.Sprintf("webhook %d of %d (WEBHOOK_URLS, %s)", i+1, len(c.cfg.WebhookURLs), webhooks.Redact(u))
		ping := webhooks.Event{ID: webhooks.NewEventID(), Type: webhooks.Ping, OccurredAt: time.Now().UTC()}
		body, err := json.Marshal(ping)
		if err != nil {
			c.fail(what+": "+err.Error(), "report this as a bug")
			continue
		}
		callCtx, cancel := callCtx(ctx)
		out := sender.Send(callCtx, u, ping.ID, body)
		cancel()
		if out.Result == webhooks.Delivered {
			c.pass("%s: answered %d to a signed ping", what, out.Status)
			continue
		}
		c.fail(fmt.Sprintf("%s: %v", what, out.Err), pingFix(out))
	}
}

// pingFix is what to do about a ping that was not taken.
func pingFix(out webhooks.Outcome) string {
	switch s := out.Status; {
	case s == 0:
		return "check the URL, DNS and firewalls: the receiver must answer from here within 10 s"
	case s == http.StatusGone:
		return "the bot stops sending to a URL that answers 410; switch the hook back on at the receiver (or remove the URL from WEBHOOK_URLS), then run `handoffbot events replay --since TIME --sink URL`"
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return "give the receiver the same secret as WEBHOOK_SECRET: it checks the Handoff-Signature header"
	case s >= 300 && s < 400:
		return "put the address it redirects to in WEBHOOK_URLS: redirects are not followed"
	}
	return `see the receiver's logs: it must answer 2xx to every event, including {"type": "ping"}`
}
