package fakeslack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Fixed identities of the fake bot. They look like Slack's so that code
// which sniffs prefixes (U…, B…) behaves as in production.
const (
	defaultAppToken = "xapp-1-A1-fake"
	defaultBotToken = "xoxb-fake-bot"
	botUserID       = "UBOT"
	botID           = "BFAKEBOT"
	botName         = "handoffbot"
)

// Option configures a Server; options exist so a test states only what it
// cares about and inherits sane, Slack-like defaults for the rest.
type Option func(*config)

type config struct {
	pingInterval     time.Duration
	ackTimeout       time.Duration
	waitTimeout      time.Duration
	triggerTTL       time.Duration
	redelivery       []time.Duration // delays before each retry of an unacked event
	postingLimit     bool
	inst             Installation
	logger           *slog.Logger
	appToken         string
	botToken         string
	botMessageEvents bool
	chatWritePublic  bool
	clock            func() time.Time
	subscriptions    map[string]bool
}

// allSubscriptions is the default event subscription: every bot event the
// fake can produce, so a test gets events without configuring a manifest.
var allSubscriptions = []string{
	"app_home_opened", "app_mention", "message.im",
	"message.channels", "message.groups",
	"user_change", "subteam_members_changed", "app_uninstalled", "tokens_revoked",
	"function_executed",
}

func defaultConfig() config {
	subs := map[string]bool{}
	for _, e := range allSubscriptions {
		subs[e] = true
	}
	return config{
		pingInterval:  5 * time.Second,
		ackTimeout:    3 * time.Second,
		waitTimeout:   10 * time.Second,
		triggerTTL:    3 * time.Second,
		redelivery:    slackRedelivery,
		inst:          Installation{TeamID: defaultTeamID, AppID: defaultAppID},
		logger:        slog.New(slog.DiscardHandler),
		appToken:      defaultAppToken,
		botToken:      defaultBotToken,
		clock:         time.Now,
		subscriptions: subs,
	}
}

// WithPingInterval sets how often the server sends WebSocket PING frames.
// slack-go reconnects when it has not seen a ping for its own
// OptionPingInterval (30 s by default), so this must stay below that.
func WithPingInterval(d time.Duration) Option {
	return func(c *config) { c.pingInterval = d }
}

// WithAckTimeout sets Slack's 3-second ack deadline, in real time. An
// events_api envelope not acked in time is redelivered (new envelope_id,
// same event_id, retry_attempt+1, retry_reason "timeout") on the schedule
// WithRedeliverySchedule sets.
func WithAckTimeout(d time.Duration) Option {
	return func(c *config) { c.ackTimeout = d }
}

// WithWaitTimeout sets how long the Expect* helpers wait before failing the
// test; shorten it in tests of the failure path.
func WithWaitTimeout(d time.Duration) Option {
	return func(c *config) { c.waitTimeout = d }
}

// WithTriggerTTL sets how long a trigger_id stays valid (Slack: 3 s).
func WithTriggerTTL(d time.Duration) Option {
	return func(c *config) { c.triggerTTL = d }
}

// WithClock injects the clock used for trigger expiry, response_url
// expiry, the posting limit, the delays between event redeliveries,
// message timestamps and recorded times, so a test can make "30 minutes
// later" happen without sleeping. Timers that pace the socket (pings, the
// ack deadline, Fault.Latency) still use real time. After moving the
// clock, call ClockAdvanced so that redeliveries now due go out.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithLogger makes the fake log what it receives and sends (at debug level)
// and anything suspicious (at warn level). Tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithTokens sets the app-level (xapp-) and bot (xoxb-) tokens the fake
// accepts; every other token is refused with invalid_auth.
func WithTokens(appToken, botToken string) Option {
	return func(c *config) { c.appToken, c.botToken = appToken, botToken }
}

// WithBotMessageEvents makes the fake send `message` events (with bot_id,
// and message_changed on updates) for messages the bot itself posts, as
// real Slack does when the app subscribes to message.* events. Use it to
// prove that the bot ignores its own messages.
func WithBotMessageEvents() Option {
	return func(c *config) { c.botMessageEvents = true }
}

// WithChatWritePublic grants the chat:write.public scope: the bot may post
// in public channels it is not a member of. Without it such a post fails
// with not_in_channel, as in a workspace whose manifest lacks the scope.
func WithChatWritePublic() Option {
	return func(c *config) { c.chatWritePublic = true }
}

// WithEventSubscriptions replaces the bot event subscriptions (manifest
// names such as "app_mention", "message.im", "message.channels",
// "app_home_opened", "user_change", "subteam_members_changed",
// "app_uninstalled", "tokens_revoked", "function_executed"). The default
// subscribes to every event the fake can send; mirror the real manifest
// to catch a handler that depends on an unsubscribed event.
func WithEventSubscriptions(events ...string) Option {
	return func(c *config) {
		c.subscriptions = map[string]bool{}
		for _, e := range events {
			c.subscriptions[e] = true
		}
	}
}

