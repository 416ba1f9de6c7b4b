package hubspot_test

import (
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakehubspot"
	"github.com/handoffbot/handoffbot/hubspot"
)

// t0 is when the tests' HubSpot account lives.
var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

const mql = "marketingqualifiedlead"

// mustFake starts a fake HubSpot on a manual clock, closed with the test.
func mustFake(t *testing.T, opts ...fakehubspot.Option) (*fakehubspot.Server, *fakehubspot.Clock) {
	t.Helper()
	clock := fakehubspot.NewClock(t0)
	s := fakehubspot.New(append([]fakehubspot.Option{fakehubspot.WithClock(clock.Now)}, opts...)...)
	t.Cleanup(s.Close)
	return s, clock
}

// mustClient is a client of s with token (s's full-scope token if "").
func mustClient(t *testing.T, s *fakehubspot.Server, token string) *hubspot.Client {
	t.Helper()
	if token == "" {
		token = s.Token()
	}
	c, err := hubspot.New(s.URL(), token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustMQL adds a contact that became an MQL at at.
func mustMQL(t *testing.T, s *fakehubspot.Server, email string, at time.Time) string {
	t.Helper()
	id := s.AddContact(fakehubspot.Props{"email": email, "firstname": "Ada", "lastname": "Lovelace", "lifecyclestage": "lead"})
	s.MoveToStage(id, mql, at)
	return id
}
