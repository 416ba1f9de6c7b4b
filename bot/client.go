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

// NewClient builds the Web API client and its Socket Mode connection. Calls
// made while answering a user are retried a little on 429 and 5xx, because
// the user is waiting; slack-go's own logging goes to slog at debug level,
// and its debug mode (which prints payloads) stays off.
func NewClient(o ClientOptions, log *slog.Logger) *socketmode.Client {
	retry := slack.RetryConfig{
		MaxRetries:         2,
		RetryAfterDuration: time.Second,
		BackoffInitial:     200 * time.Millisecond,
		BackoffMax:         2 * time.Second,
		BackoffJitter:      100 * time.Millisecond,
	}
	retry.Handlers = []slack.RetryHandler{slack.NewRateLimitErrorRetryHandler(retry), slack.NewServerErrorRetryHandler(retry)}
	httpClient := &http.Client{Timeout: 15 * time.Second, Transport: o.Transport}
	api := slack.New(o.BotToken,
		slack.OptionAppLevelToken(o.AppToken),
		slack.OptionAPIURL(o.APIURL),
		slack.OptionHTTPClient(httpClient),
		slack.OptionRetryConfig(retry),
		slack.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelDebug)),
	)
	opts := []socketmode.Option{socketmode.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelDebug))}
	if o.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(o.PingInterval))
	}
	return socketmode.New(api, opts...)
}
