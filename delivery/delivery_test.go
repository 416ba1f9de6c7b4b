package delivery

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/queue"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

const (
	alice   = "UALICE"
	channel = "CGENERAL"
)

// eventually polls cond until it holds or 10 s pass: for facts recorded
// after Slack has answered, which no expectation of the fake waits for.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// newSlack is the outbox's Web API client of fs, as the bot builds it.
func newSlack(fs *fakeslack.Server) *slack.Client {
	return bot.NewOutboxClient(bot.ClientOptions{BotToken: fs.BotToken(), APIURL: fs.APIURL()}, slog.New(slog.DiscardHandler))
}

// courier is the background delivery (River queue and Deliverer) against a
// fake Slack and a real database.
type courier struct {
	slack *fakeslack.Server
	db    *storage.DB
}

func startCourier(t *testing.T, opts ...fakeslack.Option) *courier {
	t.Helper()
	fs, err := fakeslack.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: alice, Name: "alice"})
	fs.AddChannel(fakeslack.Channel{ID: channel, Name: "general", BotIsMember: true, Members: []string{alice}})
	db := storagetest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := NewDeliverer(db, newSlack(fs), handlers.Cards{Now: time.Now}, log, time.Now)
	q, err := queue.New(db.SQL(), queue.Workers{Deliverer: d, Store: db}, log, queue.Options{PollInterval: 50 * time.Millisecond, SweepInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		if err := q.Stop(stopCtx); err != nil {
			t.Errorf("stop queue: %v", err)
		}
	})
	return &courier{slack: fs, db: db}
}

