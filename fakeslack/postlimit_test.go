package fakeslack

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// With the posting limit a channel takes a short burst, then refuses with
// 429 and Retry-After (slack-go's RateLimitedError) without posting;
// another channel is unaffected, and a second later the channel takes
// one more message.
func TestPostingLimitPerChannel(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1764190000, 0)}
	s := newServer(t, WithPostingLimit(), WithClock(clock.Now))
	s.AddChannel(Channel{ID: "COTHER", Name: "other", BotIsMember: true})
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	post := func(channel, text string) error {
		_, _, err := api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false))
		return err
	}
	for i := range postingBurst {
		if err := post(general, "burst"); err != nil {
			t.Fatalf("post %d of the burst: %v", i+1, err)
		}
	}
	var rl *slack.RateLimitedError
	if err := post(general, "one too many"); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("over the limit: got %T %v, want a RateLimitedError with Retry-After 1s", err, err)
	}
	if err := post("COTHER", "elsewhere"); err != nil {
		t.Fatalf("another channel: %v", err)
	}
	clock.Advance(time.Second)
	if err := post(general, "a second later"); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
	if err := post(general, "again at once"); !errors.As(err, &rl) {
		t.Fatalf("the burst is spent: got %v", err)
	}
	var texts []string
	for _, m := range s.Channel(general).Messages() {
		texts = append(texts, m.Text())
	}
	if len(texts) != postingBurst+1 || texts[postingBurst] != "a second later" {
		t.Errorf("#general holds %q: refused posts must not be posted", texts)
	}
	calls := s.Calls("chat.postMessage")
	if refused := calls[postingBurst]; refused.Status != http.StatusTooManyRequests || refused.Error != "ratelimited" {
		t.Errorf("recorded refusal: %+v", refused)
	}
}

// Off by default: a burst far beyond the limit goes through.
func TestPostingLimitOffByDefault(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	for i := range 3 * postingBurst {
		if _, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("fast", false)); err != nil {
			t.Fatalf("post %d: %v", i+1, err)
		}
	}
}
