package fakeslack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Envelope is one Socket Mode request as Slack frames it. Type is
// "events_api", "slash_commands" or "interactive"; Payload is marshaled as
// JSON. RetryAttempt and RetryReason are sent for events_api only.
type Envelope struct {
	Type                   string
	Payload                any
	AcceptsResponsePayload bool
	RetryAttempt           int
	RetryReason            string
	EnvelopeID             string // generated if empty
}

// Delivery is an envelope written to a socket; it lets a test wait for the
// bot's ack of exactly that envelope.
type Delivery struct {
	EnvelopeID   string
	Type         string
	EventID      string // events_api only
	RetryAttempt int
	RetryReason  string
	SentAt       time.Time // real time, for ack latency
	Clock        time.Time // the fake's clock when it was sent
	Socket       int       // id of the connection that carried it

	s     *Server
	acked chan struct{}
	ack   *Ack // first ack; guarded by s.mu
	group *eventGroup
}

// Ack is one ack frame received from the bot. Every frame is recorded:
// Duplicate marks a second ack of the same envelope, Late one that came
// after the ack deadline, Invalid one Slack would not accept (too large,
// unknown envelope, not JSON) and therefore did not count.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the ack carried no payload
	SentAt     time.Time       // when the envelope was sent
	AckedAt    time.Time
	Latency    time.Duration
	Socket     int
	Size       int // bytes of the ack frame
	Duplicate  bool
	Late       bool
	Invalid    string
}

// eventGroup ties together every delivery of one event_id.
type eventGroup struct {
	eventID   string
	payload   json.RawMessage
	attempts  []*Delivery
	exhausted bool // Slack gave up: every retry went unacked
}

// WaitAck waits for the bot's (first valid) ack of this envelope.
func (d *Delivery) WaitAck(ctx context.Context) (Ack, error) {
	select {
	case <-d.acked:
		d.s.mu.Lock()
		defer d.s.mu.Unlock()
		return *d.ack, nil
	case <-ctx.Done():
		return Ack{}, fmt.Errorf("fakeslack: envelope %s (%s) not acked: %w", d.EnvelopeID, d.Type, ctx.Err())
	}
}

// Attempts returns every delivery of the same event so far, the original
// first, so a test can see Slack's redeliveries of an unacked event.
func (d *Delivery) Attempts() []*Delivery {
	if d.group == nil {
		return []*Delivery{d}
	}
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	return slices.Clone(d.group.attempts)
}

// Acks returns every ack frame received so far, in arrival order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sock.acks)
}

// Send writes one envelope to an open socket, round-robin over the open
// sockets as Slack spreads envelopes over an app's connections. It waits
// for a connection if there is none, until ctx ends. An events_api
// envelope that is not acked within the ack timeout is redelivered.
func (s *Server) Send(ctx context.Context, e Envelope) (*Delivery, error) {
	return s.send(ctx, e, nil)
}

// SendEvent wraps event (the inner event, e.g. {"type":"app_mention",…})
// in an event_callback payload and sends it as events_api. Sending the
// same eventID again is a redelivery: retry_attempt counts the earlier
// deliveries and retry_reason is "timeout".
func (s *Server) SendEvent(ctx context.Context, eventID string, event map[string]any) (*Delivery, error) {
	return s.SendEventFor(ctx, Installation{}, eventID, event)
}

// SendEventFor is SendEvent for another installation: the payload's
// team_id, enterprise_id, api_app_id and authorizations name inst (zero
// fields keep the fake's own), as if Slack had routed another
// workspace's or app's event to this socket.
func (s *Server) SendEventFor(ctx context.Context, inst Installation, eventID string, event map[string]any) (*Delivery, error) {
	inst = inst.or(s.cfg.inst)
	s.mu.Lock()
	g, seen := s.sock.events[eventID]
	if !seen {
		payload, err := json.Marshal(s.eventCallback(inst, eventID, event))
		if err != nil {
			s.mu.Unlock()
			return nil, fmt.Errorf("fakeslack: marshal event: %w", err)
		}
		g = &eventGroup{eventID: eventID, payload: payload}
		s.sock.events[eventID] = g
	}
	env := Envelope{Type: "events_api", Payload: g.payload}
	if n := len(g.attempts); n > 0 {
		env.RetryAttempt, env.RetryReason = n, "timeout"
	}
	s.mu.Unlock()
	return s.send(ctx, env, g)
}

// eventCallback is the outer events_api payload. Call with s.mu held.
func (s *Server) eventCallback(inst Installation, eventID string, event map[string]any) map[string]any {
	extShared := false
	if c, ok := s.ws.channels[asString(event["channel"])]; ok {
		_, extShared = s.sharing(c)
	}
	cb := map[string]any{
		"token": "fake-verification-token", "team_id": inst.TeamID, "api_app_id": inst.AppID,
		"event": event, "type": "event_callback", "event_id": eventID,
		"event_time": s.now().Unix(), "event_context": "4-fake-" + eventID,
		"authorizations": authorizations(inst), "is_ext_shared_channel": extShared,
	}
	if inst.EnterpriseID != "" {
		cb["enterprise_id"] = inst.EnterpriseID
	}
	return cb
}

