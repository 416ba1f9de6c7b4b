package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/handoffbot/handoffbot/businesstime"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/routing"
)

// AccountStore finds the account a lead's email domain belongs to.
type AccountStore interface {
	// Account returns the account of domain, or an ENOTFOUND error.
	Account(ctx context.Context, domain string) (domain.Account, error)
}

// routingLead is what the routing rules read of a handoff.
func routingLead(h domain.Handoff) routing.Lead {
	return routing.Lead{
		Direction: string(h.Direction), Source: h.Source, Campaign: h.Campaign, Priority: string(h.Priority),
		Country: h.Lead.Country, Region: h.Lead.Region, Employees: h.Lead.Employees, Industry: h.Lead.Industry,
		Email: h.Lead.Email,
	}
}

// match finds the rule for a lead: the first rule of ROUTING_FILE that
// holds, else the receiving team's plain rotation.
func (a *App) match(l routing.Lead) (routing.Match, error) {
	m, err := a.rules.Match(l)
	if errors.Is(err, routing.ErrNoRule) {
		m, err = a.teams.Match(l)
	}
	if err != nil {
		return m, fmt.Errorf("routing: %w", err)
	}
	return m, nil
}

// route prepares the routing decision of a new handoff without an owner:
// the matching rule, its people as the directory knows them, the lead's
// account; the store then decides inside the creating transaction, with
// the pools locked.
func (a *App) route(ctx context.Context, h domain.Handoff) (*domain.Route, error) {
	m, err := a.match(routingLead(h))
	if err != nil {
		return nil, err
	}
	groups, err := a.groupsOf(ctx, m.Rule.Groups())
	if err != nil {
		return nil, err
	}
	people, err := m.Rule.People(groups)
	if err != nil {
		return nil, err
	}
	account := a.accountOf(ctx, m)
	if account != nil {
		people = append(people, account.Owner)
	}
	status := a.slackStatus(people, m.Rule.SkipOutsideHours)
	return &domain.Route{
		Pools: m.Rule.Pools(), People: people, DayStart: a.dayStart(h.CreatedAt),
		Decide: func(f domain.RouteFacts) (domain.Routed, error) {
			return a.decide(m, h.Direction, routing.Snapshot{
				Now: h.CreatedAt, Creator: h.CreatedBy, Groups: groups, Account: account,
				People: withFacts(status, f.People), States: decodeStates(f.States),
			})
		},
	}, nil
}

// decide runs the routing and words a lead nobody can take.
func (a *App) decide(m routing.Match, dir domain.Direction, s routing.Snapshot) (domain.Routed, error) {
	out, err := routing.Decide(m, s)
	if err != nil {
		return domain.Routed{}, fmt.Errorf("routing: %w", err)
	}
	d := out.Decision
	if d.Assignee == "" {
		return domain.Routed{}, domain.Errorf(domain.EINVALID, "Choose an assignee: %s", a.nobodyWords(m, dir, d))
	}
	why, err := json.Marshal(d)
	if err != nil {
		return domain.Routed{}, fmt.Errorf("routing: %w", err)
	}
	return domain.Routed{Assignee: d.Assignee, States: encodeStates(out.States),
		Detail: map[string]string{"rule": d.Rule, "pool": d.From, "routing": string(why)}}, nil
}

// nobodyWords says why nobody could take the lead: in the words of the
// team when it was the team's plain rotation, else of the rule.
func (a *App) nobodyWords(m routing.Match, dir domain.Direction, d routing.Decision) string {
	if team, ok := a.teams.Rule(d.Rule); ok && team == m.Rule {
		switch {
		case len(a.team(dir)) == 0:
			return fmt.Sprintf("no %s team is configured to rotate through.", dir.Label())
		case len(d.Skipped) == 0:
			return fmt.Sprintf("nobody else in %s is available.", dir.Label())
		}
		return fmt.Sprintf("nobody else in %s is available (%s).", dir.Label(), skippedWords(d))
	}
	if len(d.Skipped) == 0 {
		return fmt.Sprintf("nobody can take it by the rule %q (its pool is empty).", d.Rule)
	}
	return fmt.Sprintf("nobody can take it by the rule %q (%s).", d.Rule, skippedWords(d))
}

