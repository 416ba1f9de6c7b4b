package fakeslack

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// Slack posted the message but answered 502: the bot sees an error,
// people see the message, history has it, and the call is recorded as
// applied.
func TestAppliedFaultPostsButAnswers502(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	s.Fault("chat.postMessage", Fault{Times: 1, Status: http.StatusBadGateway, Applied: true})
	_, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("Ada handed to Bob", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusBadGateway {
		t.Fatalf("got %T %v, want a 502 StatusCodeError", err, err)
	}
	s.Channel(general).ExpectMessage(t, "Ada handed to Bob")
	h, err := api.GetConversationHistoryContext(testCtx(t), &slack.GetConversationHistoryParameters{ChannelID: general})
	if err != nil || len(h.Messages) != 1 {
		t.Fatalf("history: %+v %v", h, err)
	}
	calls := s.Calls("chat.postMessage")
	if len(calls) != 1 || !calls[0].Applied || calls[0].Status != http.StatusBadGateway {
		t.Errorf("recorded call: %+v", calls)
	}
	s.ExpectNothingElse(t)
}

// The hazard the fault exists for: slack-go's 5xx retry handler re-sends
// a post Slack already accepted, and people see it twice.
func TestAppliedFaultDuplicatesUnderServerErrorRetries(t *testing.T) {
	s := newServer(t)
	cfg := slack.DefaultRetryConfig()
	cfg.MaxRetries, cfg.BackoffInitial, cfg.BackoffJitter = 1, time.Millisecond, 0
	cfg.Handlers = []slack.RetryHandler{slack.NewServerErrorRetryHandler(cfg)}
	api := slack.New(s.BotToken(), slack.OptionAPIURL(s.APIURL()), slack.OptionRetryConfig(cfg))
	s.Fault("chat.postMessage", Fault{Times: 1, Status: http.StatusBadGateway, Applied: true})
	if _, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("reminder", false)); err != nil {
		t.Fatalf("the retry should have succeeded: %v", err)
	}
	if n := len(s.Channel(general).Messages()); n != 2 {
		t.Fatalf("%d messages in #general, want the duplicate a retrying client causes", n)
	}
}

// A reply that never comes: the update takes effect, the client gives
// up waiting.
func TestAppliedFaultUpdatesThenTimesOut(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	_, ts, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("Pending", false))
	if err != nil {
		t.Fatal(err)
	}
	card := s.Channel(general).ExpectMessage(t, "Pending")
	s.Fault("chat.update", Fault{Times: 1, Latency: time.Hour, Applied: true})
	ctx, giveUp := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() {
		_, _, _, err := api.UpdateMessageContext(ctx, general, ts, slack.MsgOptionText("Accepted", false))
		done <- err
	}()
	if got := card.ExpectUpdate(t).Text(); got != "Accepted" {
		t.Errorf("update: %q", got)
	}
	giveUp() // the client's timeout
	if err := recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the client's own timeout", err)
	}
}
