package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/storage"
)

// A connection string that does not parse is refused without quoting it,
// since the part quoted may be the password.
func TestOpenNeverQuotesTheConnectionString(t *testing.T) {
	t.Parallel()
	const secret = "PWSECRET"
	for _, dsn := range []string{
		"postgres://bot:" + secret + "@[::1:5432/handoff",
		"postgres://bot:" + secret + "@db:port/handoff",
		"host=db password=" + secret + " word",
		"host=db password=" + secret + " " + secret,
		"host=db password='" + secret,
		"postgres:/bot:" + secret + "@db/handoff",
	} {
		_, err := storage.Open(context.Background(), dsn)
		if err == nil {
			t.Fatalf("%q opened", dsn)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}
