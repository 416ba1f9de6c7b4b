// Package handlers is the application: it decides what happens when someone
// uses the bot and what they see (Block Kit). It talks to Slack and Postgres
// only through the small interfaces declared here, so the bot runtime and
// the store plug in from outside.
package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/slack-go/slack"
)

// Slack is the part of the Web API the handlers call; *slack.Client
// satisfies it.
type Slack interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
}

// App holds what every handler needs.
type App struct {
	slack Slack
	log   *slog.Logger
	now   func() time.Time
}

// Deps are the App's collaborators; Now defaults to time.Now.
type Deps struct {
	Slack Slack
	Log   *slog.Logger
	Now   func() time.Time
}

// New builds the App.
func New(d Deps) *App {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &App{slack: d.Slack, log: d.Log, now: d.Now}
}