func (s *Server) send(ctx context.Context, e Envelope, g *eventGroup) (*Delivery, error) {
	frame, err := s.frame(&e)
	if err != nil {
		return nil, err
	}
	for {
		c, err := s.pickConn(ctx)
		if err != nil {
			return nil, err
		}
		d := s.register(e, g, c)
		if err := c.writeRaw(frame); err != nil {
			s.log.Debug("fakeslack: send failed, trying another socket", "error", err)
			s.unregister(d)
			s.removeConn(c)
			continue
		}
		s.log.Debug("fakeslack: sent envelope", "envelope_id", d.EnvelopeID, "type", d.Type, "socket", c.id)
		if d.Type == "events_api" {
			s.goTracked(func() { s.retryUnacked(d) })
		}
		return d, nil
	}
}

// frame marshals the envelope, generating its id if needed.
func (s *Server) frame(e *Envelope) ([]byte, error) {
	if e.EnvelopeID == "" {
		s.mu.Lock()
		n := s.nextSeq()
		s.mu.Unlock()
		e.EnvelopeID = fmt.Sprintf("%08x-fake-4000-8000-%012x", n, n)
	}
	f := map[string]any{
		"envelope_id": e.EnvelopeID, "type": e.Type, "payload": e.Payload,
		"accepts_response_payload": e.AcceptsResponsePayload,
	}
	if e.Type == "events_api" {
		f["retry_attempt"], f["retry_reason"] = e.RetryAttempt, e.RetryReason
	}
	s.mu.Lock() // payloads may share maps with live state
	defer s.mu.Unlock()
	frame, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("fakeslack: marshal envelope: %w", err)
	}
	return frame, nil
}

// register records a delivery on socket c before it is written, so that
// an ack, however fast, finds it. A Delivery never changes once
// registered; a failed write unregisters it and the next try makes a new
// one.
func (s *Server) register(e Envelope, g *eventGroup, c *wsConn) *Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &Delivery{
		EnvelopeID: e.EnvelopeID, Type: e.Type, RetryAttempt: e.RetryAttempt, RetryReason: e.RetryReason,
		SentAt: time.Now(), Clock: s.now(), Socket: c.id, s: s, acked: make(chan struct{}), group: g,
	}
	s.sock.byEnv[d.EnvelopeID] = d
	if g != nil {
		d.EventID = g.eventID
		g.attempts = append(g.attempts, d)
		s.notify() // for WaitAttempts
	}
	return d
}

func (s *Server) unregister(d *Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sock.byEnv, d.EnvelopeID)
	if g := d.group; g != nil {
		g.attempts = slices.DeleteFunc(g.attempts, func(x *Delivery) bool { return x == d })
	}
}

// pickConn returns the next ready socket round-robin, waiting for one.
func (s *Server) pickConn(ctx context.Context) (*wsConn, error) {
	var c *wsConn
	err := s.waitCond(ctx, func() bool {
		var ready []*wsConn
		for _, x := range s.sock.conns {
			if x.ready {
				ready = append(ready, x)
			}
		}
		if len(ready) == 0 {
			return false
		}
		s.sock.rr++
		c = ready[s.sock.rr%len(ready)]
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("fakeslack: no Socket Mode connection: %w", err)
	}
	return c, nil
}

// receiveAck records an ack frame and resolves its delivery.
func (s *Server) receiveAck(c *wsConn, data []byte) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	ack := Ack{AckedAt: time.Now(), Socket: c.id, Size: len(data)}
	if err := json.Unmarshal(data, &a); err != nil {
		ack.Invalid = "not JSON: " + err.Error()
	}
	ack.EnvelopeID = a.EnvelopeID
	if len(a.Payload) > 0 && !bytes.Equal(a.Payload, []byte("null")) {
		ack.Payload = a.Payload
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.sock.byEnv[a.EnvelopeID]
	if d != nil {
		ack.SentAt = d.SentAt
		ack.Latency = ack.AckedAt.Sub(d.SentAt)
		ack.Late = ack.Latency > s.cfg.ackTimeout
	}
	switch {
	case ack.Invalid != "":
	case len(data) >= maxAckSize:
		ack.Invalid = fmt.Sprintf("ack of %d bytes ≥ %d: Slack drops it", len(data), maxAckSize)
	case d == nil:
		ack.Invalid = "unknown envelope_id"
	case d.ack != nil:
		ack.Duplicate = true
	default:
		d.ack = &ack
		close(d.acked)
	}
	if ack.Invalid != "" || ack.Duplicate {
		s.log.Warn("fakeslack: suspicious ack", "envelope_id", ack.EnvelopeID, "invalid", ack.Invalid, "duplicate", ack.Duplicate)
	}
	s.sock.acks = append(s.sock.acks, ack)
	s.notify()
}
