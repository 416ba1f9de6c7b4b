package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/handoffbot/handoffbot/storage"
)

// intakeAPI checks INTAKE_ADDR: the running bot's intake API answers
// there, or else the address is free for the bot to listen on; and there
// is a live key to call it with.
func (c *checker) intakeAPI(ctx context.Context, db *storage.DB) {
	addr := c.cfg.IntakeAddr
	if addr == "" {
		c.skip("intake API: off (INTAKE_ADDR is empty)")
		return
	}
	what := "intake API (INTAKE_ADDR " + addr + ")"
	switch answered, err := intakeAnswers(ctx, addr); {
	case answered:
		c.pass("%s: the running bot answers", what)
	case err == nil:
		c.fail(what+": something other than handoffbot's intake API answers there",
			"set INTAKE_ADDR to a host:port nothing else uses, e.g. :8081")
	default:
		if ln, lerr := net.Listen("tcp", addr); lerr == nil {
			ln.Close()
			c.pass("%s: free for the bot to listen on (no bot answers there now)", what)
		} else {
			c.fail(fmt.Sprintf("%s: nothing answers, and the address cannot be listened on: %v", what, lerr),
				"set INTAKE_ADDR to a free host:port of this machine, e.g. :8081")
		}
	}
	if db == nil {
		return
	}
	keys, err := db.Keys(ctx)
	if err != nil {
		c.fail("intake API keys: "+err.Error(), "check that the DATABASE_URL user may read the database")
		return
	}
	live := 0
	for _, k := range keys {
		if k.RevokedAt == nil {
			live++
		}
	}
	if live == 0 {
		c.fail("intake API keys: none, so every call is refused", "create one: handoffbot keys create NAME")
		return
	}
	c.pass("intake API keys: %d live", live)
}

// intakeAnswers asks for the OpenAPI document (which needs no key) where
// the intake API should be listening.
func intakeAnswers(ctx context.Context, addr string) (bool, error) {
	url, err := localURL(addr, "/v1/openapi.json")
	if err != nil {
		return false, err
	}
	ctx, cancel := callCtx(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode == http.StatusOK, nil
}
