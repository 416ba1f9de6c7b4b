package fakeslack

import (
	"fmt"
	"slices"
	"testing"

	"github.com/slack-go/slack"
)

// Message metadata is kept and shown by conversations.history and
// conversations.replies only when asked for, as Slack does; the bot uses it
// to find out whether a message it is about to resend already went out.
func TestMetadataInHistoryAndReplies(t *testing.T) {
	s := newServer(t)
	s.AddChannel(Channel{ID: "CGEN", Name: "general", BotIsMember: true})
	api := slack.New(s.BotToken(), slack.OptionAPIURL(s.APIURL()))
	ctx := testCtx(t)
	meta := slack.SlackMetadata{EventType: "handoffbot_message", EventPayload: map[string]any{"outbox_id": "42"}}
	_, root, err := api.PostMessageContext(ctx, "CGEN", slack.MsgOptionText("root", false), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "CGEN", slack.MsgOptionText("reply", false), slack.MsgOptionTS(root), slack.MsgOptionMetadata(meta)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "CGEN", slack.MsgOptionText("plain", false)); err != nil {
		t.Fatal(err)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "CGEN", IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Messages) != 2 || hist.Messages[0].Text != "plain" || hist.Messages[1].Metadata.EventPayload["outbox_id"] != "42" {
		t.Fatalf("history: %+v", hist.Messages)
	}
	bare, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "CGEN"})
	if err != nil {
		t.Fatal(err)
	}
	if bare.Messages[1].Metadata.EventType != "" {
		t.Errorf("metadata without include_all_metadata: %+v", bare.Messages[1].Metadata)
	}
	replies, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "CGEN", Timestamp: root, IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 2 || replies[1].Text != "reply" || replies[1].Metadata.EventType != "handoffbot_message" {
		t.Fatalf("replies: %+v", replies)
	}
	_, _, err = api.PostMessageContext(ctx, "CGEN", slack.MsgOptionText("x", false), slack.MsgOptionMetadata(slack.SlackMetadata{}))
	wantSlackError(t, err, "invalid_metadata_schema")
}

// A busy channel read page by page: every message once, newest first,
// whatever the page size; oldest/latest bound the window, exclusive
// unless inclusive.
func TestHistoryPagesThroughABusyChannel(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	var sent []string // ts, oldest first
	for i := range 250 {
		_, ts, err := api.PostMessageContext(ctx, general, slack.MsgOptionText(fmt.Sprintf("m%03d", i), false))
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, ts)
	}
	var got []string
	pages := 0
	params := &slack.GetConversationHistoryParameters{ChannelID: general, Limit: 100}
	for {
		h, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range h.Messages {
			got = append(got, m.Timestamp)
		}
		if !h.HasMore {
			if h.ResponseMetaData.NextCursor != "" {
				t.Errorf("last page has a next_cursor")
			}
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	slices.Reverse(got)
	if pages != 3 || !slices.Equal(got, sent) {
		t.Fatalf("%d pages, %d messages; want 3 pages of all 250 in order", pages, len(got))
	}
	window := func(oldest, latest string, inclusive bool) []string {
		t.Helper()
		h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: general, Oldest: oldest, Latest: latest, Inclusive: inclusive})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range h.Messages {
			out = append(out, m.Timestamp)
		}
		return out
	}
	if w := window(sent[10], sent[13], false); !slices.Equal(w, []string{sent[12], sent[11]}) {
		t.Errorf("exclusive window: %v", w)
	}
	if w := window(sent[10], sent[13], true); !slices.Equal(w, []string{sent[13], sent[12], sent[11], sent[10]}) {
		t.Errorf("inclusive window: %v", w)
	}
	if w := window(sent[247], "", false); !slices.Equal(w, []string{sent[249], sent[248]}) {
		t.Errorf("oldest only: %v", w)
	}
	_, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: general, Cursor: "bm9wZQ=="})
	wantSlackError(t, err, "invalid_cursor")
	_, err = api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: general, Oldest: "yesterday"})
	wantSlackError(t, err, "invalid_ts_oldest")
}

// A long thread read page by page: the parent once, on the first page;
// asking by a reply's ts reads the same thread.
func TestRepliesPageThroughALongThread(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	_, root, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("root", false))
	if err != nil {
		t.Fatal(err)
	}
	var replies []string
	for i := range 25 {
		_, ts, err := api.PostMessageContext(ctx, general, slack.MsgOptionText(fmt.Sprintf("r%02d", i), false), slack.MsgOptionTS(root))
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, ts)
	}
	var got []string
	params := &slack.GetConversationRepliesParameters{ChannelID: general, Timestamp: replies[3], Limit: 10}
	for page := 0; ; page++ {
		msgs, hasMore, next, err := api.GetConversationRepliesContext(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		if (page == 0) != (msgs[0].Timestamp == root) {
			t.Errorf("page %d starts with %s; the parent belongs on the first page only", page, msgs[0].Timestamp)
		}
		for _, m := range msgs {
			got = append(got, m.Timestamp)
		}
		if !hasMore {
			break
		}
		params.Cursor = next
	}
	if want := append([]string{root}, replies...); !slices.Equal(got, want) {
		t.Fatalf("thread read as %d messages, want the parent then 25 replies in order", len(got))
	}
}
