package handlers

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// MetricsStore is what the stats (and the survey's measured figures) read;
// *storage.DB satisfies it. The digest reads the same HandoffMetrics, so
// a period's numbers are the same wherever they are shown.
type MetricsStore interface {
	HandoffMetrics(ctx context.Context, from, to, now time.Time) (domain.HandoffMetrics, error)
	HandoffBreakdown(ctx context.Context, from, to, now time.Time, by string) ([]domain.BreakdownRow, error)
	WeeklySeries(ctx context.Context, weeks int, now time.Time, loc *time.Location) ([]domain.WeekPoint, error)
	FeedbackMetrics(ctx context.Context, from, to time.Time) (domain.FeedbackMetrics, error)
	RecordStatsRequest(ctx context.Context, r domain.StatsRequest) error
	CountStatsRequests(ctx context.Context, from, to time.Time) (int, error)
}

// AlignmentStore is the one store the stats and the survey need, so the
// wiring passes a single value.
type AlignmentStore interface {
	MetricsStore
	SurveyStore
}

// chartWeeks is how far back the stats chart looks: a quarter of weeks
// shows a trend without squeezing the labels.
const chartWeeks = 12

// statsAsk is one request for stats, from /handoff stats or an @mention.
type statsAsk struct {
	user, channel, thread string
	text                  string // after "stats": [period] [by source|campaign|rep]
}

// statsQuery is what a request asks for, parsed.
type statsQuery struct {
	period domain.Period
	by     string // "", source, campaign or rep
}

// Stats answers /handoff stats: the scoreboard and its chart, posted in the
// channel for everyone. Refusals and bad periods come back as errors the
// runtime tells the person privately.
func (a *App) Stats(ctx context.Context, cmd Command) error {
	return a.stats(ctx, statsAsk{user: cmd.UserID, channel: cmd.ChannelID, text: cmd.Text})
}

var mentionTag = regexp.MustCompile(`<@[UW][A-Z0-9]+(\|[^>]*)?>`)

// Mention answers an @mention of the bot in a channel: `stats …` does what
// /handoff stats does; anything else gets a short hint. Events have no
// response URL, so refusals are answered with an ephemeral message here.
func (a *App) Mention(ctx context.Context, e Event) error {
	if e.BotID != "" || e.UserID == "" {
		return nil
	}
	text := strings.TrimSpace(mentionTag.ReplaceAllString(e.Text, " "))
	word, rest, _ := strings.Cut(text, " ")
	if !strings.EqualFold(word, "stats") {
		return a.ephemeral(ctx, e.Channel, e.UserID, e.ThreadTS,
			"Mention me with `stats [7d|30d|90d|quarter|ytd|YYYY-MM-DD..YYYY-MM-DD] [by source|campaign|rep]` for the alignment stats, or type `/handoff help`.")
	}
	err := a.stats(ctx, statsAsk{user: e.UserID, channel: e.Channel, thread: e.ThreadTS, text: strings.TrimSpace(rest)})
	if err == nil {
		return nil
	}
	msg := domain.ErrorMessage(err)
	if domain.ErrorCode(err) == domain.EINTERNAL {
		msg = "Something went wrong on our side while counting. Please try again."
	}
	if perr := a.ephemeral(ctx, e.Channel, e.UserID, e.ThreadTS, msg); perr != nil {
		return errors.Join(err, perr)
	}
	if domain.ErrorCode(err) == domain.EINTERNAL {
		return err
	}
	return nil
}

func (a *App) ephemeral(ctx context.Context, channel, userID, thread, text string) error {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, err := a.slack.PostEphemeralContext(ctx, channel, userID, opts...)
	return wrap("answer privately", err)
}

