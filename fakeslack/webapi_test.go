package fakeslack

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func newAPI(s *Server, token string) *slack.Client {
	return slack.New(token, slack.OptionAppLevelToken(s.AppToken()), slack.OptionAPIURL(s.APIURL()))
}

func TestAuthTestAndTokenRules(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	resp, err := newAPI(s, s.BotToken()).AuthTestContext(ctx)
	if err != nil || resp.UserID != s.BotUserID() || resp.BotID != s.BotID() || resp.TeamID != s.TeamID() {
		t.Fatalf("auth.test = %+v, %v", resp, err)
	}
	s.RevokeToken("xoxb-old")
	for token, want := range map[string]string{
		"":            "not_authed",
		"xoxb-wrong":  "invalid_auth",
		s.AppToken():  "not_allowed_token_type",
		"xoxb-old":    "token_revoked",
		"xoxp-person": "invalid_auth",
	} {
		_, err := newAPI(s, token).AuthTestContext(ctx)
		wantSlackError(t, err, want)
	}
	// apps.connections.open wants the app token, not the bot token.
	_, _, err = slack.New(s.BotToken(), slack.OptionAppLevelToken(s.BotToken()), slack.OptionAPIURL(s.APIURL())).
		StartSocketModeContext(ctx)
	wantSlackError(t, err, "not_allowed_token_type")
}

func TestUnknownMethod(t *testing.T) {
	s := newServer(t)
	_, err := newAPI(s, s.BotToken()).SetTopicOfConversationContext(testCtx(t), general, "topic")
	wantSlackError(t, err, "unknown_method")
}

func TestFaults(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	info := func() error { _, err := api.GetUserInfoContext(ctx, alice); return err }

	s.Fault("users.info", Fault{Times: 1, RetryAfter: 1500 * time.Millisecond})
	var rl *slack.RateLimitedError
	if err := info(); !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("429: got %T %v", err, err)
	}
	if err := info(); err != nil {
		t.Fatalf("after Times: 1 the call should succeed: %v", err)
	}

	s.Fault("users.info", Fault{Times: 1, Status: http.StatusTooManyRequests})
	var sc429 slack.StatusCodeError
	if err := info(); !errors.As(err, &sc429) || sc429.Code != 429 {
		t.Fatalf("429 without Retry-After: got %T %v", err, err)
	}

	s.Fault("*", Fault{Status: http.StatusInternalServerError})
	var sc slack.StatusCodeError
	if err := info(); !errors.As(err, &sc) || sc.Code != 500 {
		t.Fatalf("500: got %T %v", err, err)
	}
	s.ClearFaults()

	s.Fault("users.info", Fault{Times: 2, Error: "ratelimited"})
	wantSlackError(t, info(), "ratelimited")
	wantSlackError(t, info(), "ratelimited")
	if err := info(); err != nil {
		t.Fatal(err)
	}

	s.Fault("users.info", Fault{Times: 1, Latency: 150 * time.Millisecond})
	start := time.Now()
	if err := info(); err != nil || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("latency: %v after %v", err, time.Since(start))
	}
	calls := s.Calls("users.info")
	if len(calls) != 8 || calls[0].Status != 429 || calls[3].Status != 500 || calls[4].Error != "ratelimited" {
		t.Errorf("recorded calls: %+v", calls)
	}
}

