package fakeslack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxAckSize is Slack's limit for a Socket Mode response frame; slack-go's
// SendCtx refuses acks of this size or more, and Slack drops them.
const maxAckSize = 20 * 1024

// disconnectGrace is how long a socket stays open after a disconnect frame
// if the client does not close it itself (Slack: about 10 s for "warning").
const disconnectGrace = 10 * time.Second

type socketState struct {
	tickets  map[string]bool // unused tickets handed out by apps.connections.open
	conns    []*wsConn       // open sockets, oldest first
	connects int
	rr       int
	byEnv    map[string]*Delivery   // every delivery, by envelope id
	events   map[string]*eventGroup // events_api deliveries, by event id
	acks     []Ack
}

func (st *socketState) init() {
	st.tickets = map[string]bool{}
	st.byEnv = map[string]*Delivery{}
	st.events = map[string]*eventGroup{}
}

// wsConn is one Socket Mode connection. Writes are serialised by wmu
// because gorilla/websocket allows one concurrent writer.
type wsConn struct {
	id        int
	ws        *websocket.Conn
	wmu       sync.Mutex
	ready     bool // hello sent; guarded by Server.mu
	closed    chan struct{}
	closeOnce sync.Once
}

func (c *wsConn) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("fakeslack: marshal frame: %w", err)
	}
	return c.writeRaw(b)
}

// writeRaw writes one text frame.
func (c *wsConn) writeRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("fakeslack: write frame on socket %d: %w", c.id, err)
	}
	return nil
}

// close ends the connection; graceful sends a close frame first, otherwise
// the TCP connection is cut as by a network failure.
func (c *wsConn) close(graceful bool) {
	c.closeOnce.Do(func() {
		if graceful {
			msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server closing")
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		}
		_ = c.ws.Close()
		close(c.closed)
	})
}

func (s *Server) apiConnectionsOpen(_ *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ticket := strconv.Itoa(s.nextSeq())
	s.sock.tickets[ticket] = true
	url := "ws" + s.base[len("http"):] + "/link/?ticket=" + ticket
	return map[string]any{"url": url}, nil
}

var upgrader = websocket.Upgrader{
	// slack-go dials with Origin: https://api.slack.com; the default check
	// would refuse it with "bad handshake".
	CheckOrigin: func(*http.Request) bool { return true },
}

func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	ok := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "fakeslack: unknown or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Warn("fakeslack: websocket upgrade", "error", err)
		return
	}
	s.serveConn(ws)
}

func (s *Server) serveConn(ws *websocket.Conn) {
	c := &wsConn{ws: ws, closed: make(chan struct{})}
	s.mu.Lock()
	c.id = s.nextSeq()
	if !s.goTrackedLocked(func() { s.readLoop(c) }) {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.goTrackedLocked(func() { s.pingLoop(c) })
	s.sock.conns = append(s.sock.conns, c)
	n := len(s.sock.conns)
	s.mu.Unlock()
	hello := map[string]any{
		"type": "hello", "num_connections": n,
		"connection_info": map[string]any{"app_id": s.cfg.inst.AppID},
		"debug_info": map[string]any{
			"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060,
		},
	}
	if err := c.write(hello); err != nil {
		s.log.Warn("fakeslack: hello", "error", err)
		c.close(false)
		return
	}
	s.mu.Lock()
	c.ready = true
	s.sock.connects++
	s.notify()
	s.mu.Unlock()
	s.log.Debug("fakeslack: socket connected", "socket", c.id, "open", n)
}

func (s *Server) readLoop(c *wsConn) {
	defer s.removeConn(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			s.log.Debug("fakeslack: socket closed", "socket", c.id, "error", err)
			return
		}
		s.receiveAck(c, data)
	}
}

func (s *Server) pingLoop(c *wsConn) {
	t := time.NewTicker(s.cfg.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
				c.close(false)
				return
			}
		case <-c.closed:
			return
		case <-s.done:
			return
		}
	}
}

func (s *Server) removeConn(c *wsConn) {
	c.close(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock.conns = slices.DeleteFunc(s.sock.conns, func(x *wsConn) bool { return x == c })
	s.notify()
}

// dropAll closes every open socket; abrupt cuts TCP without a close frame.
func (s *Server) dropAll(abrupt bool) {
	s.mu.Lock()
	conns := slices.Clone(s.sock.conns)
	s.mu.Unlock()
	for _, c := range conns {
		c.close(!abrupt)
	}
}

// DropConnections cuts every open socket at the TCP level, with no close
// frame, as a network failure would. slack-go notices the read error and
// reconnects.
func (s *Server) DropConnections() { s.dropAll(true) }

// Disconnect sends {"type":"disconnect","reason":reason} to every open
// socket, as Slack does before recycling a connection ("refresh_requested",
// "warning", "link_disabled"). slack-go closes the socket and reconnects
// whatever the reason; if a client keeps the socket, the server closes it
// after a grace period.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	conns := slices.Clone(s.sock.conns)
	s.mu.Unlock()
	frame := map[string]any{
		"type": "disconnect", "reason": reason,
		"debug_info": map[string]any{"host": "applink-fake"},
	}
	for _, c := range conns {
		if err := c.write(frame); err != nil {
			c.close(false)
			continue
		}
		s.goTracked(func() {
			t := time.NewTimer(disconnectGrace)
			defer t.Stop()
			select {
			case <-t.C:
				c.close(true)
			case <-c.closed:
			case <-s.done:
			}
		})
	}
}

// ConnectionCount is the number of open sockets that have received hello.
func (s *Server) ConnectionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readyConns()
}

func (s *Server) readyConns() int {
	n := 0
	for _, c := range s.sock.conns {
		if c.ready {
			n++
		}
	}
	return n
}

// Connects is the number of successful connections (hello sent) so far;
// it proves that a reconnect happened.
func (s *Server) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.connects
}

// WaitConnections blocks until at least n sockets are open and greeted.
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	return s.waitCond(ctx, func() bool { return s.readyConns() >= n })
}

// WaitConnects blocks until at least n connections have been made in
// total, e.g. WaitConnects(ctx, 2) after a Disconnect proves the client
// reconnected.
func (s *Server) WaitConnects(ctx context.Context, n int) error {
	return s.waitCond(ctx, func() bool { return s.sock.connects >= n })
}

// waitCond blocks until cond (called with s.mu held) is true or ctx ends.
func (s *Server) waitCond(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("fakeslack: wait: %w", ctx.Err())
		case <-s.done:
			return fmt.Errorf("fakeslack: wait: server closed")
		}
	}
}
