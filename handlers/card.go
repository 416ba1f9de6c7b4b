package handlers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// Action IDs of the handoff buttons (cards, App Home, reminders). The value
// of each is "<handoff id>:<state shown>", so a click on an out-of-date card
// is recognised; who may press is always checked against the database.
const (
	ActionAccept   = "handoff_accept"
	ActionReject   = "handoff_reject"
	ActionReassign = "handoff_reassign"
	ActionTouch    = "handoff_touch"
	ActionQualify  = "handoff_qualify"
	ActionWin      = "handoff_win"
	ActionLose     = "handoff_lose"
	ActionReturn   = "handoff_return"
)

// moveButtons are the buttons of each move, in the words the card shows.
var moveButtons = map[domain.Move]struct {
	action, text string
	style        slack.Style
}{
	domain.MoveAccept:  {ActionAccept, "Accept", slack.StylePrimary},
	domain.MoveReject:  {ActionReject, "Reject", slack.StyleDanger},
	domain.MoveTouch:   {ActionTouch, "Log first touch", slack.StylePrimary},
	domain.MoveQualify: {ActionQualify, "Qualified", slack.StylePrimary},
	domain.MoveWin:     {ActionWin, "Won", slack.StylePrimary},
	domain.MoveReturn:  {ActionReturn, "Return to marketing", slack.StyleDefault},
	domain.MoveLose:    {ActionLose, "Lost", slack.StyleDanger},
}

var priorityIcon = map[domain.Priority]string{domain.Hot: "🔥", domain.Warm: "🌤", domain.Cold: "❄️"}

// Cards draws handoff cards. It is apart from App because the background
// delivery draws cards too, when it posts or updates one.
type Cards struct {
	Now func() time.Time
}

// Card draws a handoff's card as it is now: the lead, direction, owner,
// priority, state (with its reason), SLA due time, creator, and the buttons
// its state allows.
func (a Cards) Card(h domain.Handoff) (string, []slack.Block) {
	title := h.Lead.Name
	if h.Lead.Company != "" {
		title += " — " + h.Lead.Company
	}
	fallback := fmt.Sprintf("Handoff to %s: %s (%s)", h.Direction.Label(), escape(title), h.State.Label())
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncateRunes(priorityIcon[h.Priority]+" "+title, maxHeaderText))),
		slack.NewSectionBlock(nil, a.cardFields(h), nil),
	}
	if details := leadDetails(h); details != "" {
		blocks = append(blocks, mrkdwn(details))
	}
	if h.Notes != "" {
		blocks = append(blocks, mrkdwn("*Notes*\n"+escape(h.Notes)))
	}
	blocks = append(blocks, contextLine(cardContext(h)))
	if acts := actionsFor(h, ""); acts != nil {
		blocks = append(blocks, acts)
	}
	return fallback, blocks
}

func (a Cards) cardFields(h domain.Handoff) []*slack.TextBlockObject {
	fields := []*slack.TextBlockObject{
		md("*State*\n" + stateText(h)),
		md("*Owner*\n" + user(h.Assignee)),
		md("*To*\n" + h.Direction.Label()),
		md("*Priority*\n" + h.Priority.Label()),
	}
	if label, when := a.due(h); label != "" {
		fields = append(fields, md("*"+label+"*\n"+when))
	}
	return append(fields, md("*Handed off by*\n"+handedOffBy(h)))
}

// handedOffBy names who handed h off: a person, or the system it came
// through ("via zapier", an API key's name).
func handedOffBy(h domain.Handoff) string {
	if h.CreatedBy != "" {
		return user(h.CreatedBy)
	}
	return "via " + escape(domain.IntakeName(h.Intake))
}

// cameFrom says where h came from in a sentence: "from @dana", "via zapier".
func cameFrom(h domain.Handoff) string {
	if h.CreatedBy != "" {
		return "from " + user(h.CreatedBy)
	}
	return handedOffBy(h)
}

