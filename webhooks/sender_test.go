package webhooks_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/webhooks"
)

// delivery is what a receiver got.
type delivery struct {
	header http.Header
	body   []byte
}

// mustReceiver answers every delivery with status and records it.
func mustReceiver(t *testing.T, status int) (*httptest.Server, <-chan delivery) {
	t.Helper()
	got := make(chan delivery, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: %v", err)
		}
		got <- delivery{r.Header.Clone(), body}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

var eventBody = []byte(`{"id":"evt_0123","type":"ping","occurred_at":"2025-12-04T09:12:07Z"}`)

func TestSendOutcomes(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   webhooks.Result
	}{
		{200, webhooks.Delivered},
		{204, webhooks.Delivered},
		{410, webhooks.Gone},
		{404, webhooks.Retry},
		{429, webhooks.Retry},
		{500, webhooks.Retry},
		{503, webhooks.Retry},
	} {
		srv, got := mustReceiver(t, tc.status)
		out := webhooks.NewSender(secret, webhooks.WithClock(func() time.Time { return sentAt })).
			Send(context.Background(), srv.URL+"/hooks/handoffbot", "evt_0123", eventBody)
		if out.Result != tc.want || out.Status != tc.status || (tc.want == webhooks.Delivered) != (out.Err == nil) {
			t.Errorf("receiver answers %d: %+v, want %v", tc.status, out, tc.want)
		}
		d := <-got
		for k, want := range map[string]string{"Content-Type": "application/json", "Handoff-Event-Id": "evt_0123", "User-Agent": webhooks.UserAgent} {
			if d.header.Get(k) != want {
				t.Errorf("%s: %q, want %q", k, d.header.Get(k), want)
			}
		}
		if err := webhooks.Verify(secret, d.header.Get("Handoff-Signature"), d.body, 0, sentAt); err != nil || string(d.body) != string(eventBody) {
			t.Errorf("the receiver cannot verify what it got: %v", err)
		}
	}
}

// TestEachAttemptIsSignedAfresh: a retry carries a new timestamp, so a
// receiver with a tolerance accepts a retry made hours later.
func TestEachAttemptIsSignedAfresh(t *testing.T) {
	srv, got := mustReceiver(t, 500)
	now := sentAt
	sender := webhooks.NewSender(secret, webhooks.WithClock(func() time.Time { return now }))
	sender.Send(context.Background(), srv.URL, "evt_0123", eventBody)
	first := (<-got).header.Get("Handoff-Signature")
	now = now.Add(3 * time.Hour)
	sender.Send(context.Background(), srv.URL, "evt_0123", eventBody)
	second := <-got
	if first == second.header.Get("Handoff-Signature") || !strings.HasPrefix(second.header.Get("Handoff-Signature"), "t=1764850327,") {
		t.Errorf("signatures %q then %q", first, second.header.Get("Handoff-Signature"))
	}
	if err := webhooks.Verify(secret, second.header.Get("Handoff-Signature"), second.body, 0, now); err != nil {
		t.Errorf("the retry does not verify at its own time: %v", err)
	}
}

func TestSlowReceiverTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // answer only when the test is over, or the sender hangs up
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	out := webhooks.NewSender(secret, webhooks.WithTimeout(50*time.Millisecond)).Send(context.Background(), srv.URL, "evt_1", eventBody)
	if out.Result != webhooks.Retry || out.Status != 0 || out.Err == nil || !strings.Contains(out.Err.Error(), "Timeout") {
		t.Errorf("%+v, want a retry for the time-out", out)
	}
}

// TestRedirectsAreNotFollowed: the signed body goes only where the operator
// said, and the attempt counts as failed.
func TestRedirectsAreNotFollowed(t *testing.T) {
	elsewhere, reached := mustReceiver(t, 200)
	for _, status := range []int{301, 302, 307, 308} {
		srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/collect", status))
		out := webhooks.NewSender(secret).Send(context.Background(), srv.URL, "evt_1", eventBody)
		srv.Close()
		if out.Result != webhooks.Retry || out.Status != status {
			t.Errorf("redirect %d: %+v", status, out)
		}
	}
	select {
	case <-reached:
		t.Error("a redirect was followed")
	default:
	}
}

// TestEndlessAnswerIsNotRead: a receiver that answers 200 with a body that
// never ends is delivered to; the sender reads a bounded prefix and hangs up
// instead of waiting for its time-out.
func TestEndlessAnswerIsNotRead(t *testing.T) {
	var once sync.Once
	hungUp := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 32<<10))
		for {
			if _, err := w.Write(chunk); err != nil {
				once.Do(func() { close(hungUp) })
				return
			}
		}
	}))
	defer srv.Close()
	out := webhooks.NewSender(secret, webhooks.WithTimeout(time.Hour)).Send(context.Background(), srv.URL, "evt_1", eventBody)
	if out.Result != webhooks.Delivered {
		t.Errorf("%+v, want delivered", out)
	}
	<-hungUp
}

func TestUnreachableAndInvalidURLs(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	closed := srv.URL + "/secret-path-token"
	srv.Close()
	for _, target := range []string{closed, "http://user:pa ss@[::1", "ftp://example.test/x"} {
		out := webhooks.NewSender(secret).Send(context.Background(), target, "evt_1", eventBody)
		if out.Result != webhooks.Retry || out.Err == nil || strings.Contains(out.Err.Error(), "secret-path-token") || strings.Contains(out.Err.Error(), "pa ss") {
			t.Errorf("%s: %+v (errors must not carry the URL)", target, out)
		}
	}
	for raw, ok := range map[string]bool{"https://hooks.example/abc": true, "http://127.0.0.1:9000/x": true,
		"ftp://hooks.example": false, "/relative": false, "https://": false} {
		if (webhooks.CheckURL(raw) == nil) != ok {
			t.Errorf("CheckURL(%q) ok = %v", raw, !ok)
		}
	}
	if got := webhooks.Redact("https://u:p@hooks.zapier.example/hooks/catch/123/abc?x=1"); got != "https://hooks.zapier.example/…" {
		t.Errorf("Redact = %q", got)
	}
}
