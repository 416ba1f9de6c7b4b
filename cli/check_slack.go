package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/config"
)

// The Slack side of `handoffbot check` (check.go): the tokens, the bot's
// scopes, and the channels, people and user groups the configuration names.

// configuredChannel is a channel and the variables that name it.
type configuredChannel struct {
	id        string
	variables []string
}

// configuredChannels lists each configured channel once, in the order of
// the configuration table (FEEDBACK_CHANNEL is often HANDOFF_CHANNEL).
func (c *checker) configuredChannels() []configuredChannel {
	var out []configuredChannel
	for _, v := range []struct{ name, id string }{
		{"HANDOFF_CHANNEL", c.cfg.HandoffChannel}, {"FEEDBACK_CHANNEL", c.cfg.FeedbackChannel},
		{"DIGEST_CHANNEL", c.cfg.DigestChannel}, {"MANAGER_CHANNEL", c.cfg.ManagerChannel},
	} {
		if v.id == "" {
			continue
		}
		i := slices.IndexFunc(out, func(ch configuredChannel) bool { return ch.id == v.id })
		if i < 0 {
			out = append(out, configuredChannel{id: v.id})
			i = len(out) - 1
		}
		out[i].variables = append(out[i].variables, v.name)
	}
	return out
}

// channels checks that each configured channel exists, is not archived,
// and has the bot in it (conversations.info).
func (c *checker) channels(ctx context.Context, me *slack.AuthTestResponse) {
	for _, ch := range c.configuredChannels() {
		name := strings.Join(ch.variables, " and ") + " " + ch.id
		callCtx, cancel := callCtx(ctx)
		info, err := c.api.GetConversationInfoContext(callCtx, &slack.GetConversationInfoInput{ChannelID: ch.id})
		cancel()
		switch {
		case err != nil:
			c.fail(name+": "+c.describe(err), channelFix(err, ch.variables[0], me.User))
		case info.IsArchived:
			c.fail(fmt.Sprintf("%s: #%s is archived", name, info.Name),
				fmt.Sprintf("unarchive #%s, or set %s to another channel's ID", info.Name, ch.variables[0]))
		case !info.IsMember:
			c.fail(fmt.Sprintf("%s: the bot is not a member of #%s", name, info.Name),
				fmt.Sprintf("invite it: type /invite @%s in #%s", me.User, info.Name))
		default:
			c.pass("%s: #%s, the bot is a member", name, info.Name)
		}
	}
}

func channelFix(err error, variable, botName string) string {
	se, _ := errors.AsType[slack.SlackErrorResponse](err)
	switch se.Err {
	case "channel_not_found":
		return fmt.Sprintf("no channel has this ID, or it is private and the bot is not in it: copy the ID from the channel's details (About → Channel ID) into %s, and type /invite @%s there", variable, botName)
	case "missing_scope":
		return "the app lacks channels:read or groups:read: add them (see manifest.yaml) and reinstall the app"
	}
	return "try again; if it persists, check SLACK_API_URL and Slack's status page"
}

// people checks every user (U…) and user group (S…) in SALES_TEAM,
// MARKETING_TEAM and MANAGERS.
func (c *checker) people(ctx context.Context) {
	for _, v := range []struct {
		name string
		ids  []string
	}{{"SALES_TEAM", c.cfg.SalesTeam}, {"MARKETING_TEAM", c.cfg.MarketingTeam}, {"MANAGERS", c.cfg.Managers}} {
		if len(v.ids) == 0 {
			c.skip(v.name + ": not set")
		}
		for _, id := range v.ids {
			callCtx, cancel := callCtx(ctx)
			if strings.HasPrefix(id, "S") {
				c.userGroup(callCtx, v.name, id)
			} else {
				c.user(callCtx, v.name, id)
			}
			cancel()
		}
	}
}

func (c *checker) userGroup(ctx context.Context, variable, id string) {
	members, err := c.api.GetUserGroupMembersContext(ctx, id)
	se, _ := errors.AsType[slack.SlackErrorResponse](err)
	switch {
	case se.Err == "no_such_subteam":
		c.fail(fmt.Sprintf("%s %s: no user group has this ID", variable, id),
			"copy the group's ID (it starts with S) from Slack's admin pages or the group's link, or list user IDs instead")
	case se.Err == "missing_scope":
		c.fail(fmt.Sprintf("%s %s: %s", variable, id, c.describe(err)), "add the usergroups:read scope (see manifest.yaml) and reinstall the app")
	case err != nil:
		c.fail(fmt.Sprintf("%s %s: %s", variable, id, c.describe(err)), "try again; if it persists, check SLACK_API_URL")
	case len(members) == 0:
		c.fail(fmt.Sprintf("%s %s: the user group has no members", variable, id), "add the people to the group in Slack")
	default:
		c.pass("%s %s: user group with %d members", variable, id, len(members))
	}
}

func (c *checker) user(ctx context.Context, variable, id string) {
	u, err := c.api.GetUserInfoContext(ctx, id)
	se, _ := errors.AsType[slack.SlackErrorResponse](err)
	switch {
	case se.Err == "user_not_found":
		c.fail(fmt.Sprintf("%s %s: no such user", variable, id),
			"copy the member ID from the person's profile (⋮ → Copy member ID)")
	case err != nil:
		c.fail(fmt.Sprintf("%s %s: %s", variable, id, c.describe(err)), "try again; if it persists, check SLACK_API_URL and the users:read scope")
	case u.Deleted:
		c.fail(fmt.Sprintf("%s %s: @%s is deactivated", variable, id, u.Name), fmt.Sprintf("remove %s from %s", id, variable))
	case u.IsBot:
		c.fail(fmt.Sprintf("%s %s: @%s is a bot", variable, id, u.Name), fmt.Sprintf("remove %s from %s", id, variable))
	default:
		c.pass("%s %s: @%s (%s)", variable, id, u.Name, u.RealName)
	}
}