func TestPostMessageRefusals(t *testing.T) {
	s := newServer(t)
	s.AddChannel(Channel{ID: "CNOBOT", Name: "nobot"})
	s.AddChannel(Channel{ID: "GSECRET", Name: "secret", Private: true})
	api := newAPI(s, s.BotToken())
	blocks := func(n int, b slack.Block) slack.MsgOption {
		bs := make([]slack.Block, n)
		for i := range bs {
			bs[i] = b
		}
		return slack.MsgOptionBlocks(bs...)
	}
	actions := func(n int) slack.Block {
		els := make([]slack.BlockElement, n)
		for i := range els {
			els[i] = button("b"+strings.Repeat("x", i), "B")
		}
		return slack.NewActionBlock("", els...)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick"), "pick",
		slack.NewOptionBlockObject("v", plain(strings.Repeat("o", 76)), nil))
	for _, tc := range []struct {
		name, channel, want string
		opts                []slack.MsgOption
	}{
		{"51 blocks", general, "invalid_blocks", []slack.MsgOption{blocks(51, slack.NewDividerBlock())}},
		{"section text", general, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(section(strings.Repeat("s", 3001)))}},
		{"button text", general, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewActionBlock("", button("a", strings.Repeat("b", 76))))}},
		{"header", general, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewHeaderBlock(plain(strings.Repeat("h", 151))))}},
		{"26 actions", general, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(actions(26))}},
		{"option text", general, "invalid_blocks", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewActionBlock("", sel))}},
		{"text too long", general, "msg_too_long", []slack.MsgOption{slack.MsgOptionText(strings.Repeat("t", 40001), false)}},
		{"no text", general, "no_text", nil},
		{"unknown channel", "CNOPE", "channel_not_found", []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{"not a member", "CNOBOT", "not_in_channel", []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{"private, not a member", "GSECRET", "channel_not_found", []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{"unknown thread", general, "thread_not_found", []slack.MsgOption{slack.MsgOptionText("hi", false), slack.MsgOptionTS("1.000001")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := api.PostMessageContext(testCtx(t), tc.channel, tc.opts...)
			wantSlackError(t, err, tc.want)
		})
	}
	// duplicate block ids: two dividers built with the same explicit id
	_, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionBlocks(
		slack.NewDividerBlock(), &slack.DividerBlock{Type: slack.MBTDivider, BlockID: "same"}, &slack.DividerBlock{Type: slack.MBTDivider, BlockID: "same"}))
	wantSlackError(t, err, "invalid_blocks")
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && len(se.ResponseMetadata.Messages) == 0 {
		t.Error("invalid_blocks should explain itself in response_metadata.messages")
	}
	s.ExpectNothingElse(t)
}

func TestChatPublicScopeAndRemovedBot(t *testing.T) {
	s := newServer(t, WithChatWritePublic())
	s.AddChannel(Channel{ID: "CPUB", Name: "public"})
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	if _, _, err := api.PostMessageContext(ctx, "CPUB", slack.MsgOptionText("public post", false)); err != nil {
		t.Fatalf("chat:write.public: %v", err)
	}
	s.Channel("CPUB").ExpectMessage(t, "public post")
	s.AddChannel(Channel{ID: "GPRIV", Name: "priv", Private: true, BotIsMember: true})
	s.RemoveBotFromChannel("GPRIV")
	_, _, err := api.PostMessageContext(ctx, "GPRIV", slack.MsgOptionText("x", false))
	wantSlackError(t, err, "channel_not_found")
}

func TestMessageLifecycle(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	ch, ts, err := api.PostMessageContext(ctx, general, slack.MsgOptionText("fallback", false),
		slack.MsgOptionBlocks(section("*Lead* Ada"), slack.NewActionBlock("", button("accept", "Accept"))))
	if err != nil {
		t.Fatal(err)
	}
	msg := s.Channel(general).ExpectMessage(t, "*Lead* Ada")
	if msg.Channel != ch || msg.TS != ts || msg.User != s.BotUserID() {
		t.Errorf("message %+v", msg)
	}
	if got := msg.Text(); got != "fallback\n*Lead* Ada\nAccept" {
		t.Errorf("Text() = %q", got)
	}
	for _, b := range msg.Blocks().BlockSet {
		if b.ID() == "" {
			t.Errorf("block %s has no generated block_id", b.BlockType())
		}
	}
	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch, Ts: ts})
	if err != nil || link != msg.Permalink() || !strings.Contains(link, "/archives/"+general+"/p") {
		t.Fatalf("permalink %q (%v), want %q", link, err, msg.Permalink())
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("Accepted", false)); err != nil {
		t.Fatal(err)
	}
	up := msg.ExpectUpdate(t)
	if up.Text() != "Accepted" || len(up.Buttons()) != 0 || msg.Latest().Version != 1 {
		t.Errorf("update: %q %v", up.Text(), up.Buttons())
	}
	if _, _, err := api.PostMessageContext(ctx, ch, slack.MsgOptionText("in thread", false), slack.MsgOptionTS(ts)); err != nil {
		t.Fatal(err)
	}
	msg.ExpectThreadReply(t, "in thread")
	if _, _, err := api.DeleteMessageContext(ctx, ch, ts); err != nil {
		t.Fatal(err)
	}
	if !msg.Deleted() {
		t.Error("not deleted")
	}
	_, _, _, err = api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("again", false))
	wantSlackError(t, err, "message_not_found")
	userMsg := s.User(alice).Post(t, general, "hello")
	_, _, _, err = api.UpdateMessageContext(ctx, general, userMsg.TS, slack.MsgOptionText("hijack", false))
	wantSlackError(t, err, "cant_update_message")
	s.ExpectNothingElse(t)
}

