package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// feedbackChannel is FEEDBACK_CHANNEL in these tests: apart from the
// handoff channel, so that a thread appearing there is the feature working.
const feedbackChannel = "CFEEDBACK"

// newFeedbackWorld is a world whose feedback threads go to #feedback.
func newFeedbackWorld(t *testing.T, opts ...e2etest.Option) *world {
	t.Helper()
	opts = append([]e2etest.Option{e2etest.Configure(func(c *config.Config) { c.FeedbackChannel = feedbackChannel })}, opts...)
	w := newWorld(t, opts...)
	w.Slack.AddChannel(fakeslack.Channel{ID: feedbackChannel, Name: "feedback", BotIsMember: true,
		Members: []string{monica, john, fox, walter, skinner, krycek}})
	return w
}

func (w *world) feedbackChannel() *fakeslack.ChannelSim { return w.Slack.Channel(feedbackChannel) }

// sendFeedback runs `/handoff feedback text` as from, picks the category
// and submits; it returns the thread root that appears in #feedback.
func (w *world) sendFeedback(from, category, text string) *fakeslack.Message {
	w.T.Helper()
	w.User(from).Slash(w.T, handoffChannel, "/handoff feedback "+text)
	form := w.User(from).ExpectModal(w.T)
	if form.Value("Feedback") != text {
		w.T.Errorf("Feedback not prefilled from the command: %s", form)
	}
	if sub := form.Select("Category", category).Submit(w.T); len(sub.Errors) > 0 {
		w.T.Fatalf("feedback refused: %v", sub.Errors)
	}
	w.User(from).ExpectEphemeral(w.T, "Sent your feedback")
	return w.feedbackChannel().ExpectMessage(w.T, escapeText(text))
}

func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// lastFeedback reads the newest feedback item from the database.
func (w *world) lastFeedback() domain.Feedback {
	w.T.Helper()
	var id int64
	if err := w.DB.SQL().QueryRow(`SELECT max(id) FROM feedback`).Scan(&id); err != nil {
		w.T.Fatal(err)
	}
	f, err := w.DB.Feedback(context.Background(), id)
	if err != nil {
		w.T.Fatal(err)
	}
	return f
}

// feedbackEvents lists an item's event kinds and actors ("replied:UMONICA").
func (w *world) feedbackEvents(id int64) string {
	w.T.Helper()
	evs, err := w.DB.FeedbackEvents(context.Background(), id)
	if err != nil {
		w.T.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind+":"+e.Actor)
	}
	return strings.Join(kinds, " ")
}

// The story of issue 5: a rep turns "customers keep asking about SSO" into
// Product feedback with the message shortcut; the thread appears in the
// feedback channel; a marketer's reply in the thread acknowledges it and
// records the response time; Resolve with "added SSO page" closes the
// loop. The rep hears of each step by DM; the root shows each state.
func TestFeedbackFromAMessageClosesTheLoop(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t)
	said := w.User(fox).Post(t, handoffChannel, "customers keep asking about SSO")
	w.User(fox).MessageShortcut(t, said, "feedback_from_message")
	form := w.User(fox).ExpectModal(t)
	if got := strings.Join(form.Labels(), ","); form.Title() != "Feedback" || got != "Category,Feedback,Campaign,Related handoff" {
		t.Errorf("modal %q with inputs %s", form.Title(), got)
	}
	if got := strings.Join(form.Options("Category"), ","); got != "Messaging,Content,Lead quality,Pricing,Competitor,Product,Other" {
		t.Errorf("categories %s", got)
	}
	if form.Value("Feedback") != "customers keep asking about SSO" {
		t.Errorf("Feedback not prefilled from the message: %s", form)
	}
	if sub := form.Select("Category", "Product").Submit(t); len(sub.Errors) > 0 {
		t.Fatalf("feedback refused: %v", sub.Errors)
	}
	root := w.feedbackChannel().ExpectMessage(t, "customers keep asking about SSO")
	mustContain(t, "thread root", root.Text(), "Product", "<@"+fox+">", "Open", said.Permalink(), "<@"+fox+">")
	if got := strings.Join(root.Buttons(), ","); got != "Acknowledge,Resolve" {
		t.Errorf("open feedback buttons = %s", got)
	}
	w.User(fox).ExpectEphemeral(t, "Sent your feedback")
	f := w.lastFeedback()
	if f.State != domain.FeedbackOpen || f.Category != "product" || f.CreatedBy != fox ||
		f.SourceAuthor != fox || f.SourcePermalink != said.Permalink() || f.RootTS != root.TS {
		t.Fatalf("saved %+v", f)
	}

	w.User(monica).Reply(t, root, "Good catch, we will add a page about it")
	acked := root.ExpectUpdate(t)
	mustContain(t, "acknowledged root", acked.Text(), "Acknowledged", "<@"+monica+">", "customers keep asking about SSO")
	if got := strings.Join(acked.Buttons(), ","); got != "Resolve" {
		t.Errorf("acknowledged feedback buttons = %s", got)
	}
	mustContain(t, "DM", w.User(fox).ExpectDM(t, "acknowledged your feedback").Text(), "<@"+monica+">", "Open the thread")
	f = w.lastFeedback()
	if f.State != domain.FeedbackAcknowledged || f.AcknowledgedBy != monica || f.AcknowledgedAt == nil ||
		f.ResponseSecs <= 0 || f.ResponseSecs > 60 {
		t.Errorf("after the reply: %+v", f)
	}

	w.User(monica).Click(t, acked, "Resolve")
	resolve := w.User(monica).ExpectModal(t)
	if got := strings.Join(resolve.Labels(), ","); got != "What changed" {
		t.Errorf("resolve modal inputs %s", got)
	}
	resolve.Fill("What changed", "added SSO page").Submit(t)
	resolved := acked.ExpectUpdate(t)
	mustContain(t, "resolved root", resolved.Text(), "Resolved", "added SSO page", "customers keep asking about SSO")
	if len(resolved.Buttons()) != 0 {
		t.Errorf("resolved feedback still has buttons %v", resolved.Buttons())
	}
	w.User(fox).ExpectDM(t, "resolved your feedback")
	f = w.lastFeedback()
	if f.State != domain.FeedbackResolved || f.Resolution != "added SSO page" || f.ResolvedBy != monica {
		t.Errorf("after resolving: %+v", f)
	}
	want := fmt.Sprintf("created:%s replied:%s acknowledged:%s resolved:%s", fox, monica, monica, monica)
	if got := w.feedbackEvents(f.ID); got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	w.Finish()
}

