package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Header names of an event delivery (contract.md).
const (
	SignatureHeader = "Handoff-Signature"
	EventIDHeader   = "Handoff-Event-Id"
)

// DefaultTolerance is how old (or how far ahead) a signature's timestamp
// may be when Verify is given no tolerance: enough for clock skew and a
// slow network, too little to make a captured delivery worth replaying.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify; each says why a delivery is not to be trusted.
var (
	ErrMalformedSignature = errors.New("webhooks: malformed signature header")
	ErrSignatureMismatch  = errors.New("webhooks: no signature matches the body")
	ErrSignatureExpired   = errors.New("webhooks: signature timestamp outside the tolerance")
)

// Sign is the Handoff-Signature header of body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">". The timestamp is
// signed with the body, so a captured delivery cannot be replayed later
// with a fresh timestamp.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// Verify checks a Handoff-Signature header as a receiver should: one of
// its v1 signatures (there may be several while a secret is rotated)
// matches body, compared in constant time, and its timestamp is within
// tolerance of now (DefaultTolerance when tolerance is not positive).
func Verify(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts, sigs := parseSignature(header)
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrMalformedSignature
	}
	if now.Sub(time.Unix(t, 0)).Abs() > tolerance {
		return ErrSignatureExpired
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

// parseSignature splits "t=…,v1=…[,v1=…]" into the timestamp as written
// (it is signed as written) and the v1 signatures; other schemes are
// ignored, so that new ones can be added beside v1.
func parseSignature(header string) (ts string, v1 []string) {
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = append(v1, v)
		}
	}
	return ts, v1
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
