package fakeslack

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// actionBot answers block_actions with reply(cb) and acks everything.
func actionBot(t *testing.T, s *Server, reply func(api *slack.Client, cb slack.InteractionCallback)) {
	t.Helper()
	startBot(t, s, func(b *testBot, e socketmode.Event) bool {
		if cb, ok := e.Data.(slack.InteractionCallback); ok && cb.Type == slack.InteractionTypeBlockActions {
			_ = b.c.Ack(*e.Request)
			reply(b.api, cb)
			return true
		}
		return false
	})
}

func TestEphemeralClickReplaceThenDelete(t *testing.T) {
	s := newServer(t)
	seen := make(chan slack.InteractionCallback, 4)
	actionBot(t, s, func(api *slack.Client, cb slack.InteractionCallback) {
		seen <- cb
		opt := slack.MsgOptionReplaceOriginal(cb.ResponseURL)
		if cb.ActionCallback.BlockActions[0].ActionID == "dismiss" {
			opt = slack.MsgOptionDeleteOriginal(cb.ResponseURL)
		}
		_, _, err := api.PostMessageContext(context.Background(), "", opt,
			slack.MsgOptionText("Snoozed", false), slack.MsgOptionBlocks(slack.NewActionBlock("", button("dismiss", "Dismiss"))))
		if err != nil {
			t.Errorf("response_url: %v", err)
		}
	})
	api := newAPI(s, s.BotToken())
	if _, err := api.PostEphemeralContext(testCtx(t), general, alice, slack.MsgOptionText("Reminder", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("", button("snooze", "Snooze")))); err != nil {
		t.Fatal(err)
	}
	a := s.User(alice)
	eph := a.ExpectEphemeral(t, "Snooze")
	a.Click(t, eph, "Snooze")
	cb := recv(t, seen)
	if !cb.Container.IsEphemeral || cb.Message.Timestamp != "" || cb.Channel.ID != general {
		t.Errorf("ephemeral click payload: container %+v, message ts %q", cb.Container, cb.Message.Timestamp)
	}
	up := eph.ExpectUpdate(t)
	if up.Text() != "Snoozed\nDismiss" {
		t.Errorf("replaced ephemeral: %q", up.Text())
	}
	a.Click(t, up, "Dismiss")
	eph.ExpectDeleted(t)
	if !eph.Deleted() {
		t.Error("ephemeral not deleted")
	}
	s.ExpectNothingElse(t)
}

func TestOverflowAndThreadBroadcast(t *testing.T) {
	s := newServer(t)
	actionBot(t, s, func(api *slack.Client, cb slack.InteractionCallback) {
		a := cb.ActionCallback.BlockActions[0]
		_, _, err := api.PostMessageContext(context.Background(), cb.Channel.ID, slack.MsgOptionTS(cb.Container.MessageTs),
			slack.MsgOptionBroadcast(), slack.MsgOptionText("Chose "+a.SelectedOption.Value+" via "+string(a.Type), false))
		if err != nil {
			t.Errorf("post: %v", err)
		}
	})
	api := newAPI(s, s.BotToken())
	menu := slack.NewOverflowBlockElement("more", opts("Snooze", "Reassign")...)
	if _, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("card", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(plain("Card"), nil, slack.NewAccessory(menu)))); err != nil {
		t.Fatal(err)
	}
	card := s.Channel(general).ExpectMessage(t, "Card")
	s.User(bob).ChooseOverflow(t, card, "Reassign")
	// a broadcast reply shows in the channel, so ExpectMessage finds it
	reply := s.Channel(general).ExpectMessage(t, "Chose reassign via overflow")
	if reply.ThreadTS != card.TS {
		t.Errorf("broadcast reply thread %q, want %q", reply.ThreadTS, card.TS)
	}
	if got := s.Channel(general).Replies(card.TS); len(got) != 1 {
		t.Errorf("Replies = %d", len(got))
	}
	s.ExpectNothingElse(t)
}

func TestViewsByExternalIDAndPushLimit(t *testing.T) {
	s := newServer(t)
	startBot(t, s, nil)
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	a := s.User(alice)
	simple := func(title string) slack.ModalViewRequest {
		return slack.ModalViewRequest{Type: slack.VTModal, Title: plain(title), ExternalID: "ext-1",
			Blocks: slack.Blocks{BlockSet: []slack.Block{section(title)}}}
	}
	inv := a.Slash(t, general, "/handoff")
	if _, err := api.OpenViewContext(ctx, inv.TriggerID, simple("First")); err != nil {
		t.Fatal(err)
	}
	v := a.ExpectModal(t)
	if _, err := api.UpdateViewContext(ctx, simple("Second"), "ext-1", "", ""); err != nil {
		t.Fatal(err)
	}
	if got := v.ExpectUpdate(t).Title(); got != "Second" {
		t.Errorf("title after update by external_id: %q", got)
	}
	inv = a.Slash(t, general, "/handoff")
	_, err := api.OpenViewContext(ctx, inv.TriggerID, simple("Dup"))
	wantSlackError(t, err, "duplicate_external_id")
	noExt := func(title string) slack.ModalViewRequest { m := simple(title); m.ExternalID = ""; return m }
	for i := range 2 {
		inv = a.Slash(t, general, "/handoff")
		if _, err := api.PushViewContext(ctx, inv.TriggerID, noExt("Push")); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		a.ExpectModal(t)
	}
	inv = a.Slash(t, general, "/handoff")
	_, err = api.PushViewContext(ctx, inv.TriggerID, noExt("Too many"))
	wantSlackError(t, err, "push_limit_reached")
	s.ExpectNothingElse(t)
}

