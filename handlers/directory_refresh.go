package handlers

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/sync/errgroup"
)

// The teams' members are kept fresh in the background, so that a form's
// submission, which Slack waits for, picks an owner from what the
// directory knows without asking Slack anything: a users.info per member
// (40 reps at 80 ms each) would outlast Slack's 3 seconds. The directory
// is loaded before the first envelope (Prepare), then refreshed every
// directoryRefresh and on Slack's user_change and subteam_members_changed
// events.
const (
	// directoryRefresh is how often the teams are loaded again.
	directoryRefresh = directoryTTL
	// refreshConcurrency bounds the users.info calls of a refresh at once,
	// well within Slack's rate limit for the method.
	refreshConcurrency = 4
)

// KeepDirectoryFresh refreshes the teams in the directory every
// directoryRefresh until ctx ends.
func (a *App) KeepDirectoryFresh(ctx context.Context) {
	tick := time.NewTicker(directoryRefresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := a.refreshDirectory(ctx); err != nil && ctx.Err() == nil {
				a.log.WarnContext(ctx, "directory refresh incomplete; the next one tries again", "error", err)
			}
		}
	}
}

// teamSettings are every configured team (sales, marketing and managers)
// and everyone the routing rules name.
func (a *App) teamSettings() []string {
	return slices.Concat(a.set.SalesTeam, a.set.MarketingTeam, a.set.Managers, a.rules.Named())
}

// refreshDirectory loads the teams' user groups and every member's profile
// afresh. A failure leaves what was known before and is reported with the
// others once all were tried.
func (a *App) refreshDirectory(ctx context.Context) error {
	var errs []error
	for _, id := range a.teamSettings() {
		if isGroup(id) {
			if _, err := a.dir.fetchGroup(ctx, id); err != nil {
				errs = append(errs, err)
			}
		}
	}
	errs = append(errs, a.dir.fetchUsers(ctx, a.dir.knownMembers(a.teamSettings())))
	return errors.Join(errs...)
}

// fetchUsers loads users' profiles afresh, a few at a time.
func (d *directory) fetchUsers(ctx context.Context, ids []string) error {
	var g errgroup.Group
	g.SetLimit(refreshConcurrency)
	var mu sync.Mutex
	var errs []error
	for _, id := range ids {
		g.Go(func() error {
			if _, err := d.fetchUser(ctx, id); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through errs
	return errors.Join(errs...)
}

// UserChanged is Slack's user_change: a profile edited, an account
// deactivated or made a bot. The directory takes the change at once, then
// reads the whole profile again.
func (a *App) UserChanged(ctx context.Context, e Event) error {
	if e.ChangedUser == nil || e.ChangedUser.ID == "" {
		return nil
	}
	a.dir.applyChange(e.ChangedUser, a.Workspace().TeamID)
	_, err := a.dir.fetchUser(ctx, e.ChangedUser.ID)
	return err
}

// applyChange lays a user_change's fields (which lack the enterprise and
// some of the profile) over what the directory knew. Someone it did not
// know is taken as is only when they are of the workspace, where the
// missing enterprise does not matter.
func (d *directory) applyChange(changed *slack.User, workspace string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.users[changed.ID]
	if !ok && changed.TeamID != workspace {
		return
	}
	u := *changed
	if ok {
		u = *c.value
		u.TeamID, u.Name, u.RealName, u.Deleted, u.IsBot = changed.TeamID, changed.Name, changed.RealName, changed.Deleted, changed.IsBot
	}
	d.users[u.ID] = cached[*slack.User]{&u, d.now()}
}

// TeamMembersChanged is Slack's subteam_members_changed: a user group
// gained or lost members. A group of a team setting is changed at once
// and its new members' profiles are read, so the rotation knows them
// before the next form is submitted.
func (a *App) TeamMembersChanged(ctx context.Context, e Event) error {
	if !slices.Contains(a.teamSettings(), e.Group) {
		return nil
	}
	if !a.dir.changeGroup(e.Group, e.Added, e.Removed) {
		if _, err := a.dir.fetchGroup(ctx, e.Group); err != nil {
			return err
		}
	}
	var unknown []string
	for _, id := range e.Added {
		if _, ok := a.dir.known(id); !ok {
			unknown = append(unknown, id)
		}
	}
	return a.dir.fetchUsers(ctx, unknown)
}

// changeGroup applies a group's added and removed members to what the
// directory knows of it, and reports false, changing nothing, for a group
// it never loaded.
func (d *directory) changeGroup(group string, added, removed []string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.group[group]
	if !ok {
		return false
	}
	members := slices.DeleteFunc(slices.Clone(c.value), func(m string) bool { return slices.Contains(removed, m) })
	for _, m := range added {
		if !slices.Contains(members, m) {
			members = append(members, m)
		}
	}
	d.group[group] = cached[[]string]{members, d.now()}
	return true
}
