package fakeslack

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// miniBot is a tiny handoff bot written against slack-go, the way the real
// bot will be, so the simulator's round trips are tested end to end.
type miniBot struct {
	mu          sync.Mutex
	submissions []map[string]map[string]slack.BlockAction
	closed      []string // callback ids of view_closed
	mentions    []string // event types received for mentions
	dupCards    bool     // post every card twice (a bug to catch)
}

func (m *miniBot) handle(b *testBot, e socketmode.Event) bool {
	ctx := context.Background()
	switch e.Type {
	case socketmode.EventTypeSlashCommand:
		return m.slash(ctx, b, e)
	case socketmode.EventTypeInteractive:
		return m.interactive(ctx, b, e)
	case socketmode.EventTypeEventsAPI:
		m.event(ctx, b, e)
	}
	return false
}

func (m *miniBot) slash(ctx context.Context, b *testBot, e socketmode.Event) bool {
	cmd := e.Data.(slack.SlashCommand)
	switch cmd.Text {
	case "help":
		_ = b.c.Ack(*e.Request, map[string]any{"text": "Usage: /handoff [lead]"})
		return true
	case "public":
		_ = b.c.Ack(*e.Request, map[string]any{"response_type": "in_channel", "text": "Handoff stats: 3 open"})
		return true
	case "later":
		_ = b.c.Ack(*e.Request)
		_, err := b.api.PostEphemeralContext(ctx, cmd.ChannelID, cmd.UserID, slack.MsgOptionText("Working on it", false))
		b.report(err)
		return true
	}
	_ = b.c.Ack(*e.Request)
	_, err := b.api.OpenViewContext(ctx, cmd.TriggerID, handoffModal(cmd.ChannelID, cmd.Text))
	b.report(err)
	return true
}

func (b *testBot) report(err error) {
	if err != nil {
		b.t.Errorf("bot: %v", err)
	}
}

func input(id, label string, el slack.BlockElement, optional bool) *slack.InputBlock {
	in := slack.NewInputBlock(id, plain(label), nil, el)
	in.Optional = optional
	return in
}

func opts(texts ...string) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	for _, t := range texts {
		out = append(out, slack.NewOptionBlockObject(strings.ToLower(t), plain(t), nil))
	}
	return out
}

func handoffModal(channel, prefill string) slack.ModalViewRequest {
	name := slack.NewPlainTextInputBlockElement(nil, "name")
	name.InitialValue = prefill
	prio := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Priority"), "prio", opts("Hot", "Warm", "Cold")...)
	prio.InitialOption = opts("Warm")[0]
	company := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, plain("Search"), "company")
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("New handoff"), Submit: plain("Hand off"), Close: plain("Cancel"),
		CallbackID: "handoff", PrivateMetadata: channel, NotifyOnClose: true,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			input("lead", "Lead name", name, false),
			input("prio", "Priority", prio, false),
			input("assignee", "Assignee", slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Who"), "user"), true),
			input("due", "Follow up", slack.NewDatePickerBlockElement("date"), true),
			input("company", "Company", company, true),
			input("email", "Email", slack.NewEmailTextInputBlockElement(nil, "email"), true),
			slack.NewActionBlock("extra", button("more", "Add details")),
		}},
	}
}

func (m *miniBot) interactive(ctx context.Context, b *testBot, e socketmode.Event) bool {
	cb := e.Data.(slack.InteractionCallback)
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		return m.submit(ctx, b, e, cb)
	case slack.InteractionTypeBlockSuggestion:
		var out []*slack.OptionBlockObject
		for _, o := range opts("Acme", "Acme Corp", "Globex") {
			if strings.Contains(strings.ToLower(o.Text.Text), strings.ToLower(cb.Value)) {
				out = append(out, o)
			}
		}
		_ = b.c.Ack(*e.Request, slack.OptionsResponse{Options: out})
		return true
	case slack.InteractionTypeViewClosed:
		m.mu.Lock()
		m.closed = append(m.closed, cb.View.CallbackID)
		m.mu.Unlock()
	case slack.InteractionTypeBlockActions:
		_ = b.c.Ack(*e.Request)
		m.action(ctx, b, cb)
		return true
	case slack.InteractionTypeShortcut, slack.InteractionTypeMessageAction:
		_ = b.c.Ack(*e.Request)
		if cb.ResponseURL != "" {
			_, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral),
				slack.MsgOptionText("Shortcut on "+cb.Message.Timestamp, false))
			b.report(err)
			return true
		}
		_, err := b.api.OpenViewContext(ctx, cb.TriggerID, handoffModal(general, ""))
		b.report(err)
		return true
	}
	return false
}