// replyEvent is the `message` event of a reply in root's thread, as Slack
// sends it for a person (or, with botID, for a bot).
func replyEvent(root *fakeslack.Message, user, botID, ts, text string) map[string]any {
	e := map[string]any{
		"type": "message", "channel": root.Channel, "user": user, "text": text, "ts": ts, "event_ts": ts,
		"thread_ts": root.TS, "channel_type": "channel", "team": "TFAKE",
	}
	if botID != "" {
		e["bot_id"] = botID
	}
	return e
}

func slackTS(t time.Time) string { return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000) }

// A reply event Slack redelivers (same event_id), or the same message
// under another event id, counts once: one acknowledgement, one DM. The
// bot's own message in the thread, with everyone counting as marketing
// (MARKETING_TEAM empty), acknowledges nothing; nor do its own posts and
// edits, which the fake sends back as events here.
func TestFeedbackThreadCountsARedeliveredReplyOnceAndIgnoresBots(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t, e2etest.Configure(func(c *config.Config) { c.MarketingTeam = nil }),
		e2etest.SlackOptions(fakeslack.WithBotMessageEvents()))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	root := w.sendFeedback(fox, "Pricing", "they say we cost twice the competition")
	send := func(eventID string, event map[string]any) {
		t.Helper()
		d, err := w.Slack.SendEvent(ctx, eventID, event)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.WaitAck(ctx); err != nil {
			t.Fatal(err)
		}
	}
	send("EvBOTREPLY", replyEvent(root, w.Slack.BotUserID(), w.Slack.BotID(), slackTS(time.Now()), "Noted by the bot"))
	reply := replyEvent(root, john, "", slackTS(time.Now().Add(time.Millisecond)), "On it")
	send("EvREPLY", reply)
	send("EvREPLY", reply)      // Slack's redelivery: retry_attempt 1
	send("EvREPLYAGAIN", reply) // the same message under another event id
	mustContain(t, "acknowledged root", root.ExpectUpdate(t).Text(), "Acknowledged", "<@"+john+">")
	w.User(fox).ExpectDM(t, "acknowledged your feedback")
	w.Finish() // drains the workers: a second DM would be caught here
	f := w.lastFeedback()
	want := fmt.Sprintf("created:%s replied:%s acknowledged:%s", fox, john, john)
	if got := w.feedbackEvents(f.ID); got != want || f.AcknowledgedBy != john {
		t.Errorf("events %q (acknowledged by %s), want %q", got, f.AcknowledgedBy, want)
	}
}

