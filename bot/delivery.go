package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/storage"
)

// Outbox is the store of messages the bot owes.
type Outbox interface {
	LockChannel(ctx context.Context, channel string) (unlock func(), ok bool, err error)
	NextOutgoing(ctx context.Context, channel string) (storage.Outgoing, error)
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

// NewDeliverer wires a Deliverer.
func NewDeliverer(out Outbox, slack Poster, cards CardRenderer, log *slog.Logger) *Deliverer {
	return &Deliverer{out: out, slack: slack, cards: cards, log: log, now: time.Now, senders: newSenders()}
}

// RetryAfterError says Slack asked us to wait before the next message.
type RetryAfterError struct{ Wait time.Duration }

func (e *RetryAfterError) Error() string { return fmt.Sprintf("rate limited: retry after %s", e.Wait) }

// ErrBusy says another sender holds the channel; it delivers the messages.
var ErrBusy = errors.New("another sender is delivering this channel")

// errNotReady is a message that needs another message delivered first (a
// DM linking to a card not yet posted).
var errNotReady = errors.New("waiting for the handoff's card to be posted")

// Deliver sends channel's unsent messages in order until none is left. When
// another sender holds the channel it returns ErrBusy: that sender delivers
// them. It stops at the first failure that needs waiting (a *RetryAfterError
// or a transient error), leaving that message first in line.
func (d *Deliverer) Deliver(ctx context.Context, channel string) error {
	release, err := d.senders.take(ctx, channel)
	if err != nil {
		return err
	}
	defer release()
	unlock, ok, err := d.out.LockChannel(ctx, channel)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBusy
	}
	defer unlock()
	for {
		m, err := d.out.NextOutgoing(ctx, channel)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if err := d.deliverOne(ctx, m); err != nil {
			return err
		}
	}
}

// deliverOne sends one message and records the outcome. Final refusals are
// recorded and skipped so one bad message never blocks a channel.
func (d *Deliverer) deliverOne(ctx context.Context, m storage.Outgoing) error {
	log := d.log.With("outbox_id", m.ID, "channel", m.Channel, "handoff_id", m.HandoffID, "purpose", m.Purpose)
	ts, err := d.send(ctx, m)
	if err == nil {
		return d.out.MarkSent(ctx, m.ID, ts, d.now())
	}
	if code, final := finalError(err); final {
		log.ErrorContext(ctx, "message undeliverable", "error", code)
		return d.out.MarkUndeliverable(ctx, m.ID, code, d.now())
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return &RetryAfterError{Wait: rl.RetryAfter}
	}
	log.WarnContext(ctx, "message delivery failed; will retry", "error", err, "attempts", m.Attempts+1)
	if nerr := d.out.NoteAttempt(ctx, m.ID, err.Error()); nerr != nil {
		log.WarnContext(ctx, "record attempt", "error", nerr)
	}
	return fmt.Errorf("deliver %s to %s: %w", m.Purpose, m.Channel, err)
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

func (d *Deliverer) send(ctx context.Context, m storage.Outgoing) (string, error) {
	if m.Card {
		return d.sendCard(ctx, m)
	}
	opts, threadTS, err := d.messageOptions(ctx, m.Message)
	if err != nil {
		return "", err
	}
	if m.UpdateTS != "" {
		_, ts, _, err := d.slack.UpdateMessageContext(ctx, m.Channel, m.UpdateTS, opts...)
		return ts, err
	}
	return d.post(ctx, m, threadTS, opts)
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
// Slack (a crash or a timeout after the request left), Slack's history is
// checked for the tag before posting again.
func (d *Deliverer) post(ctx context.Context, m storage.Outgoing, threadTS string, opts []slack.MsgOption) (string, error) {
	if m.Tried {
		if ts, ok := d.findPosted(ctx, m, threadTS); ok {
			return ts, nil
		}
	}
	if err := d.out.MarkTrying(ctx, m.ID, d.now()); err != nil {
		return "", err
	}
	tag := slack.SlackMetadata{EventType: outboxEvent, EventPayload: map[string]any{"outbox_id": strconv.FormatInt(m.ID, 10)}}
	_, ts, err := d.slack.PostMessageContext(ctx, m.Channel, append(opts, slack.MsgOptionMetadata(tag))...)
	return ts, err
}

// outboxEvent is the metadata event type that tags the bot's messages.
const outboxEvent = "handoffbot_outbox"

// findPosted looks through the channel's (or thread's) recent messages for
// one tagged with m's outbox id. A failed lookup counts as not found: a
// rare duplicate is better than a lost message.
func (d *Deliverer) findPosted(ctx context.Context, m storage.Outgoing, threadTS string) (string, bool) {
	channel := m.Channel
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		im, _, _, err := d.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}, ReturnIM: true})
		if err != nil {
			d.log.WarnContext(ctx, "open DM to check for an earlier try", "outbox_id", m.ID, "error", err)
			return "", false
		}
		channel = im.ID
	}
	var msgs []slack.Message
	var err error
	if threadTS != "" {
		msgs, _, _, err = d.slack.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: threadTS, Limit: 200, IncludeAllMetadata: true})
	} else {
		var h *slack.GetConversationHistoryResponse
		if h, err = d.slack.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Limit: 100, IncludeAllMetadata: true}); err == nil {
			msgs = h.Messages
		}
	}
	if err != nil {
		d.log.WarnContext(ctx, "check for an earlier try", "outbox_id", m.ID, "error", err)
		return "", false
	}
	id := strconv.FormatInt(m.ID, 10)
	for _, msg := range msgs {
		if msg.Metadata.EventType == outboxEvent && msg.Metadata.EventPayload["outbox_id"] == id {
			d.log.InfoContext(ctx, "message had reached Slack on an earlier try", "outbox_id", m.ID, "ts", msg.Timestamp)
			return msg.Timestamp, true
		}
	}
	return "", false
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
func (d *Deliverer) sendCard(ctx context.Context, m storage.Outgoing) (string, error) {
	h, err := d.out.Handoff(ctx, m.HandoffID)
	if err != nil {
		return "", err
	}
	text, blocks := d.cards.Card(h)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)}
	if h.CardTS != "" {
		_, ts, _, err := d.slack.UpdateMessageContext(ctx, h.CardChannel, h.CardTS, opts...)
		return ts, err
	}
	ts, err := d.post(ctx, m, "", opts)
	if err != nil {
		return "", err
	}
	link, err := d.slack.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: m.Channel, Ts: ts})
	if err != nil {
		d.log.WarnContext(ctx, "card permalink", "handoff_id", h.ID, "error", err)
	}
	// The card exists now: record it even if the context ends, or the next
	// try would post it twice.
	if err := d.out.SetCard(context.WithoutCancel(ctx), h.ID, m.Channel, ts, link); err != nil {
		return "", fmt.Errorf("record card: %w", err)
	}
	return ts, nil
}
