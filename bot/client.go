package bot

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// ClientOptions say how to reach Slack.
type ClientOptions struct {
	AppToken string
	BotToken string
	APIURL   string // with a trailing slash
	// PingInterval is how long slack-go waits for Slack's PING before it
	// reconnects (default 30 s).
	PingInterval time.Duration
	// Transport carries every Web API call (metrics wrap it); nil for the default.
	Transport http.RoundTripper
}

// NewClient builds the Web API client the handlers use and its Socket
// Mode connection. A call Slack answers 429 is tried again after its
// Retry-After, a little, because a person is waiting and Slack did not take
// the call; a 5xx is not tried again, since Slack may have acted on it (a
// message posted twice). Messages the bot owes go through the outbox's
// own client instead (NewOutboxClient). slack-go's logging goes to slog
// at debug level, and its debug mode (which prints payloads) stays off.
func NewClient(o ClientOptions, log *slog.Logger) *socketmode.Client {
	retry := slack.RetryConfig{MaxRetries: 2, RetryAfterDuration: time.Second}
	retry.Handlers = []slack.RetryHandler{slack.NewRateLimitErrorRetryHandler(retry)}
	api := slack.New(o.BotToken, append(webOptions(o, log), slack.OptionAppLevelToken(o.AppToken), slack.OptionRetryConfig(retry))...)
	opts := []socketmode.Option{socketmode.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelDebug))}
	if o.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(o.PingInterval))
	}
	return socketmode.New(api, opts...)
}

// NewOutboxClient is the Web API client of the outbox (delivery): it never
// tries a call again by itself. A post answered 5xx may have reached Slack,
// and only the outbox may post it again, after looking for it in the
// channel's history; a 429 comes back at once, so the sender leaves the
// channel to a later job instead of holding it while it waits.
func NewOutboxClient(o ClientOptions, log *slog.Logger) *slack.Client {
	return slack.New(o.BotToken, webOptions(o, log)...)
}

func webOptions(o ClientOptions, log *slog.Logger) []slack.Option {
	return []slack.Option{
		slack.OptionAPIURL(o.APIURL),
		slack.OptionHTTPClient(&http.Client{Timeout: 15 * time.Second, Transport: o.Transport}),
		slack.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelDebug)),
	}
}
