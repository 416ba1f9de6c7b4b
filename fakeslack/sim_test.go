package fakeslack

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func startMini(t *testing.T, s *Server) *miniBot {
	t.Helper()
	m := &miniBot{}
	startBot(t, s, m.handle)
	return m
}

// The whole story: a slash command, a modal with validation errors, a
// card, a click, an update, a thread reply, a DM — and nothing else.
func TestHandoffStory(t *testing.T) {
	s := newServer(t)
	m := startMini(t, s)
	a, b := s.User(alice), s.User(bob)

	a.Slash(t, general, "/handoff help")
	a.ExpectEphemeral(t, "Usage: /handoff")

	a.Slash(t, general, "/handoff Ada")
	modal := a.ExpectModal(t)
	if modal.Title() != "New handoff" || modal.CallbackID != "handoff" || modal.PrivateMetadata != general {
		t.Fatalf("modal %v", modal)
	}
	if got := modal.Labels(); !slices.Equal(got, []string{"Lead name", "Priority", "Assignee", "Follow up", "Company", "Email"}) {
		t.Errorf("labels %q", got)
	}
	if modal.Value("Lead name") != "Ada" || modal.Value("Priority") != "Warm" {
		t.Errorf("prefill: %q, %q", modal.Value("Lead name"), modal.Value("Priority"))
	}
	if got := modal.Options("Priority"); !slices.Equal(got, []string{"Hot", "Warm", "Cold"}) {
		t.Errorf("options %q", got)
	}

	sub := modal.Fill("Lead name", "bad").Select("Priority", "Hot").Submit(t)
	if sub.ResponseAction != "errors" || sub.Errors["Lead name"] != "Name looks wrong" {
		t.Fatalf("submission %+v", sub)
	}
	if sub.View.Value("Lead name") != "bad" || sub.View.Value("Priority") != "Hot" {
		t.Error("input lost after errors")
	}

	if got := modal.Search(t, "Company", "acm"); !slices.Equal(got, []string{"Acme", "Acme Corp"}) {
		t.Errorf("search offered %q", got)
	}
	sub = modal.Fill("Lead name", "Ada Lovelace").SelectUser("Assignee", bob).SelectDate("Follow up", "2030-01-31").
		SelectExternal(t, "Company", "Acme Corp").Fill("Email", "ada@example.com").Submit(t)
	if sub.ResponseAction != "" || sub.View != nil {
		t.Fatalf("plain ack should close the modal: %+v", sub)
	}
	subs, _, _ := m.snapshot()
	got := subs[len(subs)-1]
	if got["lead"]["name"].Value != "Ada Lovelace" || got["prio"]["prio"].SelectedOption.Value != "hot" ||
		got["assignee"]["user"].SelectedUser != bob || got["due"]["date"].SelectedDate != "2030-01-31" ||
		got["company"]["company"].SelectedOption.Text.Text != "Acme Corp" || got["email"]["email"].Value != "ada@example.com" {
		t.Errorf("bot received %+v", got)
	}

	card := s.Channel(general).ExpectMessage(t, "Ada Lovelace")
	if !slices.Equal(card.Buttons(), []string{"Accept", "Reject"}) {
		t.Fatalf("buttons %q", card.Buttons())
	}
	inv := b.Click(t, card, "Accept")
	if inv.ResponseURL == "" || inv.TriggerID == "" {
		t.Errorf("invocation %+v", inv)
	}
	mustContain(t, card.ExpectUpdate(t).Text(), "*Accepted* by <@UBOB>")
	card.ExpectThreadReply(t, "Accepted by")
	b.ExpectDM(t, "You accepted")
	s.ExpectNothingElse(t)
}

