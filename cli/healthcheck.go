package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheckTimeout is well inside the interval a container runtime
// gives a health check.
const healthcheckTimeout = 3 * time.Second

// healthcheck is `handoffbot healthcheck`: it asks the running bot's
// /healthz on HTTP_ADDR and succeeds on 200. It exists because the
// distroless image has no shell and no curl for a container HEALTHCHECK.
func healthcheck(ctx context.Context, e Env, args []string) error {
	if len(args) > 0 {
		return UsageError{errors.New("usage: handoffbot healthcheck")}
	}
	if e.Config.HTTPAddr == "" {
		return errors.New("healthcheck: HTTP_ADDR is empty, so the health endpoint is disabled; set it (e.g. :8080) to use a health check")
	}
	url, err := localURL(e.Config.HTTPAddr, "/healthz")
	if err != nil {
		return fmt.Errorf("healthcheck: HTTP_ADDR: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	// Straight to the address, whatever HTTP_PROXY says.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	fmt.Fprintf(e.Out, "healthy: %s answered %s\n", url, resp.Status)
	return nil
}

// localURL is path on a listen address of this machine, asked on the
// loopback address when the server listens on every interface (":8080",
// "0.0.0.0:8080").
func localURL(addr, path string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}