// Server is a fake Slack: Socket Mode, the Web API methods the bot uses,
// workspace state and a user simulator. It listens on a real TCP socket on
// 127.0.0.1 so the real slack-go client can talk to it unchanged.
type Server struct {
	cfg     config
	log     *slog.Logger
	ln      net.Listener
	httpSrv *http.Server
	base    string // "http://127.0.0.1:PORT"

	done      chan struct{}
	ctx       context.Context // cancelled by Close; bounds the server's own sends
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once

	// mu guards everything below. changed is closed and replaced on every
	// state change so waiters can block without polling on a timer.
	mu         sync.Mutex
	changed    chan struct{}
	clockMoved chan struct{} // closed and replaced by ClockAdvanced
	seq        int           // id counter shared by every generated id
	lastTS     int64         // microseconds of the last ts handed out
	ws         workspace
	msgs       messageStore
	vs         viewStore
	trig       map[string]*trigger
	rurls      map[string]*responseURL
	files      map[string]*fileRec
	flt        faultState
	posting    map[string]*rate.Limiter // chat.postMessage budget by channel (WithPostingLimit)
	execs      map[string]*execRec      // custom step executions, by function_execution_id
	fns        map[string]functionRec   // declared custom steps, by callback_id
	calls      []Call
	sock       socketState
	items      []*item
	entries    []Entry
	evq        []queuedEvent
	evWake     chan struct{}

	observers []func(Seen) // see Observe
}

// New starts a fake Slack on 127.0.0.1 with an empty workspace that
// contains only the bot user. Close it when done.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakeslack: listen: %w", err)
	}
	s := &Server{
		cfg:        cfg,
		log:        cfg.logger,
		ln:         ln,
		base:       "http://" + ln.Addr().String(),
		done:       make(chan struct{}),
		changed:    make(chan struct{}),
		clockMoved: make(chan struct{}),
		trig:       map[string]*trigger{},
		rurls:      map[string]*responseURL{},
		files:      map[string]*fileRec{},
		posting:    map[string]*rate.Limiter{},
		execs:      map[string]*execRec{},
		fns:        map[string]functionRec{},
		evWake:     make(chan struct{}, 1),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ws.init()
	s.msgs.init()
	s.vs.init()
	s.flt.init()
	s.sock.init()
	s.httpSrv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Go(s.dispatchEvents)
	s.wg.Go(func() {
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("fakeslack: serve", "error", err)
		}
	})
	return s, nil
}

// Close stops the server: open sockets are closed, pending redeliveries
// are abandoned and every goroutine the server started has returned when
// Close returns.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.done) // under mu: goTracked never starts a goroutine after this
		s.mu.Unlock()
		s.cancel()
		s.dropAll(false)
		_ = s.httpSrv.Close()
		s.wg.Wait()
	})
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/response/", s.handleResponseURL)
	mux.HandleFunc("/upload/", s.handleUpload)
	mux.HandleFunc("/archives/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "fakeslack permalink %s\n", r.URL.String())
	})
	return s.offlineGate(mux)
}

// APIURL is the Web API base URL for slack.OptionAPIURL, with the trailing
// slash slack-go needs (it appends the method name directly).
func (s *Server) APIURL() string { return s.base + "/api/" }

// AppToken is the app-level token for slack.OptionAppLevelToken.
func (s *Server) AppToken() string { return s.cfg.appToken }

// BotToken is the bot token for slack.New.
func (s *Server) BotToken() string { return s.cfg.botToken }

// BotUserID is the bot's user id, the one mentions of the bot contain.
func (s *Server) BotUserID() string { return botUserID }

// BotID is the bot's B… id, carried as bot_id on the bot's messages.
func (s *Server) BotID() string { return botID }

// notify wakes every waiter; call it with s.mu held after any change.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// goTracked starts f as a goroutine that Close waits for, unless the server
// is closing. Starting under s.mu orders every start before Close's Wait.
func (s *Server) goTracked(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.goTrackedLocked(f)
}

// goTrackedLocked is goTracked for callers that hold s.mu.
func (s *Server) goTrackedLocked(f func()) bool {
	select {
	case <-s.done:
		return false
	default:
		s.wg.Go(f)
		return true
	}
}

// now is the injected clock.
func (s *Server) now() time.Time { return s.cfg.clock() }

// nextID returns prefix followed by a fresh number; ids are unique across
// kinds so that a mix-up (a view id used as a channel id) fails loudly.
// Call with s.mu held.
func (s *Server) nextID(prefix string) string {
	return fmt.Sprintf("%s%06d", prefix, s.nextSeq())
}

// nextSeq returns a fresh number. Call with s.mu held.
func (s *Server) nextSeq() int {
	s.seq++
	return s.seq
}

// nextTS returns a Slack-shaped, unique and increasing message timestamp
// ("1764190000.000100") based on the clock. Call with s.mu held.
func (s *Server) nextTS() string {
	us := s.now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// permalink builds the message URL Slack would return.
func (s *Server) permalink(channel, ts, threadTS string) string {
	link := s.base + "/archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
	if threadTS != "" && threadTS != ts {
		link += "?thread_ts=" + threadTS + "&cid=" + channel
	}
	return link
}

// sleep waits d unless the server closes first; it backs Fault.Latency.
func (s *Server) sleep(d time.Duration, cancel <-chan struct{}) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-cancel:
	case <-s.done:
	}
}
