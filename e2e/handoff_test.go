package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// events lists a handoff's event kinds from the database.
func (w *world) events(id int64) string {
	w.T.Helper()
	evs, err := w.DB.HandoffEvents(context.Background(), id)
	if err != nil {
		w.T.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return strings.Join(kinds, " ")
}

// expectHome waits for user's App Home to be republished in a way that
// satisfies ok (earlier refreshes may still be arriving).
func (w *world) expectHome(user string, ok func(text string) bool) {
	w.T.Helper()
	for range 10 {
		if home := w.User(user).ExpectHomeUpdate(w.T); home == nil || ok(home.Text()) {
			return
		}
	}
	w.T.Errorf("App Home of %s never showed what was expected:\n%s", user, w.User(user).Home().Text())
}

func (w *world) onlyHandoff() domain.Handoff {
	w.T.Helper()
	var id int64
	if err := w.DB.SQL().QueryRow(`SELECT max(id) FROM handoffs`).Scan(&id); err != nil {
		w.T.Fatal(err)
	}
	h, err := w.DB.Handoff(context.Background(), id)
	if err != nil {
		w.T.Fatal(err)
	}
	return h
}

// The user story of issue 3: a marketer hands Dana Scully (FBI) to sales;
// the assignee accepts, logs the first touch, qualifies and wins; the card,
// its thread, the DMs, the events and App Home agree at every step.
func TestHandoffLifecycleStory(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	card := w.HandOff(monica, "Dana Scully (FBI) dana.scully@fbi.example", func(f *fakeslack.View) {
		if f.Value("Lead name") != "Dana Scully" || f.Value("Company") != "FBI" || f.Value("Email") != "dana.scully@fbi.example" {
			t.Errorf("form not prefilled from the command: %s", f)
		}
		f.Select("Hand off to", "Sales").SelectUser("Assignee", fox).Select("Priority", "Hot")
	})
	mustContain(t, "new card", card.Text(), "Dana Scully — FBI", "Pending", "<@"+fox+">", "Sales", "Hot", "Accept by")
	if got := strings.Join(card.Buttons(), ","); got != "Accept,Reject,Reassign,Give feedback" {
		t.Errorf("pending card buttons = %s", got)
	}
	w.User(fox).ExpectDM(t, "handed you a lead")
	w.User(monica).ExpectEphemeral(t, "Handed off")
	h := w.onlyHandoff()
	if h.State != domain.StatePending || h.Assignee != fox || h.CreatedBy != monica || w.events(h.ID) != "created" {
		t.Fatalf("after creation: %+v, events %s", h, w.events(h.ID))
	}
	home := w.User(fox).OpenHome(t)
	mustContain(t, "owner's App Home", home.Text(), "Dana Scully", "Pending")

	steps := []struct {
		button, state, thread, events string
		creatorDM                     string
		buttons                       string
	}{
		{"Accept", "Accepted", "accepted it", "created accepted", "accepted your handoff", "Log first touch,Return to marketing,Lost,Give feedback"},
		{"Log first touch", "Contacted", "logged the first touch", "created accepted contacted", "", "Qualified,Return to marketing,Lost,Give feedback"},
		{"Qualified", "Qualified", "qualified it", "created accepted contacted qualified", "", "Won,Lost,Give feedback"},
		{"Won", "Won", "won it", "created accepted contacted qualified won", "won your handoff", ""},
	}
	for _, s := range steps {
		w.User(fox).Click(t, card.Latest(), s.button)
		updated := card.ExpectUpdate(t)
		mustContain(t, "card after "+s.button, updated.Text(), s.state)
		if got := strings.Join(updated.Buttons(), ","); got != s.buttons {
			t.Errorf("after %s buttons = %q, want %q", s.button, got, s.buttons)
		}
		card.ExpectThreadReply(t, s.thread)
		if s.creatorDM != "" {
			w.User(monica).ExpectDM(t, s.creatorDM)
		}
		if got := w.events(h.ID); got != s.events {
			t.Errorf("after %s events = %q, want %q", s.button, got, s.events)
		}
		w.expectHome(fox, func(home string) bool {
			if s.state == "Won" {
				return !strings.Contains(home, "Dana Scully") // closed: off the queue
			}
			return strings.Contains(home, "*"+s.state+"*") && strings.Contains(home, "Dana Scully")
		})
	}
	w.Finish()
}

func TestRejectWithReason(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	card := w.HandOffToFox("Alex Krycek (Consortium)")
	w.User(fox).Click(t, card, "Reject")
	reason := w.User(fox).ExpectModal(t)
	reason.Select("Reason", "No budget").Fill("Note", "Budget frozen until Q3")
	reason.Submit(t)
	mustContain(t, "rejected card", card.ExpectUpdate(t).Text(), "Rejected", "No budget", "Budget frozen until Q3")
	card.ExpectThreadReply(t, "rejected it: No budget")
	w.User(monica).ExpectDM(t, "rejected your handoff")
	h := w.onlyHandoff()
	if h.State != domain.StateRejected || h.RejectReason != "no_budget" || h.ReasonNote != "Budget frozen until Q3" {
		t.Errorf("rejected handoff: %+v", h)
	}
	w.Finish()
}

func TestReturnToMarketingAndLostNeedsANoteForOther(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	card := w.HandOffToFox("Jeffrey Spender")
	w.User(fox).Click(t, card, "Accept")
	card.ExpectUpdate(t)
	card.ExpectThreadReply(t, "accepted it")
	w.User(monica).ExpectDM(t, "accepted your handoff")

	w.User(fox).Click(t, card.Latest(), "Lost")
	lost := w.User(fox).ExpectModal(t)
	sub := lost.Select("Reason", "Other").Submit(t)
	if !strings.Contains(sub.Errors["Note"], "needs a note") {
		t.Fatalf("Lost/Other without a note: errors %v", sub.Errors)
	}
	lost.Close(t)

	w.User(fox).Click(t, card.Latest(), "Return to marketing")
	ret := w.User(fox).ExpectModal(t)
	ret.Select("Reason", "Not ready (timing)").Submit(t)
	mustContain(t, "returned card", card.ExpectUpdate(t).Text(), "Returned", "Not ready")
	card.ExpectThreadReply(t, "returned it to marketing")
	w.User(monica).ExpectDM(t, "returned to marketing")
	if h := w.onlyHandoff(); h.State != domain.StateReturned || h.CloseReason != "not_ready" {
		t.Errorf("returned handoff: %+v", h)
	}
	w.Finish()
}

func TestReassignByTheReceivingTeam(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	card := w.HandOffToFox("Marita Covarrubias")
	w.User(walter).Click(t, card, "Reassign")
	picker := w.User(walter).ExpectModal(t)
	picker.SelectUser("New owner", walter).Submit(t)
	mustContain(t, "reassigned card", card.ExpectUpdate(t).Text(), "<@"+walter+">", "Pending")
	card.ExpectThreadReply(t, "reassigned it to <@"+walter+">")
	w.User(walter).ExpectDM(t, "passed you a lead")
	if h := w.onlyHandoff(); h.Assignee != walter || w.events(h.ID) != "created reassigned" {
		t.Errorf("after reassign: %+v %s", h, w.events(h.ID))
	}
	w.Finish()
}

func TestOutsiderCannotAccept(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	card := w.HandOffToFox("The Smoking Man")
	w.User(krycek).Click(t, card, "Accept")
	w.User(krycek).ExpectEphemeral(t, "Only <@"+fox+"> or someone in Sales can accept")
	if h := w.onlyHandoff(); h.State != domain.StatePending || w.events(h.ID) != "created" {
		t.Errorf("outsider changed the handoff: %+v %s", h, w.events(h.ID))
	}
	w.Finish()
}

// Two people press Accept on the same card at the same moment: exactly one
// acceptance; the other is told. Run many times to catch races.
func TestConcurrentAcceptsOneWins(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for round := range 50 {
		card := w.HandOff(monica, "Lead "+strings.Repeat("x", round%5+1), func(f *fakeslack.View) { f.SelectUser("Assignee", fox) })
		w.User(fox).ExpectDM(t, "handed you a lead")
		w.User(monica).ExpectEphemeral(t, "Handed off")
		var wg sync.WaitGroup
		for _, who := range []string{fox, walter} {
			wg.Go(func() { w.User(who).Click(t, card, "Accept") })
		}
		wg.Wait()
		card.ExpectThreadReply(t, "accepted it")
		w.User(monica).ExpectDM(t, "accepted your handoff")
		h := w.onlyHandoff()
		loser := walter
		if h.Assignee == walter {
			loser = fox
		}
		w.User(loser).ExpectEphemeral(t, "Someone got there first")
		if got := w.events(h.ID); got != "created accepted" {
			t.Fatalf("round %d: events %q, want one acceptance", round, got)
		}
	}
	w.Finish()
}

func TestDuplicateLeadIsWarnedNotDoubled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.HandOffToFox("Jane Doe Jane.Doe@Acme.example")

	w.User(john).Slash(t, handoffChannel, "/handoff Jane D. jane.doe+x@acme.example")
	form := w.User(john).ExpectModal(t)
	sub := form.Submit(t)
	if sub.ResponseAction != "update" || sub.View == nil {
		t.Fatalf("duplicate submit: %+v", sub)
	}
	mustContain(t, "duplicate warning", sub.View.Text(), "already has an open handoff", "Pending", "<@"+fox+">")
	if sub.View.Value("Lead name") != "Jane D." {
		t.Errorf("the form lost what was typed: %s", sub.View)
	}
	var n int
	if err := w.DB.SQL().QueryRow(`SELECT count(*) FROM handoffs`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d handoffs after a duplicate warning, want 1 (%v)", n, err)
	}
	w.User(john).Click(t, sub.View, "Hand off anyway")
	w.Channel().ExpectMessage(t, "Jane D.")
	w.User(john).ExpectEphemeral(t, "Handed off")
	w.User(w.onlyHandoff().Assignee).ExpectDM(t, "handed you a lead: *Jane D.*")
	w.Finish()
}