func (m *miniBot) submit(ctx context.Context, b *testBot, e socketmode.Event, cb slack.InteractionCallback) bool {
	vals := cb.View.State.Values
	m.mu.Lock()
	m.submissions = append(m.submissions, vals)
	m.mu.Unlock()
	if cb.View.CallbackID == "details" {
		_ = b.c.Ack(*e.Request, slack.NewClearViewSubmissionResponse())
		return true
	}
	switch lead := vals["lead"]["name"].Value; lead {
	case "bad":
		_ = b.c.Ack(*e.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"lead": "Name looks wrong"}))
	case "more":
		details := slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Details"), Submit: plain("Save"),
			CallbackID: "details", Blocks: slack.Blocks{BlockSet: []slack.Block{
				input("notes", "Notes", slack.NewPlainTextInputBlockElement(nil, "notes"), false)}}}
		_ = b.c.Ack(*e.Request, slack.NewUpdateViewSubmissionResponse(&details))
	default:
		_ = b.c.Ack(*e.Request)
		m.postCard(ctx, b, cb.View.PrivateMetadata, lead, vals)
	}
	return true
}

func (m *miniBot) postCard(ctx context.Context, b *testBot, channel, lead string, vals map[string]map[string]slack.BlockAction) {
	text := fmt.Sprintf("*Lead:* %s · %s · <@%s>", lead, vals["prio"]["prio"].SelectedOption.Text.Text, vals["assignee"]["user"].SelectedUser)
	n := 1
	if m.dupCards {
		n = 2
	}
	for range n {
		_, _, err := b.api.PostMessageContext(ctx, channel, slack.MsgOptionText("New handoff: "+lead, false),
			slack.MsgOptionBlocks(section(text), slack.NewActionBlock("card", button("accept", "Accept"), button("reject", "Reject"))))
		b.report(err)
	}
}

func (m *miniBot) action(ctx context.Context, b *testBot, cb slack.InteractionCallback) {
	a := cb.ActionCallback.BlockActions[0]
	switch a.ActionID {
	case "accept":
		_, _, _, err := b.api.UpdateMessageContext(ctx, cb.Container.ChannelID, cb.Container.MessageTs,
			slack.MsgOptionText("Accepted", false), slack.MsgOptionBlocks(section("*Accepted* by <@"+cb.User.ID+">")))
		b.report(err)
		_, _, err = b.api.PostMessageContext(ctx, cb.Channel.ID, slack.MsgOptionTS(cb.Container.MessageTs),
			slack.MsgOptionText("Accepted by <@"+cb.User.ID+">", false))
		b.report(err)
		_, _, err = b.api.PostMessageContext(ctx, cb.User.ID, slack.MsgOptionText("You accepted the lead", false))
		b.report(err)
	case "reject":
		_, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(cb.ResponseURL),
			slack.MsgOptionText("Rejected", false))
		b.report(err)
	case "more":
		_, err := b.api.PushViewContext(ctx, cb.TriggerID, slack.ModalViewRequest{Type: slack.VTModal,
			Title: plain("More"), Close: plain("Back"), Blocks: slack.Blocks{BlockSet: []slack.Block{section("Extra")}}})
		b.report(err)
	case "refresh":
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: cb.User.ID, View: homeView("Refreshed")})
		b.report(err)
	case "pick":
		_, err := b.api.PostEphemeralContext(ctx, cb.Channel.ID, cb.User.ID, slack.MsgOptionText("Picked "+a.SelectedOption.Value, false))
		b.report(err)
	}
}

func homeView(status string) slack.HomeTabViewRequest {
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewHeaderBlock(plain("Your handoffs")), section(status),
		slack.NewActionBlock("home", button("refresh", "Refresh")),
	}}}
}

func (m *miniBot) event(ctx context.Context, b *testBot, e socketmode.Event) {
	ev := e.Data.(slackevents.EventsAPIEvent)
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: inner.User, View: homeView("2 open")})
		b.report(err)
	case *slackevents.AppMentionEvent:
		m.mu.Lock()
		m.mentions = append(m.mentions, "app_mention")
		m.mu.Unlock()
	case *slackevents.MessageEvent:
		m.mu.Lock()
		m.mentions = append(m.mentions, "message/"+inner.ChannelType+"/"+inner.BotID)
		m.mu.Unlock()
	}
}

func (m *miniBot) snapshot() (subs []map[string]map[string]slack.BlockAction, closed, mentions []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append(subs, m.submissions...), append(closed, m.closed...), append(mentions, m.mentions...)
}