func TestPostToUserIDLandsInDM(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	ch, _, err := api.PostMessageContext(ctx, alice, slack.MsgOptionText("Your lead was accepted", false))
	if err != nil {
		t.Fatal(err)
	}
	dm, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{alice}})
	if err != nil || dm.ID != ch || ch != s.User(alice).DMChannel() || !strings.HasPrefix(ch, "D") {
		t.Fatalf("DM ids: post %s, open %v (%v)", ch, dm, err)
	}
	s.User(alice).ExpectDM(t, "accepted")
	if _, err := api.PostEphemeralContext(ctx, general, bob, slack.MsgOptionText("only for bob", false)); err != nil {
		t.Fatal(err)
	}
	s.User(bob).ExpectEphemeral(t, "only for bob")
	s.ExpectNothingElse(t)
}

func TestDirectoryMethods(t *testing.T) {
	s := newServer(t)
	s.AddUser(User{ID: "UGONE", Name: "gone", Deleted: true})
	s.AddUserGroup("SMANAGERS", "managers", alice, bob)
	s.AddChannel(Channel{ID: "CTEAM", Name: "team", Members: []string{alice}, BotIsMember: true})
	api := newAPI(s, s.BotToken())
	ctx := testCtx(t)
	u, err := api.GetUserInfoContext(ctx, alice)
	if err != nil || u.Profile.Email != "alice@example.com" || u.RealName != "Alice Adams" || u.IsBot {
		t.Fatalf("users.info: %+v %v", u, err)
	}
	if u, err := api.GetUserInfoContext(ctx, "UGONE"); err != nil || !u.Deleted {
		t.Fatalf("deleted user: %+v %v", u, err)
	}
	_, err = api.GetUserInfoContext(ctx, "UNOBODY")
	wantSlackError(t, err, "user_not_found")
	users, err := api.GetUsersContext(ctx)
	if err != nil || len(users) != 4 {
		t.Fatalf("users.list: %d users, %v", len(users), err)
	}
	members, err := api.GetUserGroupMembersContext(ctx, "SMANAGERS")
	if err != nil || strings.Join(members, ",") != alice+","+bob {
		t.Fatalf("usergroups.users.list: %v %v", members, err)
	}
	_, err = api.GetUserGroupMembersContext(ctx, "SNOPE")
	wantSlackError(t, err, "no_such_subteam")
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "CTEAM"})
	if err != nil || info.Name != "team" || !info.IsMember {
		t.Fatalf("conversations.info: %+v %v", info, err)
	}
	ids, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "CTEAM"})
	if err != nil || strings.Join(ids, ",") != alice+","+s.BotUserID() {
		t.Fatalf("conversations.members: %v %v", ids, err)
	}
	_, _, _, err = api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"UGONE"}})
	wantSlackError(t, err, "user_disabled")
}

func TestFileUploadThreeSteps(t *testing.T) {
	s := newServer(t)
	api := newAPI(s, s.BotToken())
	data := "external_id,lead_name\nx1,Ada\n"
	f, err := api.UploadFileContext(testCtx(t), slack.UploadFileParameters{
		Filename: "handoffs.csv", FileSize: len(data), Reader: strings.NewReader(data),
		Title: "Handoffs export", Channel: general, InitialComment: "Here is your export",
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := s.Channel(general).ExpectMessage(t, "Here is your export")
	files := msg.Files()
	if len(files) != 1 || files[0].ID != f.ID || files[0].Title != "Handoffs export" || string(files[0].Content) != data {
		t.Fatalf("files: %+v", files)
	}
	if up := s.Calls("files.upload"); len(up) != 1 || up[0].Token != s.BotToken() {
		t.Errorf("upload calls: %+v", up)
	}
	mustContain(t, msg.Text(), "[file: Handoffs export]")
	s.ExpectNothingElse(t)
}
