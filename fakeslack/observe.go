package fakeslack

import "time"

// Seen is one thing the bot made visible, as Observe reports it.
type Seen struct {
	// Kind is "message", "reply", "ephemeral", "update", "delete", "modal",
	// "view_update" or "home", as in the transcript.
	Kind    string
	At      time.Time // the fake's clock when it happened
	User    string    // who it is for (ephemeral, modal, home); else ""
	Message *Message  // for message kinds, else nil
	View    *View     // for view kinds, else nil
}

// Observe calls f with everything the bot makes visible from now on, in
// the order it happens. It is for load generators: the Expect helpers scan
// everything seen so far and wake every waiter on each change, which costs
// nothing in a story test but dominates the machine when thousands of
// simulated users wait at once. Observed items are still there for the
// Expect helpers.
//
// f runs with the server's lock held: it must return at once and must not
// call the Server or the handles' methods; hand the Seen to a goroutine of
// your own. The handles may be used there as any other, but they come
// without a TB: Submit and the UserSim actions report to the TB they are
// given, while Fill and Select on a view that is no longer on screen panic.
func (s *Server) Observe(f func(Seen)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observers = append(s.observers, f)
}

// observe tells the observers of a new item. Call with s.mu held.
func (s *Server) observe(it *item) {
	if len(s.observers) == 0 {
		return
	}
	seen := Seen{Kind: it.kind.String(), At: it.at, User: it.user, Message: it.msg, View: it.view}
	for _, f := range s.observers {
		f(seen)
	}
}