// Text people type shows as typed, never pinging anyone; the Feedback
// input refuses emptiness; feedback as long as allowed, which escaping
// makes longer than a Slack section, is cut to fit instead of failing.
func TestFeedbackIsEscapedAndKeptWithinSlackLimits(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t)
	w.User(fox).Slash(t, handoffChannel, "/handoff feedback")
	form := w.User(fox).ExpectModal(t)
	sub := form.Select("Category", "Competitor").Fill("Feedback", "   ").Submit(t)
	if !strings.Contains(sub.Errors["Feedback"], "cannot be empty") {
		t.Fatalf("blank feedback: errors %v", sub.Errors)
	}
	head := "<!channel> <@U0MGR> & <https://evil.example|click> "
	long := head + strings.Repeat("<&>", (domain.MaxFeedback-len(head))/3)
	if sub := form.Fill("Feedback", long).Fill("Campaign", "<!here> Q3 & co").Submit(t); len(sub.Errors) > 0 {
		t.Fatalf("feedback at the limit refused: %v", sub.Errors)
	}
	w.User(fox).ExpectEphemeral(t, "Sent your feedback")
	root := w.feedbackChannel().ExpectMessage(t, "Competitor")
	var shown strings.Builder
	shown.WriteString(root.Text())
	for _, b := range root.Blocks().BlockSet {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			if n := len([]rune(s.Text.Text)); n > 3000 {
				t.Errorf("section of %d characters", n)
			}
			if strings.Contains(s.Text.Text, "&lt;&amp;&gt;") && !strings.HasSuffix(s.Text.Text, "…") {
				t.Errorf("the long text was not visibly cut")
			}
		}
	}
	mustContain(t, "root", shown.String(), "&lt;!channel&gt; &lt;@U0MGR&gt; &amp; &lt;https://evil.example|click&gt;", "&lt;!here&gt; Q3 &amp; co")
	for _, raw := range []string{"<!channel>", "<@U0MGR>", "<https://evil.example", "<!here>"} {
		if strings.Contains(shown.String(), raw) {
			t.Errorf("root contains unescaped %q", raw)
		}
	}
	if f := w.lastFeedback(); f.Text != long || f.Campaign != "<!here> Q3 & co" {
		t.Errorf("saved text differs from what was typed: %q / %q", f.Text[:40], f.Campaign)
	}
	w.Finish()
}

// The "Give feedback" button of a card prefills Related handoff; feedback
// on a handoff is also a reply under its card, and the owner's App Home
// counts it. The Related handoff search finds handoffs by lead name.
func TestFeedbackOnAHandoffShowsOnItsCardAndInAppHome(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t)
	card := w.HandOffToFox("Dana Scully (FBI)")
	h := w.onlyHandoff()

	w.User(fox).Click(t, card, "Give feedback")
	form := w.User(fox).ExpectModal(t)
	if got := form.Value("Related handoff"); !strings.Contains(got, "Dana Scully") {
		t.Errorf("Related handoff = %q, want the card's handoff", got)
	}
	form.Select("Category", "Lead quality").Fill("Feedback", "The phone number was wrong").Submit(t)
	root := w.feedbackChannel().ExpectMessage(t, "The phone number was wrong")
	mustContain(t, "root", root.Text(), "Lead quality", fmt.Sprintf("#%d Dana Scully", h.ID))
	card.ExpectThreadReply(t, "gave feedback on this handoff")
	w.User(fox).ExpectEphemeral(t, "Sent your feedback")
	w.expectHome(fox, func(home string) bool { return strings.Contains(home, "1 feedback") })

	w.User(walter).Slash(t, handoffChannel, "/handoff feedback")
	second := w.User(walter).ExpectModal(t)
	offered := second.Search(t, "Related handoff", "scully")
	if len(offered) != 1 || !strings.Contains(offered[0], "Dana Scully") {
		t.Fatalf("search for scully offered %q", offered)
	}
	second.Select("Related handoff", offered[0]).Select("Category", "Messaging").Fill("Feedback", "They liked the webinar")
	if sub := second.Submit(t); len(sub.Errors) > 0 {
		t.Fatalf("refused: %v", sub.Errors)
	}
	w.feedbackChannel().ExpectMessage(t, "They liked the webinar")
	card.ExpectThreadReply(t, "<@"+walter+"> gave feedback")
	w.User(walter).ExpectEphemeral(t, "Sent your feedback")
	w.expectHome(fox, func(home string) bool { return strings.Contains(home, "2 feedback") })
	w.Finish()
}

// Only marketing acknowledges; `/handoff feedback list` shows a rep their
// own open feedback and a marketer everyone's, oldest first.
func TestFeedbackListAndWhoMayRespond(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t)
	pricing := w.sendFeedback(fox, "Pricing", "too expensive for small teams")
	w.sendFeedback(walter, "Content", "we need a case study in retail")

	w.User(krycek).Click(t, pricing, "Acknowledge")
	w.User(krycek).ExpectEphemeral(t, "Only someone in Marketing can acknowledge")
	if f := w.lastFeedback(); f.State != domain.FeedbackOpen {
		t.Errorf("an outsider moved feedback: %+v", f)
	}

	w.User(fox).Slash(t, handoffChannel, "/handoff feedback list")
	mine := w.User(fox).ExpectEphemeral(t, "Your open feedback").Text()
	mustContain(t, "fox's list", mine, "too expensive for small teams", "Open the thread", "old")
	if strings.Contains(mine, "case study") {
		t.Errorf("a rep sees others' feedback:\n%s", mine)
	}
	w.User(monica).Slash(t, handoffChannel, "/handoff feedback list")
	all := w.User(monica).ExpectEphemeral(t, "Open feedback").Text()
	if i, j := strings.Index(all, "too expensive"), strings.Index(all, "case study"); i < 0 || j < i {
		t.Errorf("marketer's list is not everyone's, oldest first:\n%s", all)
	}

	w.User(john).Click(t, pricing, "Acknowledge")
	mustContain(t, "acknowledged root", pricing.ExpectUpdate(t).Text(), "Acknowledged", "<@"+john+">")
	w.User(fox).ExpectDM(t, "acknowledged your feedback")
	w.Finish()
}
