package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// recipient is where a failure is explained to the person who caused it.
type recipient struct {
	userID      string
	channelID   string
	responseURL string
}

// fail logs a handler's error and tells the user what went wrong: in the
// modal when its submission is still unanswered, else privately.
func (r *Runtime) fail(ctx context.Context, j *job, err error) {
	code := domain.ErrorCode(err)
	msg := domain.ErrorMessage(err)
	switch code {
	case domain.EINTERNAL:
		r.log.ErrorContext(ctx, "handler failed", "error", err)
		msg = fmt.Sprintf("Something went wrong on our side (ref %s). Please try again.", ref(j.envelopeID))
	case domain.EUNAVAIL:
		r.log.WarnContext(ctx, "handler could not reach a dependency", "error", err)
		msg += " Nothing was saved; please try again in a moment."
	default:
		// The sentence can quote what the person typed: only its code is
		// logged above debug.
		r.log.InfoContext(ctx, "request refused", "code", code)
		r.log.DebugContext(ctx, "request refused", "reason", msg)
	}
	if j.settle != nil && j.settle(msg) {
		return
	}
	r.tell(ctx, j.to, msg)
}

// tell sends text privately to a user: through the response URL when Slack
// gave one, as an ephemeral in the channel, or else by DM.
func (r *Runtime) tell(ctx context.Context, to recipient, text string) {
	if to.userID == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	var err error
	switch {
	case to.responseURL != "":
		_, _, err = r.client.PostMessageContext(ctx, to.channelID,
			append(opts, slack.MsgOptionResponseURL(to.responseURL, slack.ResponseTypeEphemeral))...)
	case to.channelID != "":
		_, err = r.client.PostEphemeralContext(ctx, to.channelID, to.userID, opts...)
	default:
		_, _, err = r.client.PostMessageContext(ctx, to.userID, opts...)
	}
	if err != nil {
		r.log.WarnContext(ctx, "could not tell the user about a failure", "error", err)
	}
}
