package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// homeLimit keeps App Home inside Slack's 100 blocks (about three blocks a
// handoff, plus headers); /handoff list shows the rest.
const homeLimit = 25

// HomeOpened publishes the person's App Home when they open it.
func (a *App) HomeOpened(ctx context.Context, e Event) error {
	if e.Tab != "" && e.Tab != "home" {
		return nil
	}
	return a.publishHome(ctx, e.UserID)
}

// refreshHomes republishes, in the background (home_refresh.go), the App
// Home of everyone a change concerns, so their queue is right the next
// time they look. Best effort: the next app_home_opened redraws it anyway.
func (a *App) refreshHomes(_ context.Context, users ...string) {
	a.homes.add(func(ctx context.Context, u string) {
		if err := a.publishHome(ctx, u); err != nil {
			a.log.InfoContext(ctx, "could not refresh App Home", "user", u, "error", err)
		}
	}, users...)
}

func (a *App) publishHome(ctx context.Context, userID string) error {
	hs, err := a.store.OpenHandoffsFor(ctx, userID)
	if err != nil {
		return err
	}
	blocks := append(a.homeBlocks(userID, hs, a.feedbackCounts(ctx, hs)), a.digestHomeBlocks(ctx, userID)...)
	blocks = append(blocks, a.undeliveredBlocks(ctx, userID)...)
	blocks = append(blocks, a.outboundBlocks(ctx, userID)...)
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	_, err = a.slack.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
	return wrap("publish App Home", err)
}

// homeBlocks lists hs; feedback counts how much feedback each has.
func (a *App) homeBlocks(userID string, hs []domain.Handoff, feedback map[int64]int) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Your handoffs")),
		contextLine("Open handoffs you own or handed off. `/handoff` hands off a new lead; `/handoff help` shows everything else."),
	}
	if len(hs) == 0 {
		return append(blocks, mrkdwn("Nothing open. 🎉"))
	}
	var last domain.State
	for i, h := range hs {
		if i == homeLimit {
			blocks = append(blocks, contextLine(fmt.Sprintf("…and %d more: `/handoff list` shows them all.", len(hs)-homeLimit)))
			break
		}
		if h.State != last {
			blocks = append(blocks, slack.NewDividerBlock(), mrkdwn("*"+h.State.Label()+"*"))
			last = h.State
		}
		blocks = append(blocks, mrkdwn(a.handoffLine(h, userID)+feedbackCountText(feedback[h.ID])))
		if h.Assignee == userID {
			if acts := actionsFor(h, ":"+strconv.FormatInt(h.ID, 10)); acts != nil {
				blocks = append(blocks, acts)
			}
		}
	}
	return blocks
}

// handoffLine is one handoff in a list: lead, role, due time, card link.
func (a *App) handoffLine(h domain.Handoff, userID string) string {
	name := "*" + escape(h.Lead.Name) + "*" + companySuffix(h)
	if h.CardPermalink != "" {
		name = link(h.CardPermalink, h.Lead.Name) + companySuffix(h)
	}
	role := "you own it"
	if h.Assignee != userID {
		role = "with " + user(h.Assignee)
	}
	s := fmt.Sprintf("%s · to %s · %s", name, h.Direction.Label(), role)
	if label, when := a.cards.due(h); label != "" {
		s += " · " + strings.ToLower(label) + " " + when
	}
	return s
}

// List answers /handoff list privately: my open handoffs, grouped by state.
func (a *App) List(ctx context.Context, cmd Command) error {
	hs, err := a.store.OpenHandoffsFor(ctx, cmd.UserID)
	if err != nil {
		return err
	}
	if len(hs) == 0 {
		return a.replyPrivately(ctx, cmd.ResponseURL, "You have no open handoffs. `/handoff` hands off a new lead.")
	}
	var blocks []slack.Block
	var last domain.State
	for i, h := range hs {
		if len(blocks) >= maxMsgBlocks-2 {
			blocks = append(blocks, contextLine(fmt.Sprintf("…and %d more.", len(hs)-i)))
			break
		}
		if h.State != last {
			blocks = append(blocks, mrkdwn("*"+h.State.Label()+"*"))
			last = h.State
		}
		blocks = append(blocks, mrkdwn(a.handoffLine(h, cmd.UserID)))
	}
	return a.replyPrivately(ctx, cmd.ResponseURL, fmt.Sprintf("You have %d open handoffs.", len(hs)), blocks...)
}
