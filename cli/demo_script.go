package cli

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/handoffbot/handoffbot/clock"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// chapter is one scene of the scripted week; it begins at day (0 is
// Monday) and hh:mm of the simulated clock.
type chapter struct {
	day   int
	at    string
	title string
	play  func()
}

// runScript plays a week of lead handoffs between sales and marketing on
// a simulated clock, printing what everyone saw after each scene.
func runScript(fs *fakeslack.Server, week *clock.Sim, api demoAPI, out io.Writer) error {
	monday, seen := week.Now().Truncate(24*time.Hour), 0
	w := &demoWeek{fs: fs, clock: week, monday: monday, api: api, out: out}
	for _, c := range story(w) {
		begins := w.at(c.day, c.at)
		week.AdvanceTo(begins)
		fmt.Fprintf(out, "\n━━ %s · %s ━━\n", begins.Format("Monday 15:04"), c.title)
		err := guard(c.play)
		seen = printTranscript(out, fs, seen, false)
		if err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "\n━━ That was the week. `handoffbot demo --interactive` lets you try it yourself. ━━")
	return nil
}

// demoWeek is the simulated week a story plays in.
type demoWeek struct {
	fs     *fakeslack.Server
	clock  *clock.Sim
	monday time.Time
	api    demoAPI
	out    io.Writer
}

// demoAPI is the running bot's intake API and the web form's key.
type demoAPI struct{ url, key string }

// post sends a lead to the intake API as a web form's backend would, and
// prints the exchange.
func (w *demoWeek) post(body string) error {
	req, err := http.NewRequest(http.MethodPost, w.api.url+"/v1/handoffs", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+w.api.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("intake API: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("intake API: %w", err)
	}
	fmt.Fprintf(w.out, "POST /v1/handoffs %s\n→ %s %s\n", body, resp.Status, bytes.TrimSpace(answer))
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("intake API answered %s", resp.Status)
	}
	return nil
}

// at is day (0 is Monday) at hh:mm, in UTC.
func (w *demoWeek) at(day int, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(fmt.Sprintf("demo chapter time %q: %v", hhmm, err))
	}
	return w.monday.AddDate(0, 0, day).Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

// wait lets the week run on to day at hh:mm, while the bot's timers fall
// due (River looks for due jobs every few seconds).
func (w *demoWeek) wait(day int, hhmm string) {
	w.clock.AdvanceTo(w.at(day, hhmm))
	w.fs.ClockAdvanced()
}

