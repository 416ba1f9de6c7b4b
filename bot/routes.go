package bot

import (
	"context"

	"github.com/handoffbot/handoffbot/handlers"
)

// Routes is where everything a person does in Slack lands.
func Routes(app *handlers.App) *Router {
	return &Router{
		Commands: map[string]CommandHandler{
			"help":     app.Help,
			"list":     app.ComingSoon("list"),
			"feedback": app.ComingSoon("feedback"),
			"stats":    app.ComingSoon("stats"),
			"digest":   app.ComingSoon("digest"),
			"survey":   app.ComingSoon("survey"),
			"export":   app.ComingSoon("export"),
		},
		DefaultCommand: func(ctx context.Context, cmd handlers.Command) error {
			if cmd.Text == "" {
				return app.ComingSoon("")(ctx, cmd)
			}
			return app.Unknown(ctx, cmd)
		},
	}
}
