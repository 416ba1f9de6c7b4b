package pglocal

import (
	"context"
	"testing"
)

// The fallback path must work where no server runs (and as root, as CI runs).
func TestStartThrowawayCluster(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(ctx, s.DatabaseURL("postgres")); err != nil {
		t.Errorf("throwaway cluster does not answer: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if ping(ctx, s.URL) == nil {
		t.Error("cluster still answers after Stop")
	}
}
