package webhooks_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/webhooks"
)

const secret = "whsec_test_secret"

var sentAt = time.Unix(1764839527, 0)

func TestSignKnownVector(t *testing.T) {
	// Computed independently: python3 -c 'import hmac,hashlib;
	// print(hmac.new(b"whsec_test_secret", b"1764839527.{\"id\":\"evt_1\"}", hashlib.sha256).hexdigest())'
	const want = "t=1764839527,v1=c8353945b2f35f90263e1b48710539b4de4ebf0add85c79385f056ad43b322e2"
	if got := webhooks.Sign(secret, sentAt, []byte(`{"id":"evt_1"}`)); got != want {
		t.Errorf("Sign = %s\nwant   %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"evt_1","type":"ping"}`)
	header := webhooks.Sign(secret, sentAt, body)
	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"round trip", secret, header, string(body), sentAt, nil},
		{"a little later", secret, header, string(body), sentAt.Add(5 * time.Minute), nil},
		{"a clock a little behind", secret, header, string(body), sentAt.Add(-5 * time.Minute), nil},
		{"too old", secret, header, string(body), sentAt.Add(5*time.Minute + time.Second), webhooks.ErrSignatureExpired},
		{"from the future", secret, header, string(body), sentAt.Add(-6 * time.Minute), webhooks.ErrSignatureExpired},
		{"tampered body", secret, header, `{"id":"evt_1","type":"pong"}`, sentAt, webhooks.ErrSignatureMismatch},
		{"body with a space more", secret, header, string(body) + " ", sentAt, webhooks.ErrSignatureMismatch},
		{"wrong secret", "another", header, string(body), sentAt, webhooks.ErrSignatureMismatch},
		{"timestamp changed", secret, strings.Replace(header, "t=1764839527", "t=1764839528", 1), string(body), sentAt, webhooks.ErrSignatureMismatch},
		{"rotated secret: second v1", secret, webhooks.Sign("old", sentAt, body) + ",v1=" + header[strings.Index(header, "v1=")+3:], string(body), sentAt, nil},
		{"upper-case hex", secret, header[:strings.Index(header, "v1=")+3] + strings.ToUpper(header[strings.Index(header, "v1=")+3:]), string(body), sentAt, nil},
		{"spaces after commas", secret, strings.Replace(header, ",", ", ", 1), string(body), sentAt, nil},
		{"unknown scheme ignored", secret, header + ",v0=abc", string(body), sentAt, nil},
		{"empty", secret, "", string(body), sentAt, webhooks.ErrMalformedSignature},
		{"no v1", secret, "t=1764839527", string(body), sentAt, webhooks.ErrMalformedSignature},
		{"no t", secret, header[strings.Index(header, "v1="):], string(body), sentAt, webhooks.ErrMalformedSignature},
		{"t not a number", secret, strings.Replace(header, "t=1764839527", "t=soon", 1), string(body), sentAt, webhooks.ErrMalformedSignature},
		{"v1 not hex", secret, "t=1764839527,v1=zz", string(body), sentAt, webhooks.ErrSignatureMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := webhooks.Verify(tc.secret, tc.header, []byte(tc.body), 0, tc.now)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	if err := webhooks.Verify(secret, header, body, time.Hour, sentAt.Add(59*time.Minute)); err != nil {
		t.Errorf("a tolerance of an hour: %v", err)
	}
}