// handedYou starts the DM that gives someone a new lead.
func handedYou(h domain.Handoff) string {
	if h.CreatedBy != "" {
		return user(h.CreatedBy) + " handed you a lead"
	}
	return "New lead for you " + handedOffBy(h)
}

// stateText names the state, with the reason of a rejection, return or loss.
func stateText(h domain.Handoff) string {
	s := "*" + h.State.Label() + "*"
	var reason string
	switch h.State {
	case domain.StateRejected:
		reason = domain.ReasonLabel(domain.RejectReasons, h.RejectReason)
	case domain.StateReturned:
		reason = domain.ReasonLabel(domain.ReturnReasons, h.CloseReason)
	case domain.StateLost:
		reason = domain.ReasonLabel(domain.LostReasons, h.CloseReason)
	}
	if reason != "" {
		s += " — " + escape(reason)
	}
	if h.ReasonNote != "" && reason != "" {
		s += ": " + escape(truncateRunes(h.ReasonNote, 300))
	}
	return s
}

// due names the clock that is running (accept, then first touch) and
// when it runs out; empty when none runs.
func (a Cards) due(h domain.Handoff) (label, when string) {
	switch {
	case h.State == domain.StatePending:
		return "Accept by", a.clockText(h.AcceptDueAt)
	case h.State == domain.StateAccepted && h.FirstTouchAt == nil:
		return "First touch by", a.clockText(h.FirstTouchDueAt)
	}
	return "", ""
}

func leadDetails(h domain.Handoff) string {
	var parts []string
	if h.Lead.Email != "" {
		parts = append(parts, "✉️ "+link("mailto:"+h.Lead.Email, h.Lead.Email))
	}
	if h.Lead.Phone != "" {
		parts = append(parts, "📞 "+escape(h.Lead.Phone))
	}
	if h.Source != "" {
		parts = append(parts, "*Source* "+escape(h.Source))
	}
	if h.Campaign != "" {
		parts = append(parts, "*Campaign* "+escape(h.Campaign))
	}
	if h.Lead.CRMURL != "" && domain.ValidWebURL(h.Lead.CRMURL) {
		parts = append(parts, link(h.Lead.CRMURL, "CRM record"))
	}
	return strings.Join(parts, "  ·  ")
}

func cardContext(h domain.Handoff) string {
	s := fmt.Sprintf("#%d · handed off %s", h.ID, slackDate(h.CreatedAt, "{date_short_pretty} {time}"))
	if h.SourcePermalink != "" && domain.ValidWebURL(h.SourcePermalink) {
		s += " from " + link(h.SourcePermalink, "a message")
	}
	return s
}

// actionsFor is the buttons a handoff's state allows; suffix keeps action
// IDs distinct when several handoffs share a view (App Home).
func actionsFor(h domain.Handoff, suffix string) *slack.ActionBlock {
	value := strconv.FormatInt(h.ID, 10) + ":" + string(h.State)
	var els []slack.BlockElement
	for _, m := range h.State.Moves() {
		if m == domain.MoveReturn && h.Direction == domain.ToMarketing {
			continue // it is with marketing already
		}
		b := moveButtons[m]
		els = append(els, button(b.action+suffix, b.text, value, b.style))
		if m == domain.MoveReject {
			els = append(els, button(ActionReassign+suffix, "Reassign", value, slack.StyleDefault))
		}
	}
	if h.State.Open() { // what the field says about an open lead can still help
		els = append(els, button(ActionFeedbackGive+suffix, "Give feedback", strconv.FormatInt(h.ID, 10), slack.StyleDefault))
	}
	if len(els) == 0 {
		return nil
	}
	return slack.NewActionBlock("handoff_actions"+suffix, els...)
}

// parseValue reads "<id>:<state>" from a handoff button.
func parseValue(v string) (int64, domain.State, error) {
	idText, state, _ := strings.Cut(v, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 || !domain.State(state).Valid() {
		return 0, "", domain.Errorf(domain.EINVALID, "That button is broken; open the handoff again.")
	}
	return id, domain.State(state), nil
}
