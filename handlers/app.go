// Package handlers is the application: it decides what happens when someone
// uses the bot and what they see (Block Kit). It talks to Slack, Postgres
// and the outbox only through the small interfaces declared here, so the
// bot runtime and the store plug in from outside.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/routing"
)

// Slack is the part of the Web API the handlers call; *slack.Client
// satisfies it.
type Slack interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	UpdateViewContext(ctx context.Context, view slack.ModalViewRequest, externalID, hash, viewID string) (*slack.ViewResponse, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (string, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	GetUserByEmailContext(ctx context.Context, email string) (*slack.User, error)
	GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) ([]string, error)
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
}

// isSlackError reports whether Slack refused a call with one of codes.
func isSlackError(err error, codes ...string) bool {
	se, ok := errors.AsType[slack.SlackErrorResponse](err)
	return ok && slices.Contains(codes, se.Err)
}

// Store is the state the handlers keep (storage.DB).
type Store interface {
	CreateHandoff(ctx context.Context, n domain.NewHandoff) (domain.Created, error)
	FormHandoff(ctx context.Context, viewID string) (domain.Handoff, error)
	ApplyChange(ctx context.Context, c domain.Change) (domain.Handoff, error)
	Handoff(ctx context.Context, id int64) (domain.Handoff, error)
	OpenHandoffsFor(ctx context.Context, userID string) ([]domain.Handoff, error)
	Enqueue(ctx context.Context, msgs ...domain.Message) error
	FireSLA(ctx context.Context, f domain.SLAFiring) (bool, error)
	Snooze(ctx context.Context, id int64, clock, actor string, at, remindAt time.Time, max int) (int, error)
	FailedDeliveries(ctx context.Context, limit int) ([]domain.FailedDelivery, error)
	ExportHandoffs(ctx context.Context, from, to time.Time, fn func(domain.Handoff) error) error
}

// Courier delivers a channel's queued messages now, so people see the card
// at once instead of at the background job's next turn, and says what it
// posted (delivery.Deliverer).
type Courier interface {
	Deliver(ctx context.Context, channel string) (domain.Delivery, error)
}

// Settings are the configuration the handlers act on.
type Settings struct {
	HandoffChannel  string
	FeedbackChannel string
	ManagerChannel  string
	DigestChannel   string
	// SalesTeam, MarketingTeam and Managers hold user (U…) and user-group
	// (S…) IDs.
	SalesTeam     []string
	MarketingTeam []string
	Managers      []string
	SLAAccept     time.Duration
	SLAFirstTouch time.Duration
	Calendar      *businesstime.Calendar
}

// App holds what every handler needs.
type App struct {
	slack   Slack
	store   Store
	courier Courier
	set     Settings
	dir     *directory
	cards   Cards
	log     *slog.Logger
	now     func() time.Time
	// breached counts SLA breaches for the metrics, when set.
	breached func()
	feedback FeedbackStore
	metrics  MetricsStore // handlers/stats.go
	surveys  SurveyStore  // handlers/survey.go
	digests  DigestStore  // handlers/digest.go
	// digestSent counts digests queued, for the metrics, when set.
	digestSent func()
	homes      homeQueue // handlers/home_refresh.go
	// rules route handoffs without an owner: ROUTING_FILE's, else teams,
	// the receiving team's plain rotation (also for leads no rule takes).
	rules, teams *routing.Rules
	accounts     AccountStore // handlers/route.go
	steps        func(token string) StepCompleter
	// workspace is the installation, learned by Prepare (workspace.go).
	workspace atomic.Pointer[Workspace]
	// outbound tells managers of undelivered events (outbound.go); nil
	// shows nothing.
	outbound OutboundStore
}

// Deps are the App's collaborators; Now defaults to time.Now.
type Deps struct {
	Slack    Slack
	Store    Store
	Courier  Courier
	Settings Settings
	Log      *slog.Logger
	Now      func() time.Time
	// OnSLABreach is called once per breach (for the metrics); optional.
	OnSLABreach func()
	// Feedback keeps feedback threads (handlers/feedback.go).
	Feedback FeedbackStore
	// Alignment serves the stats and the survey (handlers/stats.go).
	Alignment AlignmentStore
	// Digests builds and records the weekly digests (handlers/digest.go).
	Digests DigestStore
	// OnDigestSent is called once per digest queued (for the metrics); optional.
	OnDigestSent func()
	// Routing is ROUTING_FILE's rules; nil routes by the teams' plain rotation.
	Routing *routing.Rules
	// Accounts finds accounts' owners for rules that offer them leads first.
	Accounts AccountStore
	// Steps makes the client that completes a Workflow Builder step's run
	// with the run's own token; nil ignores the step.
	Steps func(token string) StepCompleter
	// Outbound tells managers of undelivered outbound events; optional.
	Outbound OutboundStore
}

// New builds the App. The teams must be user (U…) and user-group (S…) IDs,
// as the configuration checks.
func New(d Deps) *App {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Settings.Calendar == nil {
		d.Settings.Calendar = businesstime.New(businesstime.Hours{}, nil, time.UTC)
	}
	teams, err := routing.Default(d.Settings.SalesTeam, d.Settings.MarketingTeam)
	if err != nil {
		panic(fmt.Sprintf("handlers: teams the configuration let through: %v", err))
	}
	rules := d.Routing
	if rules == nil {
		rules = teams
	}
	return &App{
		rules: rules, teams: teams, accounts: d.Accounts, steps: d.Steps,
		slack: d.Slack, store: d.Store, courier: d.Courier, set: d.Settings,
		dir: newDirectory(d.Slack, d.Now), cards: Cards{Now: d.Now}, log: d.Log, now: d.Now,
		breached: d.OnSLABreach, feedback: d.Feedback,
		metrics: d.Alignment, surveys: d.Alignment,
		digests: d.Digests, digestSent: d.OnDigestSent,
		outbound: d.Outbound,
	}
}
