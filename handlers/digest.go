package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// DigestStore is what the weekly digest reads and records; *storage.DB
// satisfies it.
type DigestStore interface {
	HandoffMetrics(ctx context.Context, from, to, now time.Time) (domain.HandoffMetrics, error)
	HandoffMetricsBy(ctx context.Context, from, to, now time.Time, creator string) (domain.HandoffMetrics, error)
	HandoffBreakdown(ctx context.Context, from, to, now time.Time, by string) ([]domain.BreakdownRow, error)
	CampaignsBy(ctx context.Context, from, to, now time.Time, creator string) ([]domain.BreakdownRow, error)
	FeedbackMetrics(ctx context.Context, from, to time.Time) (domain.FeedbackMetrics, error)
	OldestOpenFeedback(ctx context.Context, limit int) ([]domain.Feedback, error)
	OverdueHandoffs(ctx context.Context, now time.Time, limit int) ([]domain.Handoff, error)
	OverdueHandoffsOf(ctx context.Context, now time.Time, user string, limit int) ([]domain.Handoff, error)
	RecordDigest(ctx context.Context, week time.Time, destination, kind string, msg domain.Message) (bool, error)
	DigestDestinations(ctx context.Context, week time.Time) ([]string, error)
	Unsubscribed(ctx context.Context, users []string) (map[string]bool, error)
	SetDigestSubscription(ctx context.Context, user string, on bool, at time.Time) error
}

// Week is the calendar week starting Monday 00:00 in the configured zone
// that contains t.
func (a *App) Week(t time.Time) domain.Period {
	loc := a.set.Calendar.Location()
	day := t.In(loc)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	return domain.Period{Start: monday, End: monday.AddDate(0, 0, 7), Label: "week of " + monday.Format(time.DateOnly)}
}

// LastWeek is the calendar week before the one containing t: what a digest
// sent at t covers.
func (a *App) LastWeek(t time.Time) domain.Period {
	return a.Week(a.Week(t).Start.AddDate(0, 0, -1))
}

// SendDigest records and queues the digest of the week starting weekStart
// for every destination that does not have it yet: the team digest to
// DIGEST_CHANNEL, and a personal one to each MARKETING_TEAM member who has
// not unsubscribed. Re-running it sends nothing twice. It returns how many
// digests it queued.
func (a *App) SendDigest(ctx context.Context, weekStart time.Time) (int, error) {
	week := a.Week(weekStart)
	dests, err := a.digestDestinations(ctx)
	if err != nil {
		return 0, err
	}
	done, err := a.digests.DigestDestinations(ctx, week.Start)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, dest := range dests {
		if slices.Contains(done, dest.channel) {
			continue // recorded before: a rerun or a replica's run
		}
		d, err := a.buildDigest(ctx, week, dest.personalFor)
		if err != nil {
			return sent, err
		}
		msg := domain.Message{Channel: dest.channel, Text: d.fallback(), Blocks: blocksJSON(d.blocks()), Purpose: "digest_" + dest.kind}
		recorded, err := a.digests.RecordDigest(ctx, week.Start, dest.channel, dest.kind, msg)
		if err != nil {
			return sent, err
		}
		if recorded {
			sent++
			if a.digestSent != nil {
				a.digestSent()
			}
		}
	}
	a.deliverNow(ctx, destinationChannels(dests)...)
	return sent, nil
}

// destination is where a digest goes: a channel (team) or a marketer's DM.
type destination struct {
	channel     string
	kind        string // team or personal
	personalFor string // the marketer, for a personal digest
}

// leftOut is a marketer who gets no personal digest, and why.
type leftOut struct {
	user, why string
}

func (a *App) digestDestinations(ctx context.Context) ([]destination, error) {
	dests, _, err := a.digestAudience(ctx)
	return dests, err
}

// digestAudience is who gets the digest, and which marketers do not.
func (a *App) digestAudience(ctx context.Context) ([]destination, []leftOut, error) {
	var dests []destination
	if a.set.DigestChannel != "" {
		dests = append(dests, destination{channel: a.set.DigestChannel, kind: "team"})
	}
	marketers, err := a.dir.members(ctx, a.set.MarketingTeam)
	if err != nil {
		return nil, nil, err
	}
	off, err := a.digests.Unsubscribed(ctx, marketers)
	if err != nil {
		return nil, nil, err
	}
	var out []leftOut
	for _, m := range marketers {
		if off[m] {
			out = append(out, leftOut{m, "turned the digest off"})
		} else if err := a.dir.human(ctx, m); err != nil {
			out = append(out, leftOut{m, domain.ErrorMessage(err)})
		} else {
			dests = append(dests, destination{channel: m, kind: "personal", personalFor: m})
		}
	}
	return dests, out, nil
}

