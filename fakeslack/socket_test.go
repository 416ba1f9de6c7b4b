package fakeslack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func TestConnectSendsHelloWithAppToken(t *testing.T) {
	s := newServer(t)
	b := startBot(t, s, nil)
	b.next(socketmode.EventTypeHello)
	if got := s.Connects(); got != 1 {
		t.Errorf("Connects = %d, want 1", got)
	}
	calls := s.Calls("apps.connections.open")
	if len(calls) != 1 || calls[0].Token != s.AppToken() || calls[0].Status != http.StatusOK {
		t.Fatalf("apps.connections.open calls: %+v", calls)
	}
}

func TestEventAckRecordedWithLatency(t *testing.T) {
	s := newServer(t)
	startBot(t, s, nil)
	d, err := s.SendEvent(testCtx(t), "Ev1", map[string]any{
		"type": "app_mention", "user": alice, "text": "<@UBOT> hi", "channel": general, "ts": "1.2", "event_ts": "1.2",
	})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := d.WaitAck(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if ack.EnvelopeID != d.EnvelopeID || ack.Latency <= 0 || ack.AckedAt.Before(ack.SentAt) || ack.Payload != nil {
		t.Errorf("ack = %+v", ack)
	}
	if acks := s.Acks(); len(acks) != 1 || acks[0].Duplicate || acks[0].Invalid != "" {
		t.Errorf("Acks() = %+v", acks)
	}
}

func TestDisconnectRefreshRequestedReconnects(t *testing.T) {
	s := newServer(t)
	startBot(t, s, nil)
	s.Disconnect("refresh_requested")
	if err := s.WaitConnects(testCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitConnections(testCtx(t), 1); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Calls("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
}

func TestAbruptDropReconnects(t *testing.T) {
	s := newServer(t)
	startBot(t, s, nil)
	s.DropConnections()
	if err := s.WaitConnects(testCtx(t), 2); err != nil {
		t.Fatal(err)
	}
}

// The first delivery is not acked; Slack redelivers it with a new envelope,
// the same event_id, retry_attempt 1 and retry_reason "timeout".
func TestUnackedEventIsRedelivered(t *testing.T) {
	s := newServer(t, WithAckTimeout(200*time.Millisecond))
	reqs := make(chan socketmode.Request, 10)
	startBot(t, s, func(b *testBot, e socketmode.Event) bool {
		if e.Type != socketmode.EventTypeEventsAPI {
			return false
		}
		reqs <- *e.Request
		return e.Request.RetryAttempt == 0 // pretend to ack the first, but don't
	})
	d, err := s.SendEvent(testCtx(t), "EvRetry", map[string]any{
		"type": "app_mention", "user": alice, "text": "<@UBOT>", "channel": general, "ts": "1.3", "event_ts": "1.3",
	})
	if err != nil {
		t.Fatal(err)
	}
	first, second := recv(t, reqs), recv(t, reqs)
	if first.RetryAttempt != 0 || second.RetryAttempt != 1 || second.RetryReason != "timeout" {
		t.Errorf("attempts: %d/%q then %d/%q", first.RetryAttempt, first.RetryReason, second.RetryAttempt, second.RetryReason)
	}
	if first.EnvelopeID == second.EnvelopeID || eventID(t, first) != "EvRetry" || eventID(t, second) != "EvRetry" {
		t.Errorf("envelopes %s, %s", first.EnvelopeID, second.EnvelopeID)
	}
	attempts := d.Attempts()
	if len(attempts) < 2 {
		t.Fatalf("Attempts() = %d", len(attempts))
	}
	if _, err := attempts[1].WaitAck(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}

func eventID(t *testing.T, r socketmode.Request) string {
	var cb slackevents.EventsAPICallbackEvent
	if err := json.Unmarshal(r.Payload, &cb); err != nil {
		t.Fatal(err)
	}
	return cb.EventID
}

// An event sent while the socket is gone is delivered on the next one.
func TestEventWaitsForNextSocketAfterDrop(t *testing.T) {
	s := newServer(t, WithAckTimeout(300*time.Millisecond))
	b := startBot(t, s, nil)
	b.next(socketmode.EventTypeHello)
	s.DropConnections()
	d, err := s.SendEvent(testCtx(t), "EvAfterDrop", map[string]any{
		"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home", "event_ts": "1.4",
	})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := d.WaitAck(testCtx(t))
	if err != nil {
		t.Fatalf("%v (attempts %d)", err, len(d.Attempts()))
	}
	if s.Connects() < 2 || ack.Socket == 0 {
		t.Errorf("connects %d, ack %+v", s.Connects(), ack)
	}
}

// An event written to a socket that then drops, unacked, is redelivered
// on the next socket once its ack deadline passes.
func TestUnackedEventRedeliveredOnNextSocket(t *testing.T) {
	s := newServer(t, WithAckTimeout(200*time.Millisecond))
	swallowed := make(chan struct{}, 1)
	startBot(t, s, func(b *testBot, e socketmode.Event) bool {
		if e.Type == socketmode.EventTypeEventsAPI && e.Request.RetryAttempt == 0 {
			swallowed <- struct{}{}
			return true // lost with the socket
		}
		return false
	})
	d, err := s.SendEvent(testCtx(t), "EvLost", map[string]any{
		"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home", "event_ts": "1.7",
	})
	if err != nil {
		t.Fatal(err)
	}
	recv(t, swallowed)
	s.DropConnections()
	g := d.group
	if err := s.waitCond(testCtx(t), func() bool { return len(g.attempts) >= 2 && g.attempts[1].ack != nil }); err != nil {
		t.Fatal(err)
	}
	at := d.Attempts()
	if at[1].Socket == at[0].Socket || at[1].RetryAttempt != 1 || at[1].EventID != "EvLost" {
		t.Errorf("redelivery %+v after %+v", at[1], at[0])
	}
}

// Raw WebSocket client: acks twice, acks an unknown envelope, and sends an
// ack of 20 KB (slack-go refuses to; Slack drops it).
func TestDuplicateUnknownAndOversizedAcksAreRecorded(t *testing.T) {
	s := newServer(t)
	api := slack.New(s.BotToken(), slack.OptionAppLevelToken(s.AppToken()), slack.OptionAPIURL(s.APIURL()))
	_, wsURL, err := api.StartSocketModeContext(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var hello map[string]any
	if err := conn.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
		t.Fatalf("hello: %v %v", hello, err)
	}
	for range 2 {
		if _, err := s.Send(testCtx(t), Envelope{Type: "slash_commands", Payload: map[string]any{"command": "/x"}, AcceptsResponsePayload: true}); err != nil {
			t.Fatal(err)
		}
	}
	var env1, env2 map[string]any
	if err := conn.ReadJSON(&env1); err != nil {
		t.Fatal(err)
	}
	if err := conn.ReadJSON(&env2); err != nil {
		t.Fatal(err)
	}
	ack := map[string]any{"envelope_id": env1["envelope_id"]}
	big := map[string]any{"envelope_id": env2["envelope_id"], "payload": map[string]any{"text": strings.Repeat("x", 21000)}}
	for _, frame := range []any{ack, ack, map[string]any{"envelope_id": "nope"}, big} {
		if err := conn.WriteJSON(frame); err != nil {
			t.Fatal(err)
		}
	}
	ctx := testCtx(t)
	if err := s.waitCond(ctx, func() bool { return len(s.sock.acks) >= 4 }); err != nil {
		t.Fatal(err)
	}
	acks := s.Acks()
	if acks[0].Duplicate || acks[0].Invalid != "" || !acks[1].Duplicate {
		t.Errorf("first two acks: %+v %+v", acks[0], acks[1])
	}
	if acks[2].Invalid != "unknown envelope_id" || !strings.Contains(acks[3].Invalid, "Slack drops it") {
		t.Errorf("invalid acks: %q, %q", acks[2].Invalid, acks[3].Invalid)
	}
}

func TestOfflineThenBackOnlineReconnects(t *testing.T) {
	s := newServer(t)
	startBot(t, s, nil)
	s.SetOffline(true)
	ctx := testCtx(t)
	if err := s.waitCond(ctx, func() bool { return s.readyConns() == 0 }); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(s.APIURL()+"auth.test", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("offline status %d", resp.StatusCode)
	}
	refused := func() bool {
		for _, c := range s.calls {
			if c.Method == "apps.connections.open" && c.Status == http.StatusServiceUnavailable {
				return true
			}
		}
		return false
	}
	if err := s.waitCond(ctx, refused); err != nil {
		t.Fatalf("the client never tried to reconnect while offline: %v", err)
	}
	s.SetOffline(false)
	if err := s.WaitConnects(ctx, 2); err != nil {
		t.Fatal(err)
	}
}

func TestRevokedAppTokenStopsTheClient(t *testing.T) {
	s := newServer(t)
	b := startBot(t, s, nil)
	s.RevokeToken(s.AppToken())
	select {
	case err := <-b.done:
		if err == nil || err.Error() != "token_revoked" {
			t.Fatalf("RunContext returned %v, want token_revoked", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("client kept running with a revoked app token")
	}
}

func TestSendRoundRobinsOverSockets(t *testing.T) {
	s := newServer(t)
	startBot(t, s, nil)
	startBot(t, s, nil)
	if err := s.WaitConnections(testCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	sockets := map[int]bool{}
	for i := range 4 {
		d, err := s.SendEvent(testCtx(t), "EvRR"+string(rune('a'+i)), map[string]any{
			"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home", "event_ts": "1.5",
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.WaitAck(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		sockets[d.Socket] = true
	}
	if len(sockets) != 2 {
		t.Errorf("envelopes went to sockets %v, want both", sockets)
	}
}
