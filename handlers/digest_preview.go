package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/handoffbot/handoffbot/domain"
)

// previewFor is this week's digest so far, as `/handoff digest preview`
// shows it to userID. The whole digest quotes people's feedback and names
// every overdue lead, so it is for marketing (MARKETING_TEAM), who receive
// it, and managers (MANAGERS); anyone else sees only their own part.
func (a *App) previewFor(ctx context.Context, userID string) (digest, error) {
	p := domain.Period{Start: a.Week(a.now()).Start, End: a.now(), Label: "this week so far"}
	whole, err := a.mayPreviewWholeDigest(ctx, userID)
	if err != nil {
		return digest{}, err
	}
	if whole {
		return a.buildDigest(ctx, p, userID)
	}
	return a.ownDigest(ctx, p, userID)
}

func (a *App) mayPreviewWholeDigest(ctx context.Context, userID string) (bool, error) {
	if ok, err := a.isMarketer(ctx, userID); err != nil || ok {
		return ok, err
	}
	return a.isManager(ctx, userID)
}

// ownDigest is a person's part of the digest: the handoffs they made this
// period, and those of theirs (made or owned) past an SLA.
func (a *App) ownDigest(ctx context.Context, p domain.Period, userID string) (digest, error) {
	now := a.now()
	mine, err := a.personalSection(ctx, p, userID, now)
	if err != nil {
		return digest{}, err
	}
	d := digest{title: "Your part of the weekly handoff digest · " + a.periodLabel(p), sections: []string{mine}}
	overdue, err := a.digests.OverdueHandoffsOf(ctx, now, userID, digestAttention)
	if err != nil {
		return digest{}, err
	}
	if len(overdue) > 0 {
		lines := []string{"*Yours that need attention*"}
		for _, h := range overdue {
			label, when := a.cards.due(h)
			lines = append(lines, fmt.Sprintf("• %s · %s · %s %s", a.handoffRef(h), user(h.Assignee), strings.ToLower(label), when))
		}
		d.sections = append(d.sections, strings.Join(lines, "\n"))
	}
	d.sections = append(d.sections, "_The whole digest, with everyone's handoffs and feedback, is for marketing and managers._")
	return d, nil
}
