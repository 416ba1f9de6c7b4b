package handlers

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// Callback and block IDs of the New handoff form. Block IDs are stable so
// that a re-rendered form keeps what the person typed.
const (
	CallbackHandoff = "handoff_modal"
	ActionAnyway    = "handoff_anyway"

	blockName      = "lead_name"
	blockCompany   = "company"
	blockEmail     = "email"
	blockPhone     = "phone"
	blockSource    = "source"
	blockCampaign  = "campaign"
	blockDirection = "direction"
	blockAssignee  = "assignee"
	blockPriority  = "priority"
	blockNotes     = "notes"
	blockCRM       = "crm_link"
	actionValue    = "value"
)

// formMeta travels in the modal's private_metadata: where to confirm, and
// where the lead came from.
type formMeta struct {
	Channel     string `json:"c,omitempty"`
	ResponseURL string `json:"r,omitempty"`
	MsgChannel  string `json:"mc,omitempty"` // the message handed off, for its permalink
	MsgTS       string `json:"mt,omitempty"`
	Duplicate   int64  `json:"d,omitempty"` // the open handoff shown as a duplicate
}

// encodeMeta marshals a modal's private_metadata (our metadata types always marshal).
func encodeMeta(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func decodeMeta[T any](s string) (T, error) {
	var m T
	if s == "" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return m, domain.Errorf(domain.EINVALID, "This form is from another version of the bot; please open it again.")
	}
	return m, nil
}

// form is what the New handoff form holds.
type form struct {
	Draft
	Source    string
	Campaign  string
	Direction domain.Direction
	Priority  domain.Priority
}

var (
	directionOptions = []option{{string(domain.ToSales), "Sales"}, {string(domain.ToMarketing), "Marketing"}}
	priorityOptions  = []option{{string(domain.Hot), "Hot"}, {string(domain.Warm), "Warm"}, {string(domain.Cold), "Cold"}}
)

type option struct{ value, text string }

// handoffModal draws the New handoff form with f's values, an optional
// warning about an open handoff of the same lead on top.
func handoffModal(f form, meta formMeta, warning []slack.Block) slack.ModalViewRequest {
	blocks := append([]slack.Block{}, warning...)
	blocks = append(blocks,
		textInput(blockName, "Lead name", f.Name, domain.MaxLeadName, false, false),
		textInput(blockCompany, "Company", f.Company, domain.MaxField, true, false),
		textInput(blockEmail, "Email", f.Email, domain.MaxField, true, false),
		textInput(blockPhone, "Phone", f.Phone, domain.MaxField, true, false),
		textInput(blockSource, "Source", f.Source, domain.MaxField, true, false),
		textInput(blockCampaign, "Campaign", f.Campaign, domain.MaxField, true, false),
		selectInput(blockDirection, "Hand off to", directionOptions, string(f.Direction)),
		userInput(blockAssignee, "Assignee", f.Assignee, "Leave empty to rotate through the receiving team"),
		selectInput(blockPriority, "Priority", priorityOptions, string(f.Priority)),
		textInput(blockNotes, "Notes", f.Notes, domain.MaxNotes, true, true),
		textInput(blockCRM, "CRM link", f.CRMURL, maxCRMLink, true, false),
	)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackHandoff,
		Title:           plain("New handoff"),
		Submit:          plain("Hand off"),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: encodeMeta(meta),
	}
}

func textInput(blockID, label, value string, max int, optional, multiline bool) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(nil, actionValue)
	el.InitialValue = value
	el.MaxLength = max
	el.Multiline = multiline
	in := slack.NewInputBlock(blockID, plain(label), nil, el)
	in.Optional = optional
	return in
}

func selectInput(blockID, label string, opts []option, initial string) *slack.InputBlock {
	var objs []*slack.OptionBlockObject
	var init *slack.OptionBlockObject
	for _, o := range opts {
		obj := slack.NewOptionBlockObject(o.value, plain(o.text), nil)
		objs = append(objs, obj)
		if o.value == initial {
			init = obj
		}
	}
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose"), actionValue, objs...)
	el.InitialOption = init
	return slack.NewInputBlock(blockID, plain(label), nil, el)
}

