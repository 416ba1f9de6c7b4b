package fakeslack

import (
	"fmt"
	"strings"
)

// ChannelSim is a conversation as the people in it see it; tests read the
// bot's posts from it.
type ChannelSim struct {
	s  *Server
	id string
}

// Channel returns the simulator view of a channel (or a D… DM) by id.
func (s *Server) Channel(id string) *ChannelSim { return &ChannelSim{s: s, id: id} }

// ID is the channel id.
func (c *ChannelSim) ID() string { return c.id }

// ExpectMessage waits for the next new top-level message from the bot in
// this channel whose text (as posted, or as updated since) contains
// contains, and consumes it. Thread replies sent with reply_broadcast
// count too, since they show in the channel.
func (c *ChannelSim) ExpectMessage(t TB, contains string) *Message {
	t.Helper()
	desc := fmt.Sprintf("a message containing %q in %s", contains, c.name())
	it := c.s.await(t, desc, func(it *item) bool {
		if it.kind != kindMessage && it.kind != kindReply {
			return false
		}
		r := it.msg.rec
		if r.channel != c.id || !(it.kind == kindMessage || (it.kind == kindReply && r.broadcast)) {
			return false
		}
		return strings.Contains(it.msg.textLocked(), contains) ||
			strings.Contains(c.s.handle(r, len(r.versions)-1).textLocked(), contains)
	})
	if it == nil {
		return nil
	}
	return it.msg
}

// Messages lists the channel's top-level messages (from anyone, current
// versions, deleted ones left out) in order; it does not consume anything.
func (c *ChannelSim) Messages() []*Message {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	var out []*Message
	for _, r := range c.s.msgs.order {
		if r.channel == c.id && !r.deleted && !r.ephemeral && (r.threadTS == "" || r.broadcast) {
			out = append(out, c.s.handle(r, len(r.versions)-1))
		}
	}
	return out
}

// Replies lists the replies in the thread rooted at ts, in order.
func (c *ChannelSim) Replies(ts string) []*Message {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	var out []*Message
	for _, r := range c.s.msgs.order {
		if r.channel == c.id && r.threadTS == ts && !r.deleted && !r.ephemeral {
			out = append(out, c.s.handle(r, len(r.versions)-1))
		}
	}
	return out
}

func (c *ChannelSim) name() string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.s.channelName(c.id)
}
