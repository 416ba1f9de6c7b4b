package fakeslack

import (
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