func destinationChannels(dests []destination) []string {
	var chs []string
	for _, d := range dests {
		if !slices.Contains(chs, d.channel) {
			chs = append(chs, d.channel)
		}
	}
	return chs
}

// PreviewDigest is the text of a digest for a week, for `handoffbot digest
// --dry-run`: the team digest, where it would go, and the marketers who
// would get none, with why.
func (a *App) PreviewDigest(ctx context.Context, weekStart time.Time) (string, error) {
	week := a.Week(weekStart)
	d, err := a.buildDigest(ctx, week, "")
	if err != nil {
		return "", err
	}
	dests, out, err := a.digestAudience(ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nWould go to:\n", d.text())
	if len(dests) == 0 {
		b.WriteString("  nobody: set DIGEST_CHANNEL or MARKETING_TEAM\n")
	}
	for _, dest := range dests {
		fmt.Fprintf(&b, "  %s (%s digest)\n", a.dir.describe(ctx, dest.channel), dest.kind)
	}
	if len(out) > 0 {
		b.WriteString("Left out:\n")
	}
	for _, o := range out {
		fmt.Fprintf(&b, "  %s: %s\n", a.dir.describe(ctx, o.user), o.why)
	}
	return b.String(), nil
}

// DigestCommand is /handoff digest preview|subscribe|unsubscribe.
func (a *App) DigestCommand(ctx context.Context, cmd Command) error {
	switch cmd.Text {
	case "preview", "":
		d, err := a.previewFor(ctx, cmd.UserID)
		if err != nil {
			return err
		}
		return a.replyPrivately(ctx, cmd.ResponseURL, d.fallback(), d.blocks()...)
	case "subscribe", "unsubscribe":
		on := cmd.Text == "subscribe"
		if err := a.digests.SetDigestSubscription(ctx, cmd.UserID, on, a.now()); err != nil {
			return err
		}
		a.refreshHomes(ctx, cmd.UserID)
		return a.replyPrivately(ctx, cmd.ResponseURL, subscriptionText(on))
	}
	return a.replyPrivately(ctx, cmd.ResponseURL, "Use `/handoff digest preview`, `/handoff digest subscribe` or `/handoff digest unsubscribe`.")
}

func subscriptionText(on bool) string {
	if on {
		return "📬 You will get the weekly digest by DM (if you are in the marketing team)."
	}
	return "📭 No more weekly digest DMs. `/handoff digest subscribe` turns them back on."
}

// ActionDigestToggle is App Home's digest on/off button.
const ActionDigestToggle = "digest_toggle"

// ToggleDigest turns the digest DM on ("on") or off from App Home.
func (a *App) ToggleDigest(ctx context.Context, act Action) error {
	on := act.Value == "on"
	if err := a.digests.SetDigestSubscription(ctx, act.UserID, on, a.now()); err != nil {
		return err
	}
	a.refreshHomes(ctx, act.UserID)
	return nil
}

// digestHomeBlocks is the App Home switch for the digest DM, shown to the
// marketing team, who receive it.
func (a *App) digestHomeBlocks(ctx context.Context, userID string) []slack.Block {
	if a.digests == nil {
		return nil
	}
	if in, err := a.dir.in(ctx, userID, a.set.MarketingTeam); err != nil || !in {
		return nil
	}
	off, err := a.digests.Unsubscribed(ctx, []string{userID})
	if err != nil {
		a.log.WarnContext(ctx, "digest subscription for App Home", "error", err)
		return nil
	}
	text, label, value := "📬 You get the weekly digest by DM.", "Turn off", "off"
	if off[userID] {
		text, label, value = "📭 Weekly digest DMs are off.", "Turn on", "on"
	}
	sec := slack.NewSectionBlock(md(text), nil, slack.NewAccessory(button(ActionDigestToggle, label, value, slack.StyleDefault)))
	return []slack.Block{slack.NewDividerBlock(), sec}
}
