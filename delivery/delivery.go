// Package delivery posts what the bot owes Slack: the outbox of each
// channel, oldest first, by one sender at a time across replicas, each
// message at most once (tagged, and looked for in Slack before a retry).
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/avast/retry-go/v4"
	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// Outbox is the store of messages the bot owes.
type Outbox interface {
	LockChannel(ctx context.Context, channel string) (unlock func(), ok bool, err error)
	NextOutgoing(ctx context.Context, channel string) (domain.Outgoing, error)
	// LastOutgoing is the id of the newest unsent message for channel, 0
	// when there is none.
	LastOutgoing(ctx context.Context, channel string) (int64, error)
	MarkSent(ctx context.Context, id int64, ts string, at time.Time) error
	MarkUndeliverable(ctx context.Context, id int64, reason string, at time.Time) error
	NoteAttempt(ctx context.Context, id int64, reason string) error
	MarkTrying(ctx context.Context, id int64, at time.Time) error
	Handoff(ctx context.Context, id int64) (domain.Handoff, error)
	SetCard(ctx context.Context, id int64, channel, ts, permalink string) error
}

// CardRenderer draws a handoff's card as it is now.
type CardRenderer interface {
	Card(h domain.Handoff) (fallback string, blocks []slack.Block)
}

// Poster is the part of the Web API delivery uses.
type Poster interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
}

// Deliverer sends the outbox of a channel, oldest first, one sender per
// channel across all replicas.
type Deliverer struct {
	out     Outbox
	slack   Poster
	cards   CardRenderer
	log     *slog.Logger
	now     func() time.Time
	senders senders // this process's senders (senders.go)
}

// NewDeliverer wires a Deliverer; now is the clock its records use.
func NewDeliverer(out Outbox, slack Poster, cards CardRenderer, log *slog.Logger, now func() time.Time) *Deliverer {
	return &Deliverer{out: out, slack: slack, cards: cards, log: log, now: now, senders: newSenders()}
}

// How soon to look again at a channel whose delivery had to stop.
const (
	// laterBusy: another process holds the channel and delivers it.
	laterBusy = 500 * time.Millisecond
	// laterNotReady: a message links to a card another message still owes.
	laterNotReady = 2 * time.Second
)

// errNotReady is a message that needs another message delivered first (a
// DM linking to a card not yet posted).
var errNotReady = errors.New("waiting for the handoff's card to be posted")

// Deliver sends channel's unsent messages in order until none is left, and
// says what it posted. Every message committed before the call is
// delivered by it or by the delivery of the same channel already running
// in this process, which the call joins until the sender has got past
// those messages (not until the sender is done, which under steady load
// may be much later); either way the result lists them.
// Messages are left for later, with Delivery.Later saying when to look
// again, when Slack asks us to wait, when a message waits for a card, or
// when another process is delivering the channel. An error is a failure
// worth retrying with backoff (Slack or the database unreachable).
func (d *Deliverer) Deliver(ctx context.Context, channel string) (domain.Delivery, error) {
	r, mine := d.senders.join(channel)
	if !mine {
		upTo, err := d.out.LastOutgoing(ctx, channel)
		if err != nil {
			return domain.Delivery{}, err
		}
		return d.senders.waitFor(ctx, r, upTo)
	}
	res, err := d.run(ctx, channel, r)
	d.senders.finish(channel, r, res, err)
	return res, err
}