// botToken calls auth.test with the bot token; its reply also carries the
// bot's name and scopes for the checks that follow.
func (c *checker) botToken(ctx context.Context) (*slack.AuthTestResponse, bool) {
	ctx, cancel := callCtx(ctx)
	defer cancel()
	me, err := c.api.AuthTestContext(ctx)
	if err != nil {
		c.fail("bot token (SLACK_BOT_TOKEN): "+c.describe(err), c.tokenFix("SLACK_BOT_TOKEN", err))
		return nil, false
	}
	c.pass("bot token (SLACK_BOT_TOKEN): works in %q as @%s", me.Team, me.User)
	return me, true
}

// appToken calls apps.connections.open, as the Socket Mode connection
// does, and leaves the URL it gets unused.
func (c *checker) appToken(ctx context.Context) {
	ctx, cancel := callCtx(ctx)
	defer cancel()
	if _, _, err := c.api.StartSocketModeContext(ctx); err != nil {
		c.fail("app-level token (SLACK_APP_TOKEN): "+c.describe(err), c.tokenFix("SLACK_APP_TOKEN", err))
		return
	}
	c.pass("app-level token (SLACK_APP_TOKEN): Socket Mode connections can be opened")
}

// describe says what went wrong in a Slack call, without quoting a token.
func (c *checker) describe(err error) string {
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return "Slack says " + se.Err
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return fmt.Sprintf("rate limited by Slack (retry after %s)", rl.RetryAfter)
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		// net/http hides a password in the URL it quotes, not a user name,
		// which in a proxy's URL is often a token.
		return fmt.Sprintf("cannot reach Slack: %s %s: %v", ue.Op, config.RedactURL(ue.URL), ue.Err)
	}
	return "cannot reach Slack: " + err.Error()
}

// tokenFix is what to do about a token Slack refused.
func (c *checker) tokenFix(variable string, err error) string {
	se, isSlack := errors.AsType[slack.SlackErrorResponse](err)
	app := variable == "SLACK_APP_TOKEN"
	switch {
	case !isSlack:
		return fmt.Sprintf("check SLACK_API_URL (%s) and that this machine can reach it (proxy, firewall, DNS)", config.RedactURL(c.cfg.APIURL))
	case se.Err == "token_revoked" || se.Err == "account_inactive" || se.Err == "token_expired":
		if app {
			return "the app-level token was revoked: generate a new one (app settings → Basic Information → App-Level Tokens, scope connections:write) and set SLACK_APP_TOKEN"
		}
		return "the token was revoked or the app uninstalled: reinstall the app (app settings → Install App) and set SLACK_BOT_TOKEN to the new Bot User OAuth Token"
	case se.Err == "not_allowed_token_type" && app:
		return "SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot or user token"
	case se.Err == "not_allowed_token_type":
		return "SLACK_BOT_TOKEN must be the Bot User OAuth Token (xoxb-…), not an app-level or user token"
	case se.Err == "missing_scope" && app:
		return "the app-level token lacks connections:write: generate one with that scope (Basic Information → App-Level Tokens)"
	case app:
		return "copy an app-level token with the connections:write scope from app settings → Basic Information → App-Level Tokens, and check that Socket Mode is enabled (Settings → Socket Mode)"
	}
	return "copy the Bot User OAuth Token (xoxb-…) from app settings → Install App into SLACK_BOT_TOKEN"
}

// requiredScopes are the bot scopes the bot uses: manifest.yaml asks for
// each (a test keeps the two in step), plus chat:write.public, which is
// optional because the channel checks make sure the bot is invited.
var requiredScopes = []string{
	"commands", "chat:write", "im:write", "im:history", "users:read", "users:read.email",
	"usergroups:read", "channels:read", "groups:read", "channels:history", "groups:history",
	"app_mentions:read", "files:write",
}

// missingScopes lists the required scopes absent from Slack's
// X-OAuth-Scopes header value ("chat:write,commands,…").
func missingScopes(header string) []string {
	granted := map[string]bool{}
	for _, s := range strings.Split(header, ",") {
		granted[strings.TrimSpace(s)] = true
	}
	var missing []string
	for _, s := range requiredScopes {
		if !granted[s] {
			missing = append(missing, s)
		}
	}
	return missing
}

// scopes compares the bot token's scopes, which auth.test reports in the
// X-OAuth-Scopes header, with those the bot needs.
func (c *checker) scopes(me *slack.AuthTestResponse) {
	header := me.Header.Get("X-OAuth-Scopes")
	if header == "" {
		c.fail("bot scopes: Slack did not say which scopes the bot token has",
			"check that SLACK_API_URL is Slack's Web API (https://slack.com/api/) or a proxy that passes its headers on")
		return
	}
	if missing := missingScopes(header); len(missing) > 0 {
		c.fail("bot scopes: missing "+strings.Join(missing, ", "),
			"add them under app settings → OAuth & Permissions → Bot Token Scopes (manifest.yaml lists them all), then reinstall the app")
		return
	}
	c.pass("bot scopes: all %d that the bot uses are granted", len(requiredScopes))
}
