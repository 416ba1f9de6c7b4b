package handlers

import (
	"context"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// visibility is which handoffs userID may look up (domain.Visibility):
// theirs, and the handoff channel's when they are a member of it. When
// Slack cannot say who is in the channel, only their own are.
func (a *App) visibility(ctx context.Context, userID string) domain.Visibility {
	v := domain.Visibility{UserID: userID}
	if a.set.HandoffChannel == "" {
		return v
	}
	member, err := a.dir.inChannel(ctx, a.set.HandoffChannel, userID)
	if err != nil {
		a.log.WarnContext(ctx, "handoff channel members unknown; showing only the person's own handoffs", "error", err)
	}
	if member {
		v.Channel = a.set.HandoffChannel
	}
	return v
}

// mayReference checks that userID may name h as a related handoff.
func (a *App) mayReference(ctx context.Context, userID string, h domain.Handoff) error {
	if a.visibility(ctx, userID).Sees(h) {
		return nil
	}
	return forbidden("You can only pick a handoff you handed off, own, or can see in <#%s>.", a.set.HandoffChannel)
}

// inChannel reports whether user is a member of channel, from
// conversations.members remembered for directoryTTL.
func (d *directory) inChannel(ctx context.Context, channel, user string) (bool, error) {
	d.mu.Lock()
	c, ok := d.channel[channel]
	d.mu.Unlock()
	if !ok || d.now().Sub(c.at) >= directoryTTL {
		members, err := d.fetchChannel(ctx, channel)
		if err != nil {
			return false, err
		}
		c.value = members
	}
	_, found := slices.BinarySearch(c.value, user)
	return found, nil
}

// fetchChannel reads every page of a channel's members and remembers them.
func (d *directory) fetchChannel(ctx context.Context, channel string) ([]string, error) {
	var members []string
	params := &slack.GetUsersInConversationParameters{ChannelID: channel, Limit: 1000}
	for {
		page, next, err := d.slack.GetUsersInConversationContext(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("members of channel %s: %w", channel, err)
		}
		members = append(members, page...)
		if next == "" {
			break
		}
		params.Cursor = next
	}
	slices.Sort(members)
	d.mu.Lock()
	d.channel[channel] = cached[[]string]{members, d.now()}
	d.mu.Unlock()
	return members, nil
}