func TestSubmitUpdateThenClear(t *testing.T) {
	s := newServer(t)
	m := startMini(t, s)
	a := s.User(alice)
	a.Slash(t, general, "/handoff")
	sub := a.ExpectModal(t).Fill("Lead name", "more").Submit(t)
	if sub.ResponseAction != "update" || sub.View.Title() != "Details" || sub.View.CallbackID != "details" {
		t.Fatalf("update: %+v", sub)
	}
	sub = sub.View.Fill("Notes", "call Tuesday").Submit(t)
	if sub.ResponseAction != "clear" || sub.View != nil {
		t.Fatalf("clear: %+v", sub)
	}
	if subs, _, _ := m.snapshot(); subs[1]["notes"]["notes"].Value != "call Tuesday" {
		t.Errorf("notes not submitted: %+v", subs[1])
	}
	s.ExpectNothingElse(t)
}

func TestPushCloseNotifyAndReject(t *testing.T) {
	s := newServer(t)
	m := startMini(t, s)
	a := s.User(alice)
	a.Slash(t, general, "/handoff")
	modal := a.ExpectModal(t)
	a.Click(t, modal, "Add details")
	pushed := a.ExpectModal(t)
	if pushed.Title() != "More" {
		t.Fatalf("pushed %v", pushed)
	}
	pushed.Close(t) // back to the handoff modal, no notify_on_close
	modal.Close(t)  // notify_on_close: the bot hears view_closed
	ctx := testCtx(t)
	if err := s.waitCond(ctx, func() bool { _, c, _ := m.snapshot(); return len(c) == 1 }); err != nil {
		t.Fatal(err)
	}
	if _, closed, _ := m.snapshot(); closed[0] != "handoff" {
		t.Errorf("closed %q", closed)
	}

	a.Slash(t, general, "/handoff")
	a.ExpectModal(t).Fill("Lead name", "Grace").Submit(t)
	card := s.Channel(general).ExpectMessage(t, "Grace")
	a.Click(t, card, "Reject") // the bot replaces it through response_url
	if up := card.ExpectUpdate(t); up.Text() != "Rejected" {
		t.Errorf("after reject: %q", up.Text())
	}
	s.ExpectNothingElse(t)
}

func TestSlashAckPayloadsAndEphemerals(t *testing.T) {
	s := newServer(t)
	startMini(t, s)
	a := s.User(alice)
	a.Slash(t, general, "/handoff public")
	s.Channel(general).ExpectMessage(t, "Handoff stats: 3 open")
	a.Slash(t, general, "/handoff later")
	a.ExpectEphemeral(t, "Working on it")
	s.ExpectNothingElse(t)
}

func TestShortcuts(t *testing.T) {
	s := newServer(t)
	startMini(t, s)
	a := s.User(alice)
	inv := a.GlobalShortcut(t, "handoff_new")
	if inv.ResponseURL != "" || inv.TriggerID == "" {
		t.Errorf("global shortcut invocation %+v", inv)
	}
	a.ExpectModal(t).Close(t)
	post := s.User(bob).Post(t, general, "Met Ada at the fair")
	a.MessageShortcut(t, post, "handoff_from_message")
	a.ExpectEphemeral(t, "Shortcut on "+post.TS)
	s.ExpectNothingElse(t)
}

func TestHomeTab(t *testing.T) {
	s := newServer(t)
	startMini(t, s)
	a := s.User(alice)
	home := a.OpenHome(t)
	mustContain(t, home.Text(), "2 open")
	a.Click(t, home, "Refresh")
	mustContain(t, home.ExpectUpdate(t).Text(), "Refreshed")
	if a.Home().Version != 1 {
		t.Errorf("Home() version %d", a.Home().Version)
	}
	s.ExpectNothingElse(t)
}

