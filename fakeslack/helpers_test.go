package fakeslack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Test users and channels every test starts with.
const (
	alice   = "UALICE"
	bob     = "UBOB"
	general = "CGENERAL"
)

// newServer starts a fake with pings every 100 ms (the test clients expect
// one every 2 s) and a small workspace.
func newServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := New(append([]Option{WithPingInterval(100 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddUser(User{ID: alice, Name: "alice", RealName: "Alice Adams", Email: "alice@example.com"})
	s.AddUser(User{ID: bob, Name: "bob", RealName: "Bob Brown", Email: "bob@example.com"})
	s.AddChannel(Channel{ID: general, Name: "general", BotIsMember: true})
	return s
}

// testBot is a real slack-go Socket Mode client connected to the fake. Its
// handler runs on the client's event loop; the loop acks every request the
// handler does not ack itself (handler returns true when it did).
type testBot struct {
	t    *testing.T
	s    *Server
	api  *slack.Client
	c    *socketmode.Client
	evts chan socketmode.Event // every event, for assertions
	done chan error            // RunContext's result
}

type handlerFunc func(b *testBot, e socketmode.Event) (acked bool)

func startBot(t *testing.T, s *Server, h handlerFunc) *testBot {
	t.Helper()
	b := startBotNoWait(t, s, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitConnections(ctx, 1); err != nil {
		t.Fatalf("bot did not connect: %v", err)
	}
	return b
}

func startBotNoWait(t *testing.T, s *Server, h handlerFunc) *testBot {
	t.Helper()
	api := slack.New(s.BotToken(), slack.OptionAppLevelToken(s.AppToken()), slack.OptionAPIURL(s.APIURL()))
	c := socketmode.New(api, socketmode.OptionPingInterval(2*time.Second))
	b := &testBot{t: t, s: s, api: api, c: c, evts: make(chan socketmode.Event, 256), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { b.done <- c.RunContext(ctx) })
	wg.Go(func() { b.loop(ctx, h) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return b
}

func (b *testBot) loop(ctx context.Context, h handlerFunc) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-b.c.Events:
			select {
			case b.evts <- e:
			default:
			}
			acked := false
			if h != nil {
				acked = h(b, e)
			}
			if !acked && e.Request != nil && e.Type != socketmode.EventTypeHello {
				if err := b.c.Ack(*e.Request); err != nil {
					b.t.Errorf("ack: %v", err)
				}
			}
		}
	}
}

// next returns the next event of type typ the client saw.
func (b *testBot) next(typ socketmode.EventType) socketmode.Event {
	b.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-b.evts:
			if e.Type == typ {
				return e
			}
		case <-timeout:
			b.t.Fatalf("no %s event within 10s", typ)
			return socketmode.Event{}
		}
	}
}

// ctx returns a context that ends with the test or after 10 s.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// recordingTB records Fatalf instead of stopping the test, to test the
// simulator's failure path.
type recordingTB struct {
	mu       sync.Mutex
	failures []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// only returns the single recorded failure, failing t unless there is
// exactly one.
func (r *recordingTB) only(t *testing.T) string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.failures) != 1 {
		t.Fatalf("want exactly 1 failure, got %d: %q", len(r.failures), r.failures)
	}
	return r.failures[0]
}

func wantSlackError(t *testing.T, err error, code string) {
	t.Helper()
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != code {
		t.Fatalf("want Slack error %q, got %T %v", code, err, err)
	}
}

func mustContain(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("%q does not contain %q", got, want)
	}
}

// section and button build blocks tersely.
func section(text string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}

func button(actionID, text string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, actionID, slack.NewTextBlockObject(slack.PlainTextType, text, false, false))
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, false, false)
}

// recv receives from ch or fails after 10 s, so a test never hangs.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing received within 10s")
		var zero T
		return zero
	}
}
