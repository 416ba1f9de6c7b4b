package bot

import (
	"github.com/handoffbot/handoffbot/handlers"
)

// Routes is where everything a person does in Slack lands.
func Routes(app *handlers.App) *Router {
	return &Router{
		Commands: map[string]CommandHandler{
			"help":     app.Help,
			"list":     app.List,
			"feedback": app.Feedback,
			"stats":    app.Stats,
			"digest":   app.DigestCommand,
			"survey":   app.Survey,
			"export":   app.Export,
		},
		DefaultCommand: app.NewHandoff,
		Actions: map[string]ActionHandler{
			handlers.ActionAccept:   app.Accept,
			handlers.ActionReject:   app.Reject,
			handlers.ActionReassign: app.Reassign,
			handlers.ActionTouch:    app.Touch,
			handlers.ActionQualify:  app.Qualify,
			handlers.ActionWin:      app.Win,
			handlers.ActionLose:     app.Lose,
			handlers.ActionReturn:   app.Return,
			handlers.ActionAnyway:   app.HandOffAnyway,
			handlers.ActionSnooze:   app.Snooze,

			handlers.ActionFeedbackGive:        app.GiveFeedback,
			handlers.ActionFeedbackAcknowledge: app.AcknowledgeFeedback,
			handlers.ActionFeedbackResolve:     app.ResolveFeedback,

			handlers.ActionSurveyAnswer: app.SurveyButton,
			handlers.ActionDigestToggle: app.ToggleDigest,
		},
		Shortcuts: map[string]ShortcutHandler{
			handlers.ShortcutHandoffNew:         app.HandoffShortcut,
			handlers.ShortcutHandoffFromMessage: app.HandoffShortcut,

			handlers.ShortcutFeedbackFromMessage: app.FeedbackShortcut,
		},
		Submissions: map[string]SubmitHandler{
			handlers.CallbackHandoff:  app.SubmitHandoff,
			handlers.CallbackReason:   app.SubmitReason,
			handlers.CallbackReassign: app.SubmitReassign,

			handlers.CallbackFeedback:        app.SubmitFeedback,
			handlers.CallbackFeedbackResolve: app.SubmitFeedbackResolution,

			handlers.CallbackSurvey: app.SubmitSurvey,
		},
		Suggestions: map[string]SuggestionHandler{
			handlers.ActionFeedbackHandoff: app.FeedbackHandoffOptions,
		},
		Events: map[string]EventHandler{
			"app_home_opened": app.HomeOpened,
			"app_mention":     app.Mention,
			"message":         app.FeedbackMessage,

			"user_change":             app.UserChanged,
			"subteam_members_changed": app.TeamMembersChanged,
			"function_executed":       app.RunStep,
		},
		Forms: map[string]bool{
			"/handoff": true, "/handoff feedback": true,
			handlers.ActionReject: true, handlers.ActionReassign: true, handlers.ActionLose: true, handlers.ActionReturn: true,
			handlers.ActionFeedbackGive: true, handlers.ActionFeedbackResolve: true, handlers.ActionSurveyAnswer: true,
			handlers.ShortcutHandoffNew: true, handlers.ShortcutHandoffFromMessage: true, handlers.ShortcutFeedbackFromMessage: true,
		},
		Admit: app.Admit,
	}
}
