package handlers

import (
	"context"

	"github.com/slack-go/slack"
)

// Command is one /handoff invocation, already acknowledged.
type Command struct {
	UserID      string
	ChannelID   string
	Text        string // what follows the subcommand word (the whole text for the default handler)
	TriggerID   string // opens a modal within 3 s
	ResponseURL string // answers the user privately
}

// Action is a button press or menu choice on a message, a modal or App Home,
// already acknowledged.
type Action struct {
	ActionID    string
	BlockID     string
	Value       string // the button's value or the chosen option's value
	UserID      string
	ChannelID   string // for message surfaces
	MessageTS   string // for message surfaces
	ThreadTS    string
	Ephemeral   bool
	ResponseURL string // for message surfaces
	TriggerID   string
	View        *slack.View // for modal and App Home surfaces
}

// Shortcut is a global or message shortcut, already acknowledged.
type Shortcut struct {
	CallbackID  string
	UserID      string
	TriggerID   string
	ChannelID   string // message shortcuts only
	ResponseURL string // message shortcuts only
	Message     *slack.Message
}

// Submission is a modal's submit; the handler's SubmitResult is the ack.
type Submission struct {
	CallbackID      string
	UserID          string
	View            slack.View
	PrivateMetadata string
}

// SubmitResult answers a modal submission within Slack's 3 seconds, then
// lets slow follow-up work (posting a card, DMs) run after the ack.
type SubmitResult struct {
	// Response is the ack payload: errors, update or push; nil closes the modal.
	Response *slack.ViewSubmissionResponse
	// After runs once Slack has the answer; its error is reported to the user.
	After func(ctx context.Context) error
}

// Suggestion is an external_select asking for options as the user types.
type Suggestion struct {
	ActionID string
	BlockID  string
	UserID   string
	Query    string
	View     slack.View
}

// Event is an Events API event, deduplicated by EventID.
type Event struct {
	EventID  string
	Type     string // app_home_opened, app_mention, message, user_change, subteam_members_changed
	UserID   string
	BotID    string
	Subtype  string
	Channel  string
	Text     string
	TS       string
	ThreadTS string
	Tab      string // app_home_opened: home or messages
	// ChangedUser is user_change's user as Slack has it now.
	ChangedUser *slack.User
	// Group, Added and Removed are subteam_members_changed's user group
	// and the members it gained and lost.
	Group          string
	Added, Removed []string
	// Step is function_executed's run of a Workflow Builder step.
	Step *Step
}