func (c *courier) enqueue(t *testing.T, msgs ...domain.Message) {
	t.Helper()
	if err := c.db.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

func posts(fs *fakeslack.Server) (ok, failed int) {
	for _, c := range fs.Calls("chat.postMessage") {
		if c.Status == http.StatusOK && c.Error == "" {
			ok++
		} else {
			failed++
		}
	}
	return ok, failed
}

func TestRateLimitedMessageArrivesOnce(t *testing.T) {
	c := startCourier(t)
	c.slack.Fault("chat.postMessage", fakeslack.Fault{Times: 3, RetryAfter: time.Second})
	c.enqueue(t, domain.Message{Channel: alice, Text: "Reminder: accept Dana Scully", Purpose: "test"})
	c.slack.User(alice).ExpectDM(t, "Reminder: accept Dana Scully")
	var ok, failed int
	eventually(func() bool { ok, failed = posts(c.slack); return ok > 0 }) // calls are recorded after they are answered
	t.Logf("chat.postMessage: %d refused with 429, %d accepted", failed, ok)
	if ok != 1 || failed != 3 {
		t.Errorf("want 3 refusals then 1 success, got %d and %d", failed, ok)
	}
	c.slack.ExpectNothingElse(t)
}

func TestServerErrorsAreRetriedUntilDelivered(t *testing.T) {
	c := startCourier(t)
	c.slack.Fault("chat.postMessage", fakeslack.Fault{Times: 5, Status: http.StatusInternalServerError})
	c.enqueue(t, domain.Message{Channel: alice, Text: "Breached: Dana Scully", Purpose: "test"})
	c.slack.User(alice).ExpectDM(t, "Breached: Dana Scully")
	var ok, failed int
	eventually(func() bool { ok, failed = posts(c.slack); return ok > 0 })
	if ok != 1 || failed != 5 {
		t.Errorf("want 5 failures then 1 success, got %d and %d", failed, ok)
	}
	c.slack.ExpectNothingElse(t)
}

// A final refusal is recorded once for managers, not retried, and does not
// block the channel's next message.
func TestUndeliverableIsRecordedAndSkipped(t *testing.T) {
	c := startCourier(t)
	c.enqueue(t,
		domain.Message{Channel: "CGONE", Text: "to a deleted channel", Purpose: "test", HandoffID: 0},
		domain.Message{Channel: alice, Text: "still delivered", Purpose: "test"})
	c.slack.User(alice).ExpectDM(t, "still delivered")
	ctx := context.Background()
	var failed []domain.FailedDelivery
	var err error
	if !eventually(func() bool {
		failed, _ = c.db.FailedDeliveries(ctx, 10)
		return len(failed) == 1
	}) {
		t.Fatalf("failed deliveries: %+v", failed)
	}
	if failed[0].Error != "channel_not_found" || failed[0].Channel != "CGONE" {
		t.Errorf("failed delivery %+v", failed[0])
	}
	// Nothing will try again: the sweeper only reschedules unsent messages.
	var chs []string
	if !eventually(func() bool { chs, err = c.db.ChannelsWithOutgoing(ctx); return err == nil && len(chs) == 0 }) {
		t.Errorf("channels still waiting: %v %v", chs, err)
	}
	n := 0
	for _, call := range c.slack.Calls("chat.postMessage") {
		if call.Params["channel"] == "CGONE" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("posted to the missing channel %d times, want 1", n)
	}
}

// Messages to one channel arrive in the order they were owed, even when
// Slack refuses some of them for a while.
func TestOrderPerChannelSurvivesRateLimits(t *testing.T) {
	c := startCourier(t)
	c.slack.Fault("chat.postMessage", fakeslack.Fault{Times: 4, RetryAfter: time.Second})
	var msgs []domain.Message
	for i := range 10 {
		msgs = append(msgs, domain.Message{Channel: channel, Text: fmt.Sprintf("message %02d", i), Purpose: "test"})
	}
	c.enqueue(t, msgs[:5]...)
	c.enqueue(t, msgs[5:]...)
	for i := range 10 {
		c.slack.Channel(channel).ExpectMessage(t, fmt.Sprintf("message %02d", i))
	}
	var got []string
	for _, m := range c.slack.Channel(channel).Messages() {
		got = append(got, strings.TrimPrefix(m.Text(), "message "))
	}
	if strings.Join(got, ",") != "00,01,02,03,04,05,06,07,08,09" {
		t.Errorf("order: %v", got)
	}
	c.slack.ExpectNothingElse(t)
}

// A crash after Slack took a message but before it was marked sent: the
// next sender finds the message by its tag instead of posting it twice.
func TestMessageThatReachedSlackBeforeACrashIsNotResent(t *testing.T) {
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: alice, Name: "alice"})
	db := storagetest.New(t)
	ctx := context.Background()
	if err := db.Enqueue(ctx, domain.Message{Channel: alice, Text: "Your digest", Purpose: "test"}); err != nil {
		t.Fatal(err)
	}
	m, err := db.NextOutgoing(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	// What the crashed process did: marked the try, posted, and died.
	if err := db.MarkTrying(ctx, m.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	api := slack.New(fs.BotToken(), slack.OptionAPIURL(fs.APIURL()))
	tag := slack.SlackMetadata{EventType: outboxEvent, EventPayload: map[string]any{"outbox_id": strconv.FormatInt(m.ID, 10)}}
	if _, _, err := api.PostMessageContext(ctx, alice, slack.MsgOptionText("Your digest", false), slack.MsgOptionMetadata(tag)); err != nil {
		t.Fatal(err)
	}
	fs.User(alice).ExpectDM(t, "Your digest")

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := NewDeliverer(db, api, handlers.Cards{Now: time.Now}, log, time.Now)
	if _, err := d.Deliver(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NextOutgoing(ctx, alice); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("message still waiting: %v", err)
	}
	fs.ExpectNothingElse(t) // no second copy
}

// Slack took the post but its answer was lost (a 502 from its edge): the
// sender's next try looks in the channel's history, finds the message by
// its tag, and records it as sent. One message in Slack, one outbox row
// sent, and slack-go never re-sent the post on its own.
func TestPostAcceptedButAnswered502IsPostedOnce(t *testing.T) {
	t.Parallel()
	c := startCourier(t)
	c.slack.Fault("chat.postMessage", fakeslack.Fault{Times: 1, Applied: true, Status: http.StatusBadGateway})
	c.enqueue(t, domain.Message{Channel: channel, Text: "Handoff to Sales: Dana Scully", Purpose: "test"})
	c.slack.Channel(channel).ExpectMessage(t, "Dana Scully")
	var sent, waiting int
	if !eventually(func() bool {
		err := c.db.SQL().QueryRow(`SELECT count(*) FILTER (WHERE sent_at IS NOT NULL), count(*) FILTER (WHERE sent_at IS NULL)
			FROM outbox`).Scan(&sent, &waiting)
		return err == nil && sent == 1
	}) {
		t.Fatalf("outbox rows sent %d, waiting %d", sent, waiting)
	}
	if ok, failed := posts(c.slack); ok+failed != 1 {
		t.Errorf("chat.postMessage called %d times (%d answered ok), want the one that reached Slack", ok+failed, ok)
	}
	if n := len(c.slack.Calls("conversations.history")); n == 0 {
		t.Error("the retry posted without looking in the history first")
	}
	c.slack.ExpectNothingElse(t)
}

// A try that reached Slack is found however busy the channel has been
// since: the look-up pages through everything posted after the try.
func TestEarlierTryIsFoundInABusyChannel(t *testing.T) {
	t.Parallel()
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: alice, Name: "alice"})
	fs.AddChannel(fakeslack.Channel{ID: channel, Name: "general", BotIsMember: true, Members: []string{alice}})
	db := storagetest.New(t)
	ctx := context.Background()
	if err := db.Enqueue(ctx, domain.Message{Channel: channel, Text: "The card", Purpose: "test"}); err != nil {
		t.Fatal(err)
	}
	m, err := db.NextOutgoing(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkTrying(ctx, m.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	api := newSlack(fs)
	tag := slack.SlackMetadata{EventType: outboxEvent, EventPayload: map[string]any{"outbox_id": strconv.FormatInt(m.ID, 10)}}
	if _, _, err := api.PostMessageContext(ctx, channel, slack.MsgOptionText("The card", false), slack.MsgOptionMetadata(tag)); err != nil {
		t.Fatal(err)
	}
	for i := range 450 { // more than two pages of history after it
		if _, _, err := api.PostMessageContext(ctx, channel, slack.MsgOptionText(fmt.Sprintf("chatter %d", i), false)); err != nil {
			t.Fatal(err)
		}
	}
	d := NewDeliverer(db, api, handlers.Cards{Now: time.Now}, slog.New(slog.DiscardHandler), time.Now)
	if _, err := d.Deliver(ctx, channel); err != nil {
		t.Fatal(err)
	}
	if n := len(fs.Channel(channel).Messages()); n != 451 {
		t.Errorf("%d messages in the channel, want 451: the card was posted again", n)
	}
	if n := len(fs.Calls("conversations.history")); n < 3 {
		t.Errorf("%d history pages read; the tag was past the first two", n)
	}
}

// Slack's 429 ends the sender's turn at once, with the wait it asked for:
// the channel's lock and the process's sender slot are not held through
// Retry-After while other channels wait for a slot.
func TestRateLimitEndsTheTurnWithoutWaiting(t *testing.T) {
	t.Parallel()
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddChannel(fakeslack.Channel{ID: channel, Name: "general", BotIsMember: true})
	fs.Fault("chat.postMessage", fakeslack.Fault{RetryAfter: 30 * time.Second})
	db := storagetest.New(t)
	ctx := context.Background()
	if err := db.Enqueue(ctx, domain.Message{Channel: channel, Text: "waits", Purpose: "test"}); err != nil {
		t.Fatal(err)
	}
	d := NewDeliverer(db, newSlack(fs), handlers.Cards{Now: time.Now}, slog.New(slog.DiscardHandler), time.Now)
	got, err := d.Deliver(ctx, channel)
	if err != nil || got.Later != 30*time.Second {
		t.Fatalf("Deliver = %+v, %v; want Later 30s", got, err)
	}
	if n := len(fs.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d posts in the turn; a 429 must end it after one", n)
	}
	if got := len(d.senders.slots); got != 0 {
		t.Errorf("%d sender slots still held", got)
	}
}

// Slack's per-channel posting limit (about one a second): a throttled
// channel keeps its messages in order and loses none, and a channel
// beside it is not held up by it.
func TestThrottledChannelKeepsOrderOthersUnaffected(t *testing.T) {
	t.Parallel()
	c := startCourier(t, fakeslack.WithPostingLimit())
	c.slack.AddChannel(fakeslack.Channel{ID: "CQUIET", Name: "quiet", BotIsMember: true})
	var msgs []domain.Message
	for i := range 7 {
		msgs = append(msgs, domain.Message{Channel: channel, Text: fmt.Sprintf("busy %d", i), Purpose: "test"})
	}
	c.enqueue(t, msgs...)
	c.enqueue(t, domain.Message{Channel: "CQUIET", Text: "quiet one", Purpose: "test"})
	c.slack.Channel("CQUIET").ExpectMessage(t, "quiet one")
	for i := range 7 {
		c.slack.Channel(channel).ExpectMessage(t, fmt.Sprintf("busy %d", i))
	}
	var got []string
	for _, m := range c.slack.Channel(channel).Messages() {
		got = append(got, m.Text())
	}
	if want := "busy 0,busy 1,busy 2,busy 3,busy 4,busy 5,busy 6"; strings.Join(got, ",") != want {
		t.Errorf("order %v, want %s", got, want)
	}
	limited := 0
	for _, call := range c.slack.Calls("chat.postMessage") {
		if call.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("Slack never throttled the busy channel: the test shows nothing")
	}
	c.slack.ExpectNothingElse(t)
}