func TestModalChoicesAndViewActions(t *testing.T) {
	s := newServer(t)
	got := make(chan slack.InteractionCallback, 4)
	startBot(t, s, func(b *testBot, e socketmode.Event) bool {
		if cb, ok := e.Data.(slack.InteractionCallback); ok {
			got <- cb
		}
		return false
	})
	api := newAPI(s, s.BotToken())
	radio := slack.NewRadioButtonsBlockElement("r", opts("Sales", "Marketing")...)
	boxes := slack.NewCheckboxGroupsBlockElement("c", opts("Email", "Call", "Meeting")...)
	num := slack.NewNumberInputBlockElement(nil, "n", false)
	view := slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Choices"), Submit: plain("Go"), CallbackID: "choices",
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			input("to", "Hand off to", radio, false),
			input("touch", "Touches", boxes, true),
			input("score", "Score", num, true),
			slack.NewActionBlock("acts", button("preview", "Preview")),
		}}}
	a := s.User(alice)
	inv := a.Slash(t, general, "/handoff")
	if _, err := api.OpenViewContext(testCtx(t), inv.TriggerID, view); err != nil {
		t.Fatal(err)
	}
	v := a.ExpectModal(t).Select("Hand off to", "Marketing").Select("Touches", "Email").Select("Touches", "Meeting").Fill("Score", "42")
	if v.Value("Touches") != "Email, Meeting" {
		t.Errorf("checkboxes value %q", v.Value("Touches"))
	}
	a.Click(t, v, "Preview")
	cb := recv(t, got)
	if cb.Container.Type != "view" || cb.Container.ViewID != v.ID || cb.ResponseURL != "" || cb.TriggerID == "" {
		t.Errorf("view click: container %+v, response_url %q", cb.Container, cb.ResponseURL)
	}
	if cb.View.State.Values["to"]["r"].SelectedOption.Value != "marketing" {
		t.Errorf("view state in block_actions: %+v", cb.View.State.Values)
	}
	v.Submit(t)
	cb = recv(t, got)
	vals := cb.View.State.Values
	var touches []string
	for _, o := range vals["touch"]["c"].SelectedOptions {
		touches = append(touches, o.Value)
	}
	if cb.Type != slack.InteractionTypeViewSubmission || vals["score"]["n"].Value != "42" || !slices.Equal(touches, []string{"email", "meeting"}) {
		t.Errorf("submission %s: %+v", cb.Type, vals)
	}
	s.ExpectNothingElse(t)
}

func TestSubscriptionsAndForget(t *testing.T) {
	s := newServer(t, WithEventSubscriptions("app_mention", "message.im"))
	b := startBot(t, s, nil)
	a := s.User(alice)
	a.Post(t, general, "not for the bot") // message.channels is not subscribed
	a.PostDM(t, "for the bot")
	ev := b.next(socketmode.EventTypeEventsAPI).Data.(slackevents.EventsAPIEvent)
	if msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); !ok || msg.ChannelType != "im" || msg.Text != "for the bot" {
		t.Fatalf("first event %+v", ev.InnerEvent.Data)
	}
	// events go out in order, so a channel event would have come first
	if n := len(s.sock.eventDeliveries(s)); n != 1 {
		t.Errorf("%d events sent, want only the DM's", n)
	}
	api := newAPI(s, s.BotToken())
	if _, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("setup noise", false)); err != nil {
		t.Fatal(err)
	}
	s.Forget()
	s.ExpectNothingElse(t)
	if u, err := api.GetUserByEmailContext(testCtx(t), "BOB@example.com"); err != nil || u.ID != bob {
		t.Errorf("lookupByEmail: %v %v", u, err)
	}
}

// eventDeliveries lists events_api deliveries; a test helper.
func (st *socketState) eventDeliveries(s *Server) []*Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Delivery
	for _, d := range st.byEnv {
		if d.Type == "events_api" {
			out = append(out, d)
		}
	}
	return out
}

func TestEventRetriesStopAfterThree(t *testing.T) {
	s := newServer(t, WithAckTimeout(50*time.Millisecond), WithRedeliverySchedule(0, 0, 0))
	got := make(chan int, 10)
	startBot(t, s, func(b *testBot, e socketmode.Event) bool {
		if e.Type == socketmode.EventTypeEventsAPI {
			got <- e.Request.RetryAttempt
			return true // never ack
		}
		return false
	})
	d, err := s.SendEvent(testCtx(t), "EvNeverAcked", map[string]any{
		"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home", "event_ts": "1.6",
	})
	if err != nil {
		t.Fatal(err)
	}
	var attempts []int
	for range 4 {
		attempts = append(attempts, recv(t, got))
	}
	if !slices.Equal(attempts, []int{0, 1, 2, 3}) {
		t.Errorf("retry_attempt sequence %v", attempts)
	}
	if err := s.waitCond(testCtx(t), func() bool { return d.group.exhausted }); err != nil {
		t.Fatal(err)
	}
	if n := len(d.Attempts()); n != 4 {
		t.Errorf("%d attempts, want 4 (the original and 3 retries)", n)
	}
}