func story(w *demoWeek) []chapter {
	var t demoTB
	fs := w.fs
	riya, sam, maya, leo, ines := fs.User(demoRiya), fs.User(demoSam), fs.User(demoMaya), fs.User(demoLeo), fs.User(demoInes)
	deals := fs.Channel(demoDeals)
	var dana, alex *fakeslack.Message
	return []chapter{
		{0, "09:12", "Maya (marketing) hands Dana Scully to sales; the rotation picks Riya", func() {
			maya.Slash(t, demoDeals, "/handoff Dana Scully (FBI) dana.scully@fbi.example +1 202 555 0143")
			maya.ExpectModal(t).Select("Priority", "Hot").Fill("Source", "Webinar").Fill("Campaign", "Q4 security").Submit(t)
			dana = deals.ExpectMessage(t, "Dana Scully")
			riya.ExpectDM(t, "handed you a lead")
			maya.ExpectEphemeral(t, "Handed off")
		}},
		{0, "09:40", "Riya accepts, calls Dana, and qualifies her", func() {
			for _, b := range []string{"Accept", "Log first touch", "Qualified"} {
				riya.Click(t, dana.Latest(), b)
				dana.ExpectUpdate(t)
				dana.ExpectThreadReply(t, "<@"+demoRiya+">")
			}
			maya.ExpectDM(t, "accepted your handoff")
		}},
		{1, "10:05", "Maya hands off Alex Krycek; the rotation gives him to Sam, who rejects him with a reason", func() {
			maya.Slash(t, demoDeals, "/handoff Alex Krycek (Consortium) alex@consortium.example")
			maya.ExpectModal(t).Fill("Campaign", "Q4 security").Submit(t)
			alex = deals.ExpectMessage(t, "Alex Krycek")
			sam.ExpectDM(t, "handed you a lead")
			maya.ExpectEphemeral(t, "Handed off")
			sam.Click(t, alex, "Reject")
			sam.ExpectModal(t).Select("Reason", "No budget").Fill("Note", "Budget frozen until Q3").Submit(t)
			alex.ExpectUpdate(t)
			alex.ExpectThreadReply(t, "rejected it")
			maya.ExpectDM(t, "rejected your handoff")
		}},
		{1, "10:30", "The website's form posts Jeffrey Spender to the intake API (key web-form): the card and Riya's DM come at once, and she accepts (his own clock started at 10:22, when he filled the form)", func() {
			if err := w.post(`{"external_id": "form-1001", "lead": {"name": "Jeffrey Spender", "company": "Spender Media", ` +
				`"email": "jeffrey@spender.example", "country": "US"}, "source": "Website", "campaign": "Q4 security", ` +
				`"occurred_at": "` + w.at(1, "10:22").Format(time.RFC3339) + `"}`); err != nil {
				t.Fatalf("%v", err)
			}
			card := deals.ExpectMessage(t, "Jeffrey Spender")
			riya.ExpectDM(t, "New lead for you via web-form")
			riya.Click(t, card, "Accept")
			card.ExpectUpdate(t)
			card.ExpectThreadReply(t, "<@"+demoRiya+">")
		}},
		{2, "10:00", "Leo hands Walter Skinner to Riya, who is out at a customer: at 12:00 the SLA reminds her, at 14:00 it escalates", func() {
			leo.Slash(t, demoDeals, "/handoff Walter Skinner (FBI)")
			leo.ExpectModal(t).SelectUser("Assignee", demoRiya).Submit(t)
			deals.ExpectMessage(t, "Walter Skinner")
			riya.ExpectDM(t, "handed you a lead")
			leo.ExpectEphemeral(t, "Handed off")
			w.wait(2, "12:00")
			riya.ExpectDM(t, "Reminder")
			w.wait(2, "14:00")
			riya.ExpectDM(t, "SLA breached")
			fs.Channel(demoMgrs).ExpectMessage(t, "SLA breached")
		}},
		{3, "11:30", "Riya turns what customers say into feedback; Leo answers and closes the loop", func() {
			said := riya.Post(t, demoDeals, "customers keep asking about SSO")
			riya.MessageShortcut(t, said, "feedback_from_message")
			riya.ExpectModal(t).Select("Category", "Product").Submit(t)
			root := fs.Channel(demoFB).ExpectMessage(t, "customers keep asking about SSO")
			riya.ExpectEphemeral(t, "Sent your feedback")
			leo.Reply(t, root, "Good catch: we'll add an SSO page this week.")
			acked := root.ExpectUpdate(t)
			riya.ExpectDM(t, "acknowledged your feedback")
			leo.Click(t, acked, "Resolve")
			leo.ExpectModal(t).Fill("What changed", "Added an SSO page to the site and the deck").Submit(t)
			acked.ExpectUpdate(t)
			riya.ExpectDM(t, "resolved your feedback")
		}},
		{4, "16:00", "Maya looks at this week's digest so far (the full one comes on Monday at 09:00)", func() {
			maya.Slash(t, demoDeals, "/handoff digest preview")
			maya.ExpectEphemeral(t, "Weekly handoff digest")
		}},
		{4, "16:30", "Ines, the manager, asks for the alignment stats", func() {
			ines.Slash(t, demoMgrs, "/handoff stats 7d")
			fs.Channel(demoMgrs).ExpectMessage(t, "Alignment stats")
			fs.Channel(demoMgrs).ExpectMessage(t, "[file:")
		}},
	}
}