// run is one sender's turn at a channel: a slot of this process, the
// channel's lock across replicas, then messages until none is left.
func (d *Deliverer) run(ctx context.Context, channel string, r *sending) (domain.Delivery, error) {
	var res domain.Delivery
	release, err := d.senders.slot(ctx)
	if err != nil {
		return res, err
	}
	defer release()
	unlock, ok, err := d.out.LockChannel(ctx, channel)
	if err != nil || !ok {
		res.Later = laterBusy
		return res, err
	}
	defer func() { unlock() }()
	for {
		m, err := d.out.NextOutgoing(ctx, channel)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			// The lock goes before the delivery ends for this process: a
			// caller that comes after must find the channel free, or it
			// would leave its messages for later.
			unlock()
			unlock = func() {}
			if !d.senders.again(channel, r) {
				return res, nil
			}
			// A caller joined after our last look: look again, locked.
			if unlock, ok, err = d.out.LockChannel(ctx, channel); err != nil || !ok {
				unlock = func() {}
				res.Later = laterBusy
				return res, err
			}
			continue
		} else if err != nil {
			return res, err
		}
		posted, later, err := d.deliverOne(ctx, m)
		if posted != nil {
			res.Posted = append(res.Posted, *posted)
		}
		if err == nil && later == 0 {
			d.senders.progress(r, m.ID, posted)
		}
		if err != nil || later > 0 {
			res.Later = later
			return res, err
		}
	}
}

// deliverOne sends one message and records the outcome. A failure that
// may pass (a 5xx, a timeout) is tried again a few times at once, each
// time through post's look-before-repost, before it is left to the
// background job's backoff. Final refusals are recorded and skipped so
// one bad message never blocks a channel.
func (d *Deliverer) deliverOne(ctx context.Context, m domain.Outgoing) (*domain.Posted, time.Duration, error) {
	log := d.log.With("outbox_id", m.ID, "channel", m.Channel, "handoff_id", m.HandoffID, "purpose", m.Purpose)
	p, err := retry.DoWithData(func() (domain.Posted, error) { return d.send(ctx, &m) },
		retry.Context(ctx), retry.Attempts(quickTries), retry.LastErrorOnly(true), retry.RetryIf(transient),
		retry.Delay(200*time.Millisecond), retry.DelayType(retry.BackOffDelay),
		retry.OnRetry(func(_ uint, err error) {
			log.WarnContext(ctx, "message delivery failed; trying again", "error", err)
		}))
	if err == nil {
		return &p, 0, d.out.MarkSent(ctx, m.ID, p.TS, d.now())
	}
	if code, final := finalError(err); final {
		log.ErrorContext(ctx, "message undeliverable", "error", code)
		return nil, 0, d.out.MarkUndeliverable(ctx, m.ID, code, d.now())
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return nil, max(rl.RetryAfter, time.Second), nil
	}
	if errors.Is(err, errNotReady) {
		return nil, laterNotReady, nil
	}
	log.WarnContext(ctx, "message delivery failed; the background job will retry", "error", err, "attempts", m.Attempts+1)
	if nerr := d.out.NoteAttempt(ctx, m.ID, err.Error()); nerr != nil {
		log.WarnContext(ctx, "record attempt", "error", nerr)
	}
	return nil, 0, fmt.Errorf("deliver %s to %s: %w", m.Purpose, m.Channel, err)
}

// quickTries bounds the tries of one message in one delivery, 200 ms then
// 400 ms apart: a blip of Slack's passes within them; an outage is left to
// the job's backoff.
const quickTries = 3

// transient says Slack failed in a way that may pass if tried again soon:
// a 5xx, a network failure, or one of Slack's own "try again" errors.
// Refusals, rate limits, a missing card and the database are not.
func transient(err error) bool {
	if code, final := finalError(err); code != "" {
		return !final
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return sc.Code >= 500
	}
	_, netErr := errors.AsType[net.Error](err)
	return netErr && !errors.Is(err, context.Canceled)
}

// finalError says whether Slack refused for good, and why.
func finalError(err error) (string, bool) {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return "", false
	}
	switch se.Err {
	case "ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout":
		return se.Err, false
	}
	return se.Err, true // channel_not_found, not_in_channel, user_not_found, invalid_blocks, …
}

