package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// directoryTTL is how long who-is-in-which-group, user profiles and
// channel members are trusted when asked for on demand: group changes
// show within minutes without a users.info per click. The teams' members
// are kept fresh in the background instead (directory_refresh.go).
const directoryTTL = 5 * time.Minute

// directory answers "who is this", "who is in this team" and "who is in
// this channel" from Slack, remembering answers for a few minutes.
type directory struct {
	slack   Slack
	now     func() time.Time
	mu      sync.Mutex
	users   map[string]cached[*slack.User]
	group   map[string]cached[[]string]
	channel map[string]cached[[]string] // sorted
}

type cached[T any] struct {
	value T
	at    time.Time
}

func newDirectory(s Slack, now func() time.Time) *directory {
	return &directory{slack: s, now: now, users: map[string]cached[*slack.User]{},
		group: map[string]cached[[]string]{}, channel: map[string]cached[[]string]{}}
}

// user returns a user's profile, asking Slack when it is not known or old.
func (d *directory) user(ctx context.Context, id string) (*slack.User, error) {
	d.mu.Lock()
	c, ok := d.users[id]
	d.mu.Unlock()
	if ok && d.now().Sub(c.at) < directoryTTL {
		return c.value, nil
	}
	return d.fetchUser(ctx, id)
}

// fetchUser asks Slack for a user's profile and remembers it.
func (d *directory) fetchUser(ctx context.Context, id string) (*slack.User, error) {
	u, err := d.slack.GetUserInfoContext(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("look up user %s: %w", id, err)
	}
	d.putUser(u)
	return u, nil
}

// known is what the directory knows of a user, however old, without
// asking Slack.
func (d *directory) known(id string) (*slack.User, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.users[id]
	return c.value, ok
}

func (d *directory) putUser(u *slack.User) {
	d.mu.Lock()
	d.users[u.ID] = cached[*slack.User]{u, d.now()}
	d.mu.Unlock()
}

// members expands user and user-group IDs into user IDs, sorted, once each.
func (d *directory) members(ctx context.Context, ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		if !isGroup(id) {
			out = append(out, id)
			continue
		}
		users, err := d.groupMembers(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, users...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// knownMembers is members from what the directory knows, however old,
// without asking Slack: a group it never loaded adds nobody.
func (d *directory) knownMembers(ids []string) []string {
	var out []string
	d.mu.Lock()
	for _, id := range ids {
		if isGroup(id) {
			out = append(out, d.group[id].value...)
		} else {
			out = append(out, id)
		}
	}
	d.mu.Unlock()
	slices.Sort(out)
	return slices.Compact(out)
}

// byEmail finds a user the directory knows by their email, in any case.
func (d *directory) byEmail(email string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, c := range d.users {
		if c.value != nil && c.value.Profile.Email != "" && strings.EqualFold(c.value.Profile.Email, email) {
			return id, true
		}
	}
	return "", false
}

// knownGroup is a user group's members as the directory knows them,
// however old, and whether it ever loaded them.
func (d *directory) knownGroup(id string) ([]string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.group[id]
	return c.value, ok
}

func isGroup(id string) bool { return strings.HasPrefix(id, "S") }

func (d *directory) groupMembers(ctx context.Context, group string) ([]string, error) {
	d.mu.Lock()
	c, ok := d.group[group]
	d.mu.Unlock()
	if ok && d.now().Sub(c.at) < directoryTTL {
		return c.value, nil
	}
	return d.fetchGroup(ctx, group)
}

// fetchGroup asks Slack for a user group's members and remembers them.
func (d *directory) fetchGroup(ctx context.Context, group string) ([]string, error) {
	users, err := d.slack.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("members of user group %s: %w", group, err)
	}
	d.mu.Lock()
	d.group[group] = cached[[]string]{users, d.now()}
	d.mu.Unlock()
	return users, nil
}

// in reports whether user is one of ids (directly or through a group).
func (d *directory) in(ctx context.Context, user string, ids []string) (bool, error) {
	if slices.Contains(ids, user) {
		return true, nil
	}
	ms, err := d.members(ctx, ids)
	if err != nil {
		return false, err
	}
	_, found := slices.BinarySearch(ms, user)
	return found, nil
}

// human checks that id is an active person, for assignees: bots and
// deactivated accounts cannot own a lead.
func (d *directory) human(ctx context.Context, id string) error {
	u, err := d.user(ctx, id)
	if err != nil {
		if isSlackError(err, "user_not_found") {
			return domain.Errorf(domain.EINVALID, "That person is not in this workspace.")
		}
		return err
	}
	return activeHuman(u)
}

// activeHuman refuses bots and deactivated accounts.
func activeHuman(u *slack.User) error {
	switch {
	case u.IsBot || u.ID == "USLACKBOT":
		return domain.Errorf(domain.EINVALID, "Pick a person: %s is a bot.", u.Name)
	case u.Deleted:
		return domain.Errorf(domain.EINVALID, "Pick someone else: %s's account is deactivated.", u.Name)
	}
	return nil
}

// describe names a user ("U0123 (dana)") or channel for a person reading
// a terminal; an ID it cannot look up stands alone.
func (d *directory) describe(ctx context.Context, id string) string {
	if !strings.HasPrefix(id, "U") && !strings.HasPrefix(id, "W") {
		return id
	}
	if u, err := d.user(ctx, id); err == nil && u.Name != "" {
		return id + " (" + u.Name + ")"
	}
	return id
}

// team is the receiving team of a direction.
func (a *App) team(d domain.Direction) []string {
	if d == domain.ToMarketing {
		return a.set.MarketingTeam
	}
	return a.set.SalesTeam
}

// isManager: with MANAGERS empty, everyone of the installation is.
func (a *App) isManager(ctx context.Context, user string) (bool, error) {
	return a.inTeam(ctx, user, a.set.Managers)
}