func TestMentionSendsBothEventsAndDMIsIM(t *testing.T) {
	s := newServer(t, WithBotMessageEvents())
	m := startMini(t, s)
	a := s.User(alice)
	a.Mention(t, general, "stats 7d")
	a.PostDM(t, "hello bot")
	api := newAPI(s, s.BotToken())
	if _, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("bot says hi", false)); err != nil {
		t.Fatal(err)
	}
	s.Channel(general).ExpectMessage(t, "bot says hi")
	want := []string{"app_mention", "message/channel/", "message/im/", "message/channel/" + s.BotID()}
	if err := s.waitCond(testCtx(t), func() bool { _, _, got := m.snapshot(); return len(got) >= len(want) }); err != nil {
		t.Fatal(err)
	}
	if _, _, got := m.snapshot(); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestSelectOnMessage(t *testing.T) {
	s := newServer(t)
	startMini(t, s)
	api := newAPI(s, s.BotToken())
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick"), "pick", opts("Red", "Blue")...)
	if _, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("choose", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("", sel))); err != nil {
		t.Fatal(err)
	}
	msg := s.Channel(general).ExpectMessage(t, "choose")
	s.User(alice).Select(t, msg, "Blue")
	s.User(alice).ExpectEphemeral(t, "Picked blue")
	s.ExpectNothingElse(t)
}

// ExpectNothingElse catches the second, duplicate card.
func TestExpectNothingElseCatchesDuplicate(t *testing.T) {
	s := newServer(t)
	m := startMini(t, s)
	m.dupCards = true
	a := s.User(alice)
	a.Slash(t, general, "/handoff")
	a.ExpectModal(t).Fill("Lead name", "Twice").Submit(t)
	s.Channel(general).ExpectMessage(t, "Twice")
	ctx := testCtx(t)
	if err := s.waitCond(ctx, func() bool { return len(s.calls) > 0 && countCalls(s, "chat.postMessage") == 2 }); err != nil {
		t.Fatal(err)
	}
	tb := &recordingTB{}
	s.ExpectNothingElse(tb)
	msg := tb.only(t)
	mustContain(t, msg, "1 unexpected")
	mustContain(t, msg, "Twice")
	mustContain(t, msg, "#general")
}

func countCalls(s *Server, method string) int {
	n := 0
	for _, c := range s.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

func TestExpectFailuresAreReported(t *testing.T) {
	s := newServer(t, WithWaitTimeout(100*time.Millisecond))
	startMini(t, s)
	api := newAPI(s, s.BotToken())
	if _, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("something else", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("", button("go", "Go")))); err != nil {
		t.Fatal(err)
	}
	tb := &recordingTB{}
	got := s.Channel(general).ExpectMessage(tb, "never posted")
	if got != nil || got.ExpectUpdate(tb) != nil || got.Text() != "" {
		t.Fatal("a failed Expect must return a nil, safe message")
	}
	if len(tb.failures) != 2 {
		t.Fatalf("failures %q", tb.failures)
	}
	mustContain(t, tb.failures[0], `"never posted"`)
	mustContain(t, tb.failures[0], "something else") // lists what did arrive

	msg := s.Channel(general).ExpectMessage(t, "something else")
	tb = &recordingTB{}
	if s.User(alice).Click(tb, msg, "Stop") != nil {
		t.Fatal("click on a missing button returned an invocation")
	}
	mustContain(t, tb.only(t), `available: ["Go"]`)
}

func TestClientSideValidationBlocksSubmit(t *testing.T) {
	s := newServer(t)
	startMini(t, s)
	a := s.User(alice)
	a.Slash(t, general, "/handoff")
	modal := a.ExpectModal(t)
	tb := &recordingTB{}
	if modal.withT(tb).Submit(tb) != nil {
		t.Fatal("submitted an empty required input")
	}
	mustContain(t, tb.only(t), `required input "Lead name" is empty`)
	tb = &recordingTB{}
	modal.withT(tb).Fill("Lead name", "Ada").Fill("Email", "not-an-email").Submit(tb)
	mustContain(t, tb.only(t), "not an email address")
	tb = &recordingTB{}
	modal.withT(tb).Select("Priority", "Lukewarm")
	mustContain(t, tb.only(t), `options: ["Hot" "Warm" "Cold"]`)
}