// send posts (or updates) one message and says where it landed.
func (d *Deliverer) send(ctx context.Context, m *domain.Outgoing) (domain.Posted, error) {
	if m.Card {
		return d.sendCard(ctx, m)
	}
	p := domain.Posted{OutboxID: m.ID, HandoffID: m.HandoffID, Channel: m.Channel}
	opts, threadTS, err := d.messageOptions(ctx, m.Message)
	if err != nil {
		return p, err
	}
	if m.UpdateTS != "" {
		_, p.TS, _, err = d.slack.UpdateMessageContext(ctx, m.Channel, m.UpdateTS, opts...)
		return p, err
	}
	p.TS, err = d.post(ctx, m, threadTS, opts)
	return p, err
}

// messageOptions turns a stored message into what chat.postMessage takes,
// resolving the thread and the card link it refers to.
func (d *Deliverer) messageOptions(ctx context.Context, m domain.Message) (opts []slack.MsgOption, threadTS string, err error) {
	text := m.Text
	var blocks slack.Blocks
	if len(m.Blocks) > 0 {
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
			return nil, "", slack.SlackErrorResponse{Err: "invalid_stored_blocks"}
		}
	}
	if m.CardLink != 0 {
		link, err := d.cardLink(ctx, m.CardLink)
		if err != nil {
			return nil, "", err
		}
		if len(blocks.BlockSet) > 0 {
			blocks.BlockSet = append(blocks.BlockSet, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, link, false, false)))
		} else {
			text += " " + link
		}
	}
	opts = []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks.BlockSet) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks.BlockSet...))
	}
	if m.InThreadOf != 0 {
		h, err := d.out.Handoff(ctx, m.InThreadOf)
		if err != nil {
			return nil, "", err
		}
		if h.CardTS == "" {
			return nil, "", errNotReady
		}
		threadTS = h.CardTS
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	return opts, threadTS, nil
}

// post sends a new message at most once: it is marked as tried first and
// tagged with its outbox id, and when an earlier try may have reached
// Slack (a crash, a timeout or a 5xx after the request left), Slack's
// history since that try is searched for the tag before posting again.
func (d *Deliverer) post(ctx context.Context, m *domain.Outgoing, threadTS string, opts []slack.MsgOption) (string, error) {
	if !m.TriedAt.IsZero() {
		ts, found, err := d.findPosted(ctx, *m, threadTS)
		if found || err != nil {
			return ts, err
		}
	}
	m.TriedAt = d.now().UTC()
	if err := d.out.MarkTrying(ctx, m.ID, m.TriedAt); err != nil {
		return "", err
	}
	tag := slack.SlackMetadata{EventType: outboxEvent, EventPayload: map[string]any{"outbox_id": strconv.FormatInt(m.ID, 10)}}
	_, ts, err := d.slack.PostMessageContext(ctx, m.Channel, append(opts, slack.MsgOptionMetadata(tag))...)
	return ts, err
}

// outboxEvent is the metadata event type that tags the bot's messages.
const outboxEvent = "handoffbot_outbox"

// historySlack is how much earlier than our record of a try Slack's clock
// may have stamped the message: the window of history searched starts
// this long before the try was marked.
const historySlack = time.Minute

// findPosted searches the channel's (or thread's) messages since m was
// last tried, page after page however busy the channel is, for the one
// tagged with m's outbox id. A lookup Slack refuses for good (a missing
// scope) counts as not found and the message is posted; one that fails
// for now is an error, so the message waits rather than risks a double.
func (d *Deliverer) findPosted(ctx context.Context, m domain.Outgoing, threadTS string) (string, bool, error) {
	channel, err := d.conversation(ctx, m.Channel)
	if err != nil {
		return "", false, d.lookupFailed(ctx, m, err)
	}
	id := strconv.FormatInt(m.ID, 10)
	oldest := slackTS(m.TriedAt.Add(-historySlack))
	for cursor := ""; ; {
		msgs, next, err := d.history(ctx, channel, threadTS, oldest, cursor)
		if err != nil {
			return "", false, d.lookupFailed(ctx, m, err)
		}
		for _, msg := range msgs {
			if msg.Metadata.EventType == outboxEvent && msg.Metadata.EventPayload["outbox_id"] == id {
				d.log.InfoContext(ctx, "message had reached Slack on an earlier try", "outbox_id", m.ID, "ts", msg.Timestamp)
				return msg.Timestamp, true, nil
			}
		}
		if next == "" {
			return "", false, nil
		}
		cursor = next
	}
}