// stats checks, counts, posts the scoreboard, then the chart next to it.
func (a *App) stats(ctx context.Context, ask statsAsk) error {
	if ok, err := a.isManager(ctx, ask.user); err != nil {
		return err
	} else if !ok {
		return forbidden("The stats are posted for the whole channel, so only managers (MANAGERS) can ask for them. Ask one of them, or your admin to add you.")
	}
	now := a.now()
	q, err := parseStatsQuery(ask.text, now, a.set.Calendar.Location())
	if err != nil {
		return err
	}
	r, err := a.statsReport(ctx, q, now)
	if err != nil {
		return err
	}
	opts := []slack.MsgOption{slack.MsgOptionText(r.fallback(), false), slack.MsgOptionBlocks(r.blocks(ask.user)...)}
	if ask.thread != "" {
		opts = append(opts, slack.MsgOptionTS(ask.thread))
	}
	if _, _, err := a.slack.PostMessageContext(ctx, ask.channel, opts...); err != nil {
		return notInChannel(err, "post the stats")
	}
	if err := a.metrics.RecordStatsRequest(ctx, domain.StatsRequest{UserID: ask.user, Channel: ask.channel,
		Period: q.period.Label, Breakdown: q.by, At: now}); err != nil {
		a.log.WarnContext(ctx, "could not record the stats request", "error", err)
	}
	return a.postChart(ctx, ask, now)
}

// notInChannel explains the usual reason a post fails: the bot was never
// invited where it was asked.
func notInChannel(err error, doing string) error {
	if isSlackError(err, "not_in_channel", "channel_not_found") {
		return domain.Errorf(domain.EINVALID, "I'm not in this channel, so I can't post here. Invite me with `/invite @Lead Handoff` and ask again.")
	}
	return wrap(doing, err)
}

// parseStatsQuery reads "[period] [by source|campaign|rep]".
func parseStatsQuery(text string, now time.Time, loc *time.Location) (statsQuery, error) {
	words := strings.Fields(strings.ToLower(text))
	var q statsQuery
	var rest []string
	for i := 0; i < len(words); i++ {
		if words[i] != "by" {
			rest = append(rest, words[i])
			continue
		}
		if i+1 >= len(words) || !domain.ValidBreakdown(words[i+1]) {
			return q, domain.Errorf(domain.EINVALID, "Break the stats down `by source`, `by campaign` or `by rep`.")
		}
		q.by = words[i+1]
		i++
	}
	p, err := domain.ParsePeriod(strings.Join(rest, " "), now, loc)
	if err != nil {
		return q, err
	}
	q.period = p
	return q, nil
}

// statsReport is everything the stats message shows.
type statsReport struct {
	q               statsQuery
	loc             *time.Location
	cur, prev       domain.HandoffMetrics
	curFB, prevFB   *domain.FeedbackMetrics
	breakdown       []domain.BreakdownRow
	breakdownLabels map[string]string // rep user ID → name
}

func (a *App) statsReport(ctx context.Context, q statsQuery, now time.Time) (statsReport, error) {
	r := statsReport{q: q, loc: a.set.Calendar.Location()}
	prev := q.period.Previous()
	var err error
	if r.cur, err = a.metrics.HandoffMetrics(ctx, q.period.Start, q.period.End, now); err != nil {
		return r, err
	}
	if r.prev, err = a.metrics.HandoffMetrics(ctx, prev.Start, prev.End, now); err != nil {
		return r, err
	}
	cur, err1 := a.metrics.FeedbackMetrics(ctx, q.period.Start, q.period.End)
	old, err2 := a.metrics.FeedbackMetrics(ctx, prev.Start, prev.End)
	if err := errors.Join(err1, err2); err != nil {
		a.log.WarnContext(ctx, "feedback figures left out of the stats", "error", err)
	} else {
		r.curFB, r.prevFB = &cur, &old
	}
	if q.by == "" {
		return r, nil
	}
	if r.breakdown, err = a.metrics.HandoffBreakdown(ctx, q.period.Start, q.period.End, now, q.by); err != nil {
		return r, err
	}
	if q.by == "rep" {
		r.breakdownLabels = a.repNames(ctx, r.breakdown)
	}
	return r, nil
}

// repNames shows reps by name in the table (a code block cannot render a
// mention); an unknown user keeps their ID.
func (a *App) repNames(ctx context.Context, rows []domain.BreakdownRow) map[string]string {
	names := map[string]string{}
	for _, row := range rows {
		if row.Other || row.Key == "" {
			continue
		}
		u, err := a.dir.user(ctx, row.Key)
		switch {
		case err != nil:
			names[row.Key] = row.Key
		case u.RealName != "":
			names[row.Key] = u.RealName
		default:
			names[row.Key] = u.Name
		}
	}
	return names
}