// Text people type is shown as text: no one is notified by a lead name.
func TestUserTextIsEscapedOnTheCard(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	card := w.HandOff(monica, "", func(f *fakeslack.View) {
		f.Fill("Lead name", "<!channel> <@U0MGR>").Fill("Notes", "a & b <https://evil.example|click>").SelectUser("Assignee", fox)
	})
	w.User(fox).ExpectDM(t, "handed you a lead")
	w.User(monica).ExpectEphemeral(t, "Handed off")
	// Slack reads mentions in the fallback text and in mrkdwn; the header is
	// plain_text, which Slack shows literally.
	var mrkdwn strings.Builder
	mrkdwn.WriteString(strings.SplitN(card.Text(), "\n", 2)[0])
	for _, b := range card.Blocks().BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if b.Text.Type != slack.PlainTextType {
				t.Errorf("header is %s, not plain_text", b.Text.Type)
			}
		case *slack.SectionBlock:
			if b.Text != nil {
				mrkdwn.WriteString(b.Text.Text)
			}
		}
	}
	text := mrkdwn.String()
	mustContain(t, "card", text, "&lt;!channel&gt; &lt;@U0MGR&gt;", "a &amp; b &lt;https://evil.example|click&gt;")
	for _, raw := range []string{"<!channel>", "<@U0MGR>", "<https://evil.example"} {
		if strings.Contains(text, raw) {
			t.Errorf("card contains unescaped %q:\n%s", raw, text)
		}
	}
	w.Finish()
}

func TestFormValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.User(monica).Slash(t, handoffChannel, "/handoff")
	form := w.User(monica).ExpectModal(t)
	sub := form.Fill("Lead name", "Valid Name").Fill("Email", "not an email").Fill("CRM link", "javascript:alert(1)").
		SelectUser("Assignee", "UBOT").Submit(t)
	for label, want := range map[string]string{"Email": "email address", "CRM link": "https://"} {
		if !strings.Contains(sub.Errors[label], want) {
			t.Errorf("%s error = %q, want it to mention %q (all: %v)", label, sub.Errors[label], want, sub.Errors)
		}
	}
	sub = form.Fill("Email", "").Fill("CRM link", "").Submit(t)
	if !strings.Contains(sub.Errors["Assignee"], "bot") {
		t.Errorf("a bot as assignee: errors %v", sub.Errors)
	}
	if form.Value("Lead name") != "Valid Name" {
		t.Errorf("the form lost the lead name")
	}
	w.Finish()
}
