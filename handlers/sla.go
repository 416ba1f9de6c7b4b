package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// ActionSnooze is the Snooze menu on a reminder.
const ActionSnooze = "handoff_snooze"

// maxSnoozes bounds how often a handoff's reminders may be put off
// (at most twice, so the clock keeps its meaning).
const maxSnoozes = 2

// snoozes are the Snooze menu's choices.
var snoozes = []struct {
	value string
	wait  time.Duration
	label string
}{
	{"30m", 30 * time.Minute, "30 minutes"},
	{"1h", time.Hour, "1 hour"},
	{"2h", 2 * time.Hour, "2 hours"},
}

// timers are a new handoff's SLA moments: a reminder at half of each
// clock, in business time, and the breach at its end.
func (a *App) timers(h domain.Handoff) []domain.Timer {
	cal := a.set.Calendar
	return []domain.Timer{
		{Clock: domain.ClockAccept, Stage: domain.StageRemind, At: cal.Add(h.CreatedAt, a.set.SLAAccept/2)},
		{Clock: domain.ClockAccept, Stage: domain.StageBreach, At: h.AcceptDueAt},
		{Clock: domain.ClockFirstTouch, Stage: domain.StageRemind, At: cal.Add(h.CreatedAt, a.set.SLAFirstTouch/2)},
		{Clock: domain.ClockFirstTouch, Stage: domain.StageBreach, At: h.FirstTouchDueAt},
	}
}

// running reports whether a clock still runs: the accept clock until the
// accept or reject, the first-touch clock until the first touch (or the
// handoff ends another way).
func running(h domain.Handoff, clock string) bool {
	if clock == domain.ClockAccept {
		return h.State == domain.StatePending
	}
	return h.FirstTouchAt == nil && (h.State == domain.StatePending || h.State == domain.StateAccepted)
}

// FireSLA acts on an SLA timer: a reminder to the owner, or the breach
// told to the owner and the managers, each once however often the timer
// runs; nothing if the clock has stopped.
func (a *App) FireSLA(ctx context.Context, handoffID int64, clock, stage string, seq int) error {
	var escalate []string
	if stage == domain.StageBreach {
		var err error
		if escalate, err = a.managerRecipients(ctx); err != nil {
			return err
		}
	}
	var owed []domain.Message
	fired, err := a.store.FireSLA(ctx, domain.SLAFiring{
		HandoffID: handoffID, Clock: clock, Stage: stage, Seq: seq, At: a.now().UTC(),
		Owed: func(h domain.Handoff) (domain.Owed, bool) {
			if !running(h, clock) {
				return domain.Owed{}, false
			}
			owed = a.slaMessages(h, clock, stage, escalate)
			return domain.Owed{Messages: owed}, true
		},
	})
	if err != nil || !fired {
		return err
	}
	if stage == domain.StageBreach && a.breached != nil {
		a.breached()
	}
	a.deliverNow(ctx, channelsOf(owed)...)
	return nil
}

// managerRecipients is where breaches go: MANAGER_CHANNEL, else each
// manager by DM; with neither, the card's thread (see slaMessages).
func (a *App) managerRecipients(ctx context.Context) ([]string, error) {
	if a.set.ManagerChannel != "" {
		return []string{a.set.ManagerChannel}, nil
	}
	return a.dir.members(ctx, a.set.Managers)
}

var clockNames = map[string]string{domain.ClockAccept: "accept or reject", domain.ClockFirstTouch: "log the first touch on"}

// dueOf is when a clock runs out.
func dueOf(h domain.Handoff, clock string) time.Time {
	if clock == domain.ClockFirstTouch {
		return h.FirstTouchDueAt
	}
	return h.AcceptDueAt
}