func TestTriggerExpiresAndIsSingleUse(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	s := newServer(t, WithClock(clock.Now))
	startBot(t, s, nil) // acks, does nothing
	api := newAPI(s, s.BotToken())
	view := handoffModal(general, "")
	ctx := testCtx(t)

	inv := s.User(alice).Slash(t, general, "/handoff")
	if _, err := api.OpenViewContext(ctx, inv.TriggerID, view); err != nil {
		t.Fatal(err)
	}
	_, err := api.OpenViewContext(ctx, inv.TriggerID, view)
	wantSlackError(t, err, "exchanged_trigger_id")

	inv = s.User(alice).Slash(t, general, "/handoff")
	clock.Advance(3100 * time.Millisecond)
	_, err = api.OpenViewContext(ctx, inv.TriggerID, view)
	wantSlackError(t, err, "expired_trigger_id")
	calls := s.Calls("views.open")
	if calls[1].Error != "exchanged_trigger_id" || calls[2].Error != "expired_trigger_id" {
		t.Errorf("recorded %q, %q", calls[1].Error, calls[2].Error)
	}
	s.User(alice).ExpectModal(t)
	s.ExpectNothingElse(t)
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestViewLimitsAndHashConflict(t *testing.T) {
	s := newServer(t)
	startBot(t, s, nil)
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	open := func(v slack.ModalViewRequest) error {
		inv := s.User(alice).Slash(t, general, "/handoff")
		_, err := api.OpenViewContext(ctx, inv.TriggerID, v)
		return err
	}
	long := handoffModal(general, "")
	long.Title = plain("A title that is far too long")
	wantSlackError(t, open(long), "invalid_arguments")
	meta := handoffModal(general, "")
	meta.PrivateMetadata = strings.Repeat("m", 3001)
	wantSlackError(t, open(meta), "invalid_arguments")
	many := slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Many")}
	for range 101 {
		many.Blocks.BlockSet = append(many.Blocks.BlockSet, slack.NewDividerBlock())
	}
	wantSlackError(t, open(many), "invalid_arguments")
	noSubmit := handoffModal(general, "")
	noSubmit.Submit = nil
	wantSlackError(t, open(noSubmit), "invalid_arguments")

	inv := s.User(alice).Slash(t, general, "/handoff")
	resp, err := api.OpenViewContext(ctx, inv.TriggerID, handoffModal(general, ""))
	if err != nil {
		t.Fatal(err)
	}
	v := s.User(alice).ExpectModal(t)
	if resp.ID != v.ID || resp.Hash != v.Hash || resp.State == nil {
		t.Fatalf("views.open reply %+v vs %v", resp.View, v)
	}
	if _, err := api.UpdateViewContext(ctx, handoffModal(general, "x"), "", "stale-hash", v.ID); err == nil {
		t.Fatal("stale hash accepted")
	} else {
		wantSlackError(t, err, "hash_conflict")
	}
	if _, err := api.UpdateViewContext(ctx, handoffModal(general, "Updated"), "", resp.Hash, v.ID); err != nil {
		t.Fatal(err)
	}
	// As in Slack, an input keeps its state across views.update while its
	// block_id and action_id stay the same: the new initial_value is ignored.
	if got := v.ExpectUpdate(t).Value("Lead name"); got != "" {
		t.Errorf("value after update: %q", got)
	}
	s.ExpectNothingElse(t)
}

func TestResponseURLFiveUses(t *testing.T) {
	s := newServer(t)
	startBot(t, s, nil)
	api := newAPI(s, s.BotToken())
	inv := s.User(alice).Slash(t, general, "/handoff")
	post := func(i int) error {
		_, _, err := api.PostMessageContext(testCtx(t), "", slack.MsgOptionResponseURL(inv.ResponseURL, slack.ResponseTypeEphemeral),
			slack.MsgOptionText("reply "+string(rune('0'+i)), false))
		return err
	}
	for i := range 5 {
		if err := post(i); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		s.User(alice).ExpectEphemeral(t, "reply "+string(rune('0'+i)))
	}
	var sc slack.StatusCodeError
	if err := post(5); !asStatus(err, &sc) || sc.Code != 404 {
		t.Fatalf("6th post: %T %v", err, err)
	}
	s.ExpectNothingElse(t)
}

func asStatus(err error, sc *slack.StatusCodeError) bool {
	e, ok := err.(slack.StatusCodeError)
	*sc = e
	return ok
}

func TestTranscriptAndRenderText(t *testing.T) {
	s := newServer(t)
	startMini(t, s)
	a := s.User(alice)
	a.Slash(t, general, "/handoff")
	a.ExpectModal(t).Fill("Lead name", "Ada").Submit(t)
	card := s.Channel(general).ExpectMessage(t, "Ada")
	s.User(bob).Click(t, card, "Accept")
	card.ExpectUpdate(t)
	card.ExpectThreadReply(t, "Accepted")
	s.User(bob).ExpectDM(t, "accepted")

	var lines []string
	for _, e := range s.Transcript() {
		lines = append(lines, e.Audience+" | "+e.Kind+" | "+strings.SplitN(e.Text, "\n", 2)[0])
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{
		"@alice | command | /handoff (in #general)",
		"@alice modal | modal | [ New handoff ]",
		"@alice | submit | [ New handoff ]",
		"#general | message | *Lead:* Ada · Warm · <@>",
		"@bob | click | [Accept] on a message in #general",
		"#general | update | *Accepted* by <@UBOB>",
		"#general | reply | Accepted by <@UBOB>",
		"DM @bob | message | You accepted the lead",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("transcript lacks %q:\n%s", want, joined)
		}
	}

	blocks := slack.Blocks{BlockSet: []slack.Block{
		slack.NewHeaderBlock(plain("Handoff")),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{plain("Lead: Ada"), plain("Priority: Hot")}, nil),
		slack.NewContextBlock("", plain("Created by Alice"), plain("today")),
		slack.NewDividerBlock(),
		slack.NewActionBlock("", button("a", "Accept"), button("r", "Reject")),
		input("lead", "Lead name", &slack.PlainTextInputBlockElement{Type: slack.METPlainTextInput, ActionID: "n", InitialValue: "Ada"}, false),
	}}
	want := "# Handoff\n  Lead: Ada\n  Priority: Hot\n  Created by Alice · today\n---\n[Accept] [Reject]\nLead name: Ada"
	if got := RenderText(blocks); got != want {
		t.Errorf("RenderText:\n%s\nwant:\n%s", got, want)
	}
}

