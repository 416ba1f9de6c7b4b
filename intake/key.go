package intake

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// TokenPrefix starts every API key, so that a key pasted in the wrong
// place is recognisable (by people and by secret scanners) as ours.
const TokenPrefix = "hbk_"

// tokenBytes is the key's entropy: 256 bits, beyond guessing.
const tokenBytes = 32

// tokenLen is the length of a well-formed token: the prefix and 32 bytes
// in unpadded base64url.
var tokenLen = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(tokenBytes)

// ErrUnknownKey is what Keys.Authenticate returns (or wraps) for a token
// that names no key, or a revoked one; the API answers it with 401. Any
// other error is the key store failing, answered with 503 or 500.
var ErrUnknownKey = errors.New("unknown or revoked API key")

// Key is an intake API key as the API needs it: who is calling (the card
// says "via <Name>") and how fast they may call.
type Key struct {
	ID   int64
	Name string
	// Rate is the key's sustained limit in requests per second and Burst
	// the requests it may make at once; zero means the API's defaults.
	Rate  float64
	Burst int
}

// Keys finds the key a request presents. It is declared here, small, so
// that the API depends on no store.
type Keys interface {
	// Authenticate returns the live key whose hash is Hash(token), and may
	// record that it was used (for `keys list`). It returns ErrUnknownKey
	// for an unknown or revoked token.
	Authenticate(ctx context.Context, token string) (Key, error)
}

// NewToken makes a new API key: the token, shown once to the person who
// created it, and its hash, the only thing to store.
//
// A plain SHA-256 is enough here, where a password would need a slow KDF
// (bcrypt, argon2): a slow hash defends low-entropy secrets against an
// attacker who stole the hashes and guesses candidates offline. A token of
// 256 random bits cannot be guessed however fast each guess is, so slowness
// would only cost every request its latency. The hash is also
// deterministic, so the store can look a key up by it with an index.
func NewToken() (token, hash string) {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token)
}

// Hash is the stored form of a token: hex SHA-256. Stores look keys up by
// it; one that compares hashes in memory should use MatchHash.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// MatchHash reports in constant time whether token hashes to hash, for a
// store that compares in memory rather than by an indexed lookup.
func MatchHash(token, hash string) bool {
	want, err := hex.DecodeString(hash)
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(sum[:], want) == 1
}

// bearer is the well-formed token of the request's Authorization header,
// or "" when there is none: a malformed token is refused without asking
// the store.
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	token = strings.TrimSpace(token)
	if len(token) != tokenLen || !strings.HasPrefix(token, TokenPrefix) {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(token[len(TokenPrefix):]); err != nil {
		return ""
	}
	return token
}

// errNoToken is a request without a well-formed bearer token.
var errNoToken = errors.New("no bearer token")

// authenticate finds the key of the request's bearer token.
func (a *API) authenticate(r *http.Request) (Key, error) {
	token := bearer(r)
	if token == "" {
		return Key{}, errNoToken
	}
	key, err := a.keys.Authenticate(r.Context(), token)
	if err != nil {
		return Key{}, fmt.Errorf("authenticate: %w", err)
	}
	return key, nil
}