func userInput(blockID, label, initial, hint string) *slack.InputBlock {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Choose a person"), actionValue)
	el.InitialUser = initial
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint)
	}
	in := slack.NewInputBlock(blockID, plain(label), h, el)
	in.Optional = true
	return in
}

// value reads an input's text, selected option or user from a view state.
func value(state *slack.ViewState, blockID string) string {
	if state == nil {
		return ""
	}
	a, ok := state.Values[blockID][actionValue]
	if !ok {
		return ""
	}
	switch {
	case a.SelectedOption.Value != "":
		return a.SelectedOption.Value
	case a.SelectedUser != "":
		return a.SelectedUser
	}
	return strings.TrimSpace(a.Value)
}

// readForm takes the form's values out of a submitted (or clicked) view.
func readForm(state *slack.ViewState) form {
	return form{
		Draft: Draft{
			Name: value(state, blockName), Company: value(state, blockCompany), Email: value(state, blockEmail),
			Phone: value(state, blockPhone), CRMURL: value(state, blockCRM), Assignee: value(state, blockAssignee),
			Notes: value(state, blockNotes),
		},
		Source: value(state, blockSource), Campaign: value(state, blockCampaign),
		Direction: domain.Direction(value(state, blockDirection)), Priority: domain.Priority(value(state, blockPriority)),
	}
}

// validate checks what does not need Slack or the database, returning
// messages keyed by the input's block ID.
func (f form) validate() map[string]string {
	errs := map[string]string{}
	tooLong := func(block, v string, max int) {
		if n := utf8.RuneCountInString(v); n > max {
			errs[block] = fmt.Sprintf("Keep it under %d characters (this is %d).", max, n)
		}
	}
	if f.Name == "" {
		errs[blockName] = "Give the lead a name."
	}
	tooLong(blockName, f.Name, domain.MaxLeadName)
	for block, v := range map[string]string{blockCompany: f.Company, blockPhone: f.Phone, blockSource: f.Source, blockCampaign: f.Campaign} {
		tooLong(block, v, domain.MaxField)
	}
	if f.Email != "" && !domain.ValidEmail(f.Email) {
		errs[blockEmail] = "That doesn't look like an email address, e.g. jane@acme.example."
	}
	tooLong(blockNotes, f.Notes, domain.MaxNotes)
	if f.CRMURL != "" && !domain.ValidWebURL(f.CRMURL) {
		errs[blockCRM] = "Use a web link starting with https:// or http://."
	}
	tooLong(blockCRM, f.CRMURL, maxCRMLink)
	if f.Assignee != "" && !domain.ValidUserID(f.Assignee) {
		errs[blockAssignee] = "Choose a person from the list."
	}
	if !f.Direction.Valid() {
		errs[blockDirection] = "Choose Sales or Marketing."
	}
	if !f.Priority.Valid() {
		errs[blockPriority] = "Choose Hot, Warm or Cold."
	}
	for block, v := range map[string]string{blockName: f.Name, blockNotes: f.Notes, blockCompany: f.Company,
		blockEmail: f.Email, blockPhone: f.Phone, blockSource: f.Source, blockCampaign: f.Campaign, blockCRM: f.CRMURL} {
		if !savable(v) {
			errs[block] = "This contains characters that cannot be saved."
		}
	}
	return errs
}

// alreadyHandedOffText tells someone whose form had made its handoff
// already (a second click, a replayed view) which one it was.
func alreadyHandedOffText(first domain.Handoff) string {
	where := fmt.Sprintf("#%d", first.ID)
	if domain.ValidWebURL(first.CardPermalink) {
		where = link(first.CardPermalink, where)
	}
	return fmt.Sprintf("This form was already handed off: *%s*%s is %s, owned by %s. Nothing new was created.",
		escape(first.Lead.Name), companySuffix(first), where, user(first.Assignee))
}

// alreadyHandedOffAnswer shows alreadyHandedOffText in place of the form.
func alreadyHandedOffAnswer(first domain.Handoff) SubmitResult {
	v := slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("Handed off"), Close: plain("Done"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{mrkdwn("✅ " + alreadyHandedOffText(first))}},
	}
	return SubmitResult{Response: slack.NewUpdateViewSubmissionResponse(&v)}
}
