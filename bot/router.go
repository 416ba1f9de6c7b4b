package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/handlers"
)

// Handler signatures, one per kind of thing Slack sends.
type (
	CommandHandler    func(ctx context.Context, cmd handlers.Command) error
	ActionHandler     func(ctx context.Context, a handlers.Action) error
	ShortcutHandler   func(ctx context.Context, s handlers.Shortcut) error
	SubmitHandler     func(ctx context.Context, s handlers.Submission) (handlers.SubmitResult, error)
	SuggestionHandler func(ctx context.Context, s handlers.Suggestion) (*slack.OptionsResponse, error)
	EventHandler      func(ctx context.Context, e handlers.Event) error
)

// Router is the one table that says where everything Slack sends goes:
// /handoff subcommands by their first word, buttons by action_id,
// shortcuts and modals by callback_id, events by type.
type Router struct {
	// Commands maps a /handoff subcommand (lower case) to its handler.
	Commands map[string]CommandHandler
	// DefaultCommand handles /handoff with no known subcommand word; it gets
	// the whole text.
	DefaultCommand CommandHandler
	// Actions maps an action_id to its handler. An action_id may carry a
	// suffix after a colon (e.g. "handoff_accept:42") so that two buttons
	// in one message stay distinct; the part before the colon routes.
	Actions     map[string]ActionHandler
	Shortcuts   map[string]ShortcutHandler
	Submissions map[string]SubmitHandler
	Suggestions map[string]SuggestionHandler
	Events      map[string]EventHandler
	// Forms are the routes whose handler opens a modal with the trigger
	// (a /handoff subcommand as "/handoff feedback", "/handoff" for the
	// default, an action_id, a shortcut's callback_id). The trigger lasts
	// 3 s and can be used once, which already keeps a redelivered envelope
	// from opening the form twice, so these take no idempotency claim: no
	// database round trip stands between the envelope and its form.
	Forms map[string]bool
	// Admit, when set, runs before every handler and refuses envelopes
	// from outside the installation (installation.go); nil admits all.
	Admit func(ctx context.Context, o handlers.Origin) error
}

// command picks the subcommand handler for text, what it receives, and
// its route ("/handoff feedback", or "/handoff" for the default).
func (r *Router) command(text string) (h CommandHandler, rest, route string) {
	text = strings.TrimSpace(text)
	word, rest, _ := strings.Cut(text, " ")
	if h, ok := r.Commands[strings.ToLower(word)]; ok {
		return h, strings.TrimSpace(rest), "/handoff " + strings.ToLower(word)
	}
	return r.DefaultCommand, text, "/handoff"
}

// action finds the handler for an action_id, ignoring a ":suffix", and
// says whether it opens a form.
func (r *Router) action(actionID string) (h ActionHandler, ok, form bool) {
	key, _, _ := strings.Cut(actionID, ":")
	h, ok = r.Actions[key]
	return h, ok, r.Forms[key]
}