// skippedWords lists who was passed over and why.
func skippedWords(d routing.Decision) string {
	words := make([]string, len(d.Skipped))
	for i, s := range d.Skipped {
		words[i] = user(s.User) + " " + string(s.Reason)
	}
	return strings.Join(words, ", ")
}

// groupsOf expands user groups into their members from what the
// directory knows (it keeps every group the rules name fresh); a group it
// never loaded is asked of Slack.
func (a *App) groupsOf(ctx context.Context, ids []string) (map[string][]string, error) {
	groups := map[string][]string{}
	for _, g := range ids {
		members, ok := a.dir.knownGroup(g)
		if !ok {
			var err error
			if members, err = a.dir.groupMembers(ctx, g); err != nil {
				return nil, err
			}
		}
		groups[g] = members
	}
	return groups, nil
}

// accountOf is the account of the lead's email domain when the rule
// offers leads to account owners first; nil for none.
func (a *App) accountOf(ctx context.Context, m routing.Match) *routing.Account {
	d := m.Lead.AccountDomain()
	if !m.Rule.AccountOwnerFirst || d == "" || a.accounts == nil {
		return nil
	}
	acct, err := a.accounts.Account(ctx, d)
	if err != nil {
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			a.log.WarnContext(ctx, "account look-up failed; routing without it", "error", err)
		}
		return nil
	}
	return &routing.Account{Domain: acct.Domain, Company: acct.Company, Owner: acct.Owner}
}

// slackStatus is what Slack says of people, as the directory knows it
// (kept fresh in the background, so a person waiting is not kept waiting
// for Slack): deactivated or a bot, and (when the rule asks) outside
// their working hours in their own time zone. Someone the directory has
// not loaded yet is taken as available, in the configured zone.
func (a *App) slackStatus(people []string, hours bool) map[string]routing.Person {
	out := map[string]routing.Person{}
	now := a.now()
	for _, id := range people {
		p := routing.Person{}
		u, known := a.dir.known(id)
		switch {
		case known && activeHuman(u) != nil:
			p.Deactivated = true
		case hours:
			tz := ""
			if known {
				tz = u.TZ
			}
			p.OutsideHours = a.outsideHours(tz, now)
		}
		out[id] = p
	}
	return out
}

// outsideHours says whether now falls outside the team's working hours
// as kept in the person's own time zone (the configured zone when Slack
// does not know theirs).
func (a *App) outsideHours(tz string, now time.Time) bool {
	loc, err := time.LoadLocation(tz)
	if tz == "" || err != nil {
		loc = a.set.Calendar.Location()
	}
	cal := businesstime.New(a.set.Calendar.Hours(), nil, loc)
	return !cal.NextOpen(now).Equal(now)
}

// withFacts joins what Slack says of people with what the store keeps.
func withFacts(status map[string]routing.Person, facts map[string]domain.PersonFacts) map[string]routing.Person {
	for id, f := range facts {
		p := status[id]
		p.Open, p.Today, p.Away, p.AwayUntil = f.Open, f.Today, f.Away, f.AwayUntil
		status[id] = p
	}
	return status
}

func decodeStates(raw map[string]json.RawMessage) map[string]routing.State {
	out := map[string]routing.State{}
	for pool, st := range raw {
		var s routing.State
		if json.Unmarshal(st, &s) == nil {
			out[pool] = s
		}
	}
	return out
}

func encodeStates(states map[string]routing.State) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for pool, st := range states {
		if b, err := json.Marshal(st); err == nil {
			out[pool] = b
		}
	}
	return out
}

// dayStart is midnight of t's day in the configured zone: per-day caps
// count from it.
func (a *App) dayStart(t time.Time) time.Time {
	loc := a.set.Calendar.Location()
	d := t.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}