func (a *App) slaMessages(h domain.Handoff, clock, stage string, escalate []string) []domain.Message {
	due := dueOf(h, clock)
	when := slackDate(due, "{date_short_pretty} {time}")
	lead := "*" + escape(h.Lead.Name) + "*" + companySuffix(h)
	card := domain.Message{Channel: a.set.HandoffChannel, Card: true, HandoffID: h.ID, Purpose: "card"}
	if stage == domain.StageRemind {
		left := due.Sub(a.now())
		text := fmt.Sprintf("⏰ Reminder: please %s %s %s, due %s (in %s).",
			clockNames[clock], lead, cameFrom(h), when, humanDuration(left))
		if left <= 0 { // a reminder that ran late: the bot was down, or busy
			text = fmt.Sprintf("⏰ Reminder: please %s %s %s, due %s (overdue by %s).",
				clockNames[clock], lead, cameFrom(h), when, humanDuration(-left))
		}
		return []domain.Message{card, {Channel: h.Assignee, Text: text, Blocks: reminderBlocks(h, clock, text),
			CardLink: h.ID, HandoffID: h.ID, Purpose: "sla_reminder"}}
	}
	text := fmt.Sprintf("🚨 SLA breached: %s was due to %s by %s. Owner: %s.", lead, clockNames[clock], when, user(h.Assignee))
	msgs := []domain.Message{card, {Channel: h.Assignee, Text: text, CardLink: h.ID, HandoffID: h.ID, Purpose: "sla_breach_owner"}}
	if len(escalate) == 0 {
		return append(msgs, domain.Message{Channel: a.set.HandoffChannel, InThreadOf: h.ID, Text: text, HandoffID: h.ID, Purpose: "sla_breach_thread"})
	}
	for _, ch := range escalate {
		if ch != h.Assignee {
			msgs = append(msgs, domain.Message{Channel: ch, Text: text, CardLink: h.ID, HandoffID: h.ID, Purpose: "sla_breach_managers"})
		}
	}
	return msgs
}

// reminderBlocks: the reminder with what it asks for, and Snooze.
func reminderBlocks(h domain.Handoff, clock, text string) json.RawMessage {
	value := strconv.FormatInt(h.ID, 10) + ":" + string(h.State)
	var els []slack.BlockElement
	if clock == domain.ClockAccept {
		els = append(els, button(ActionAccept, "Accept", value, slack.StylePrimary), button(ActionReject, "Reject", value, slack.StyleDanger))
	} else if h.State == domain.StateAccepted {
		els = append(els, button(ActionTouch, "Log first touch", value, slack.StylePrimary))
	}
	var opts []*slack.OptionBlockObject
	for _, s := range snoozes {
		opts = append(opts, slack.NewOptionBlockObject(fmt.Sprintf("%d:%s:%s", h.ID, clock, s.value), plain(s.label), nil))
	}
	els = append(els, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Snooze"), ActionSnooze, opts...))
	return blocksJSON([]slack.Block{mrkdwn(text), slack.NewActionBlock("reminder_actions", els...)})
}

// Snooze puts a reminder off by the chosen preset; the breach stays where
// it is. The owner may snooze a handoff at most twice.
func (a *App) Snooze(ctx context.Context, act Action) error {
	id, clock, wait, err := parseSnooze(act.Value)
	if err != nil {
		return err
	}
	h, err := a.store.Handoff(ctx, id)
	if err != nil {
		return err
	}
	if act.UserID != h.Assignee {
		return a.notice(ctx, act, fmt.Sprintf("Only the owner, %s, can snooze this reminder.", user(h.Assignee)))
	}
	if !running(h, clock) {
		return a.notice(ctx, act, fmt.Sprintf("Nothing to snooze: this handoff is %s.", h.State.Label()))
	}
	now := a.now().UTC()
	due := dueOf(h, clock)
	remindAt := now.Add(wait)
	if !remindAt.Before(due) {
		remindAt = time.Time{}
	}
	n, err := a.store.Snooze(ctx, id, clock, act.UserID, now, remindAt, maxSnoozes)
	if domain.ErrorCode(err) == domain.EINVALID {
		return a.notice(ctx, act, domain.ErrorMessage(err)+" It is due "+slackDate(due, "{date_short_pretty} {time}")+".")
	} else if err != nil {
		return err
	}
	msg := fmt.Sprintf("😴 Snoozed: I'll remind you again at %s (snooze %d of %d). The deadline stays %s.",
		slackDate(remindAt, "{time}"), n, maxSnoozes, slackDate(due, "{date_short_pretty} {time}"))
	if remindAt.IsZero() {
		msg = fmt.Sprintf("😴 Snoozed until the deadline, %s (snooze %d of %d).", slackDate(due, "{date_short_pretty} {time}"), n, maxSnoozes)
	}
	return a.notice(ctx, act, msg)
}

// parseSnooze reads "<id>:<clock>:<preset>".
func parseSnooze(v string) (int64, string, time.Duration, error) {
	parts := strings.Split(v, ":")
	bad := domain.Errorf(domain.EINVALID, "That snooze choice is broken; open the reminder again.")
	if len(parts) != 3 || (parts[1] != domain.ClockAccept && parts[1] != domain.ClockFirstTouch) {
		return 0, "", 0, bad
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, "", 0, bad
	}
	for _, s := range snoozes {
		if s.value == parts[2] {
			return id, parts[1], s.wait, nil
		}
	}
	return 0, "", 0, bad
}
