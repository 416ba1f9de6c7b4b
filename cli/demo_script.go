package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/handoffbot/handoffbot/fakeslack"
)

// chapter is one scene of the scripted week.
type chapter struct {
	title string
	play  func()
}

// runScript plays a week of lead handoffs between sales and marketing,
// printing what everyone saw after each scene.
func runScript(fs *fakeslack.Server, out io.Writer) error {
	start, seen := time.Now(), 0
	for _, c := range story(fs) {
		fmt.Fprintf(out, "\n━━ %s ━━\n", c.title)
		err := guard(c.play)
		seen = printTranscript(out, fs, start, seen)
		if err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "\n━━ That was the week. `handoffbot demo --interactive` lets you try it yourself. ━━")
	return nil
}

func story(fs *fakeslack.Server) []chapter {
	var t demoTB
	riya, sam, maya, leo, ines := fs.User(demoRiya), fs.User(demoSam), fs.User(demoMaya), fs.User(demoLeo), fs.User(demoInes)
	deals := fs.Channel(demoDeals)
	var dana, alex *fakeslack.Message
	return []chapter{
		{"Monday 09:12 · Maya (marketing) hands Dana Scully to sales; the rotation picks Riya", func() {
			maya.Slash(t, demoDeals, "/handoff Dana Scully (FBI) dana.scully@fbi.example +1 202 555 0143")
			maya.ExpectModal(t).Select("Priority", "Hot").Fill("Source", "Webinar").Fill("Campaign", "Q4 security").Submit(t)
			dana = deals.ExpectMessage(t, "Dana Scully")
			riya.ExpectDM(t, "handed you a lead")
			maya.ExpectEphemeral(t, "Handed off")
		}},
		{"Monday 09:20 · Riya accepts, calls Dana, and qualifies her", func() {
			for _, b := range []string{"Accept", "Log first touch", "Qualified"} {
				riya.Click(t, dana.Latest(), b)
				dana.ExpectUpdate(t)
				dana.ExpectThreadReply(t, "<@"+demoRiya+">")
			}
			maya.ExpectDM(t, "accepted your handoff")
		}},
		{"Tuesday · Maya hands off Alex Krycek; the rotation gives him to Sam, who rejects him with a reason", func() {
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
		{"Wednesday · Leo hands Walter Skinner to Riya, who is away: the SLA reminds her, then escalates", func() {
			leo.Slash(t, demoDeals, "/handoff Walter Skinner (FBI)")
			leo.ExpectModal(t).SelectUser("Assignee", demoRiya).Submit(t)
			deals.ExpectMessage(t, "Walter Skinner")
			riya.ExpectDM(t, "handed you a lead")
			leo.ExpectEphemeral(t, "Handed off")
			riya.ExpectDM(t, "Reminder")
			riya.ExpectDM(t, "SLA breached")
			fs.Channel(demoMgrs).ExpectMessage(t, "SLA breached")
		}},
		{"Thursday · Riya turns what customers say into feedback; Leo answers and closes the loop", func() {
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
		{"Friday · Maya looks at this week's digest so far (the full one comes on Monday at 09:00)", func() {
			maya.Slash(t, demoDeals, "/handoff digest preview")
			maya.ExpectEphemeral(t, "Weekly handoff digest")
		}},
		{"Friday · Ines, the manager, asks for the alignment stats", func() {
			ines.Slash(t, demoMgrs, "/handoff stats 7d")
			fs.Channel(demoMgrs).ExpectMessage(t, "Alignment stats")
			fs.Channel(demoMgrs).ExpectMessage(t, "[file:")
		}},
	}
}