// conversation is where a message to channel lands: a user's DM channel
// for a user ID.
func (d *Deliverer) conversation(ctx context.Context, channel string) (string, error) {
	if !strings.HasPrefix(channel, "U") && !strings.HasPrefix(channel, "W") {
		return channel, nil
	}
	im, _, _, err := d.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}, ReturnIM: true})
	if err != nil {
		return "", fmt.Errorf("open DM: %w", err)
	}
	return im.ID, nil
}

// history reads one page of a channel's messages (or a thread's replies)
// since oldest, with their metadata.
func (d *Deliverer) history(ctx context.Context, channel, threadTS, oldest, cursor string) ([]slack.Message, string, error) {
	if threadTS != "" {
		msgs, _, next, err := d.slack.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: threadTS, Oldest: oldest, Cursor: cursor, Limit: 200, IncludeAllMetadata: true})
		return msgs, next, err
	}
	h, err := d.slack.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channel, Oldest: oldest, Cursor: cursor, Limit: 200, IncludeAllMetadata: true})
	if err != nil {
		return nil, "", err
	}
	return h.Messages, h.ResponseMetaData.NextCursor, nil
}

// lookupFailed decides what a failed history lookup means: nil (post it)
// when Slack refused for good, else the error (try later).
func (d *Deliverer) lookupFailed(ctx context.Context, m domain.Outgoing, err error) error {
	if code, final := finalError(err); final {
		d.log.WarnContext(ctx, "cannot look for an earlier try; posting", "outbox_id", m.ID, "error", code)
		return nil
	}
	return fmt.Errorf("look for an earlier try of message %d: %w", m.ID, err)
}

// slackTS is t as a Slack message timestamp ("seconds.micros").
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

func (d *Deliverer) cardLink(ctx context.Context, handoffID int64) (string, error) {
	h, err := d.out.Handoff(ctx, handoffID)
	if err != nil {
		return "", err
	}
	if h.CardTS == "" {
		return "", errNotReady
	}
	link := h.CardPermalink
	if link == "" { // the card was posted but its permalink could not be read then
		if link, err = d.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: h.CardChannel, Ts: h.CardTS}); err != nil {
			return "", err
		}
		if err := d.out.SetCard(ctx, h.ID, h.CardChannel, h.CardTS, link); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("<%s|Open the card>", link), nil
}

// sendCard posts a handoff's card the first time and updates it in place
// afterwards, always drawing the handoff as it is now.
func (d *Deliverer) sendCard(ctx context.Context, m *domain.Outgoing) (domain.Posted, error) {
	p := domain.Posted{OutboxID: m.ID, HandoffID: m.HandoffID, Card: true, Channel: m.Channel}
	h, err := d.out.Handoff(ctx, m.HandoffID)
	if err != nil {
		return p, err
	}
	text, blocks := d.cards.Card(h)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)}
	if h.CardTS != "" {
		p.Channel, p.Permalink = h.CardChannel, h.CardPermalink
		_, p.TS, _, err = d.slack.UpdateMessageContext(ctx, h.CardChannel, h.CardTS, opts...)
		return p, err
	}
	if p.TS, err = d.post(ctx, m, "", opts); err != nil {
		return p, err
	}
	p.Permalink, err = d.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: m.Channel, Ts: p.TS})
	if err != nil {
		d.log.WarnContext(ctx, "card permalink", "handoff_id", h.ID, "error", err)
	}
	// The card exists now: record it even if the context ends, or the next
	// try would post it twice.
	if err := d.out.SetCard(context.WithoutCancel(ctx), h.ID, m.Channel, p.TS, p.Permalink); err != nil {
		return p, fmt.Errorf("record card: %w", err)
	}
	return p, nil
}
