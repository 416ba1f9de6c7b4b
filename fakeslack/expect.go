package fakeslack

import (
	"fmt"
	"strings"
	"time"
)

// TB is the part of testing.TB the simulator needs; the demo passes its own
// implementation. Fatalf may return (a demo's TB might only record): every
// helper then returns nil, and every method of a nil *Message or *View is
// safe, so a failure is reported once rather than as a panic.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// itemKind classifies what the bot made visible.
type itemKind int

const (
	kindMessage    itemKind = iota // new top-level message in any conversation
	kindReply                      // thread reply
	kindEphemeral                  // visible to one user only
	kindUpdate                     // a message changed
	kindDelete                     // a message was deleted
	kindModal                      // views.open / views.push
	kindViewUpdate                 // views.update or response_action update/push
	kindHome                       // views.publish
)

func (k itemKind) String() string {
	return [...]string{"message", "reply", "ephemeral", "update", "delete", "modal", "view_update", "home"}[k]
}

// counted reports whether an unexpected item of this kind fails
// ExpectNothingElse: new things a person is notified of, not changes.
func (k itemKind) counted() bool {
	return k == kindMessage || k == kindReply || k == kindEphemeral || k == kindModal
}

// item is one thing the bot made visible, waiting to be expected.
type item struct {
	kind     itemKind
	at       time.Time
	msg      *Message
	view     *View
	user     string // the person it is for (ephemeral, modal, home)
	consumed bool
}

// addItem records an observable item. Call with s.mu held.
func (s *Server) addItem(it *item) {
	it.at = s.now()
	s.items = append(s.items, it)
	s.observe(it)
}

// await waits up to the wait timeout for the first unconsumed item that
// matches (match is called with s.mu held), consumes and returns it, or
// fails the test listing what is there instead.
func (s *Server) await(t TB, desc string, match func(*item) bool) *item {
	t.Helper()
	timer := time.NewTimer(s.cfg.waitTimeout)
	defer timer.Stop()
	for {
		it, ch := s.take(match)
		if it != nil {
			return it
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("fakeslack: expected %s within %v, but it did not come.\n%s", desc, s.cfg.waitTimeout, s.pending(false))
			return nil
		case <-s.done:
			t.Fatalf("fakeslack: expected %s, but the server was closed", desc)
			return nil
		}
	}
}

// take consumes the first unconsumed item that matches, or returns the
// channel that is closed when items change. The lock is released even if
// match panics, so one broken expectation cannot hang every other call.
func (s *Server) take(match func(*item) bool) (*item, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range s.items {
		if !it.consumed && match(it) {
			it.consumed = true
			return it, nil
		}
	}
	return nil, s.changed
}

// pending lists unconsumed items; countedOnly keeps the kinds that
// ExpectNothingElse reports.
func (s *Server) pending(countedOnly bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []string
	for _, it := range s.items {
		if it.consumed || (countedOnly && !it.kind.counted()) {
			continue
		}
		lines = append(lines, "  - "+s.describeItem(it))
	}
	if len(lines) == 0 {
		return "Nothing unexpected is pending."
	}
	return "Not yet expected (oldest first):\n" + strings.Join(lines, "\n")
}

// describeItem renders an item for failure output. Call with s.mu held.
func (s *Server) describeItem(it *item) string {
	if it.view != nil {
		v := it.view
		return fmt.Sprintf("%s for @%s: view %s callback_id=%q title=%q: %s", it.kind, s.userName(it.user),
			v.ID, v.CallbackID, textOf(v.ver().view["title"]), quote(strings.Join(v.textLines(), "\n")))
	}
	m := it.msg
	where := s.channelName(m.Channel)
	switch it.kind {
	case kindEphemeral:
		where = fmt.Sprintf("@%s (only you) in %s", s.userName(it.user), where)
	case kindReply:
		where = fmt.Sprintf("%s, thread %s", where, m.ThreadTS)
	}
	return fmt.Sprintf("%s in %s ts=%s: %s", it.kind, where, m.TS, quote(m.textLocked()))
}

// ExpectNothingElse fails the test if the bot made visible anything that
// no Expect* call consumed: new messages, thread replies, DMs, ephemerals
// and modals. Updates, deletions and Home tabs are not counted. This is
// how a duplicate notification gets caught. Call it after the bot has
// finished its work (for example after shutting it down and draining its
// workers), since anything sent later is not seen.
func (s *Server) ExpectNothingElse(t TB) {
	t.Helper()
	s.mu.Lock()
	n := 0
	for _, it := range s.items {
		if !it.consumed && it.kind.counted() {
			n++
		}
	}
	s.mu.Unlock()
	if n > 0 {
		t.Fatalf("fakeslack: %d unexpected thing(s) were shown to users.\n%s", n, s.pending(true))
	}
}

// Forget marks everything seen so far as consumed, e.g. after a set-up
// phase whose output the test does not care about.
func (s *Server) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range s.items {
		it.consumed = true
	}
}
