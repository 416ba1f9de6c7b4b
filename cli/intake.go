package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/intake"
	"github.com/handoffbot/handoffbot/ops"
	"github.com/handoffbot/handoffbot/storage"
)

// intakeListener is the intake API of `serve` (INTAKE_ADDR): bound when
// the bot is assembled, so that its address is known (and a port in use
// stops the start), and served once the bot is ready.
type intakeListener struct {
	ln  net.Listener
	api *intake.API
	log *slog.Logger
}

// newIntakeListener binds INTAKE_ADDR; nil when it is empty (the API off).
func newIntakeListener(e Env, db *storage.DB, app *handlers.App) (*intakeListener, error) {
	if e.Config.IntakeAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", e.Config.IntakeAddr)
	if err != nil {
		return nil, fmt.Errorf("intake API: %w", err)
	}
	api := intake.New(intake.Config{
		Keys:     intakeKeys{db: db, now: e.Clock.Now},
		Handoffs: intakeHandoffs{app: app, db: db},
		Log:      e.Log,
		Now:      e.Clock.Now,
	})
	return &intakeListener{ln: ln, api: api, log: e.Log}, nil
}

// serve starts answering; nil when the API is off.
func (l *intakeListener) serve() *ops.Server {
	if l == nil {
		return nil
	}
	l.log.Info("intake API listening", "addr", l.ln.Addr().String())
	return ops.Serve("intake API", l.ln, l.api, l.log)
}

// addr is where the API listens; nil when it is off.
func (l *intakeListener) addr() net.Addr {
	if l == nil {
		return nil
	}
	return l.ln.Addr()
}

// close releases a listener that was bound but never served.
func (l *intakeListener) close() {
	if l != nil {
		l.ln.Close()
	}
}

// intakeKeys finds the stored key a request presents.
type intakeKeys struct {
	db  *storage.DB
	now func() time.Time
}

func (k intakeKeys) Authenticate(ctx context.Context, token string) (intake.Key, error) {
	key, err := k.db.KeyByHash(ctx, intake.Hash(token), k.now())
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return intake.Key{}, intake.ErrUnknownKey
	}
	if err != nil {
		return intake.Key{}, err
	}
	return intake.Key{ID: key.ID, Name: key.Name, Rate: key.Rate, Burst: key.Burst}, nil
}

// intakeHandoffs creates and reads handoffs for the API, through the same
// application path as the New handoff form.
type intakeHandoffs struct {
	app *handlers.App
	db  *storage.DB
}

func (h intakeHandoffs) Create(ctx context.Context, key intake.Key, req intake.Request) (intake.Result, error) {
	created, err := h.app.HandOffIncoming(ctx, handlers.Incoming{
		Handoff: req.NewHandoff(key), AllowDuplicate: req.AllowDuplicate, RequestHash: req.BodyHash,
	})
	if err != nil {
		return intake.Result{}, err
	}
	return intake.Result{Handoff: intake.ViewOf(created.Handoff), Replayed: created.Replayed}, nil
}

func (h intakeHandoffs) Get(ctx context.Context, id int64) (intake.Handoff, error) {
	handoff, err := h.db.Handoff(ctx, id)
	if err != nil {
		return intake.Handoff{}, err
	}
	return intake.ViewOf(handoff), nil
}
