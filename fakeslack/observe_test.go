package fakeslack

import (
	"strings"
	"sync"
	"testing"
)

// Observe reports what the bot shows, in order and as it happens, with
// handles the caller can use afterwards; the Expect helpers still see it.
func TestObserveReportsWhatTheBotShows(t *testing.T) {
	s := newServer(t)
	startMini(t, s)
	var mu sync.Mutex
	var seen []Seen
	s.Observe(func(x Seen) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, x)
	})
	a, b := s.User(alice), s.User(bob)
	a.Slash(t, general, "/handoff Ada")
	a.ExpectModal(t).Fill("Lead name", "Ada Lovelace").Submit(t)
	card := s.Channel(general).ExpectMessage(t, "Ada Lovelace")
	b.Click(t, card, "Accept")
	card.ExpectUpdate(t)
	card.ExpectThreadReply(t, "Accepted by")
	b.ExpectDM(t, "You accepted")

	mu.Lock()
	defer mu.Unlock()
	var kinds []string
	for _, x := range seen {
		kinds = append(kinds, x.Kind)
	}
	if got, want := strings.Join(kinds, " "), "modal message update reply message"; got != want {
		t.Fatalf("observed %q, want %q", got, want)
	}
	if seen[0].User != alice || seen[0].View == nil || seen[0].View.CallbackID != "handoff" {
		t.Errorf("modal observed as %+v", seen[0])
	}
	if m := seen[1].Message; m == nil || m.TS != card.TS || !strings.Contains(m.Text(), "Ada Lovelace") {
		t.Errorf("card observed as %+v", seen[1])
	}
	if m := seen[2].Message; m == nil || m.TS != card.TS || m.Version != 1 {
		t.Errorf("update observed as %+v", seen[2])
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].At.Before(seen[i-1].At) {
			t.Errorf("observed out of order: %v after %v", seen[i].At, seen[i-1].At)
		}
	}
}