// Every envelope the simulator sends decodes into slack-go's types with
// block_id on every action (else slack-go files it under AttachmentActions).
func TestPayloadsDecodeLikeSlack(t *testing.T) {
	s := newServer(t)
	got := make(chan slack.InteractionCallback, 10)
	startBot(t, s, func(b *testBot, e socketmode.Event) bool {
		if cb, ok := e.Data.(slack.InteractionCallback); ok {
			got <- cb
		}
		return false
	})
	api := newAPI(s, s.BotToken())
	if _, _, err := api.PostMessageContext(context.Background(), general, slack.MsgOptionText("x", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("", &slack.ButtonBlockElement{Type: slack.METButton, Text: plain("No ids")}))); err != nil {
		t.Fatal(err)
	}
	msg := s.Channel(general).ExpectMessage(t, "x")
	s.User(alice).Click(t, msg, "No ids")
	cb := recv(t, got)
	if len(cb.ActionCallback.BlockActions) != 1 || len(cb.ActionCallback.AttachmentActions) != 0 {
		t.Fatalf("actions %+v", cb.ActionCallback)
	}
	act := cb.ActionCallback.BlockActions[0]
	if act.BlockID == "" || act.ActionID == "" || cb.Container.Type != "message" || cb.Container.MessageTs != msg.TS ||
		cb.Channel.ID != general || cb.Message.Timestamp != msg.TS || cb.User.ID != alice || cb.Team.ID != s.TeamID() {
		t.Errorf("callback %+v / action %+v", cb, act)
	}
}
