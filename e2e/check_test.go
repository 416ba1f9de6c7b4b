package e2e

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/cli"
	"github.com/handoffbot/handoffbot/clock"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/logging"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// Tokens no output may contain.
const (
	checkAppToken = "xapp-1-A1-CHECKSECRETAPP"
	checkBotToken = "xoxb-CHECKSECRETBOT"
)

// checkWorkspace is the test workspace plus the channels a full
// configuration names.
func checkWorkspace(t *testing.T) *fakeslack.Server {
	t.Helper()
	fs, err := fakeslack.New(fakeslack.WithTokens(checkAppToken, checkBotToken))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	e2etest.Populate(fs)
	for _, c := range []fakeslack.Channel{
		{ID: "CFEEDBACK", Name: "feedback", BotIsMember: true},
		{ID: "CDIGEST", Name: "digest", BotIsMember: true},
		{ID: "CMGR", Name: "managers", BotIsMember: true, Members: []string{skinner}},
	} {
		fs.AddChannel(c)
	}
	return fs
}

// runCheck runs `handoffbot check` in-process with a full configuration
// (changed by edit) and returns its output and exit status.
func runCheck(t *testing.T, fs *fakeslack.Server, dbURL string, edit func(c *config.Config)) (string, int) {
	t.Helper()
	cfg := &config.Config{
		AppToken: checkAppToken, BotToken: checkBotToken, APIURL: fs.APIURL(), DatabaseURL: dbURL,
		HandoffChannel: handoffChannel, FeedbackChannel: "CFEEDBACK", DigestChannel: "CDIGEST", ManagerChannel: "CMGR",
		SalesTeam: config.IDs{e2etest.SalesGroup}, MarketingTeam: config.IDs{e2etest.MarketingGroup, john}, Managers: config.IDs{skinner},
		SLAAccept: 4 * time.Hour, SLAFirstTouch: 24 * time.Hour, TimeZone: "Europe/Berlin", BusinessHours: "Mon-Fri 09:00-17:00",
		DigestSchedule: "0 9 * * MON", LogLevel: "debug", LogFormat: "text",
	}
	if edit != nil {
		edit(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, logs e2etest.SyncBuffer
	e := cli.Env{Config: cfg, Log: logging.New(&logs, "text", slog.LevelDebug), Out: &out, Clock: clock.Real{}}
	err := cli.RunWith(ctx, e, []string{"check"})
	code := cli.ExitCode(err, io.Discard)
	all := out.String() + logs.String()
	for _, secret := range []string{checkAppToken, checkBotToken, "CHECKSECRET"} {
		if strings.Contains(all, secret) {
			t.Errorf("check printed a token:\n%s", all)
		}
	}
	return out.String(), code
}

// lineOf returns the output line that starts with mark and contains what,
// and the line after it (a ✗'s fix).
func lineOf(t *testing.T, out, mark, what string) (string, string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, mark) && strings.Contains(l, what) {
			return l, strings.Join(lines[i+1:min(i+2, len(lines))], "")
		}
	}
	t.Errorf("no %q line containing %q in:\n%s", mark, what, out)
	return "", ""
}

// A deployment in order: every line is a ✓, and check exits 0.
func TestCheckAllGreen(t *testing.T) {
	t.Parallel()
	fs := checkWorkspace(t)
	out, code := runCheck(t, fs, storagetest.URL(t), nil)
	t.Logf("handoffbot check:\n%s", out)
	if code != 0 {
		t.Errorf("exit %d, want 0:\n%s", code, out)
	}
	for _, what := range []string{
		`bot token (SLACK_BOT_TOKEN): works in "Fake Workspace" as @handoffbot`,
		"app-level token (SLACK_APP_TOKEN)",
		"bot scopes: all",
		"HANDOFF_CHANNEL CHANDOFF: #handoffs, the bot is a member",
		"FEEDBACK_CHANNEL CFEEDBACK: #feedback",
		"DIGEST_CHANNEL CDIGEST: #digest",
		"MANAGER_CHANNEL CMGR: #managers",
		"SALES_TEAM SSALES: user group with 2 members",
		"MARKETING_TEAM SMARKETING: user group with 2 members",
		"MARKETING_TEAM UJOHN: @john (John Doggett)",
		"MANAGERS USKINNER: @skinner",
		"database (DATABASE_URL): reachable",
		"database connections (DATABASE_MAX_CONNS): up to 30 for this process",
		"database schema: up to date",
		"time zone (TIMEZONE): Europe/Berlin",
		"business hours (BUSINESS_HOURS): Mon-Fri 09:00-17:00",
		"digest schedule (DIGEST_SCHEDULE): next at Mon",
	} {
		lineOf(t, out, "✓ ", what)
	}
	if strings.Contains(out, "✗") || !strings.Contains(out, "checks passed.") {
		t.Errorf("output:\n%s", out)
	}
	if n := len(fs.Calls("apps.connections.open")); n != 1 || fs.ConnectionCount() != 0 {
		t.Errorf("apps.connections.open called %d times, %d sockets open; want 1 call and no socket", n, fs.ConnectionCount())
	}
}

// What goes wrong in real deployments: a channel ID that does not exist,
// a channel the bot was removed from, a revoked app token, a person who
// left, and a database nobody migrated. Each gets its ✗ and its fix; check
// exits 1 and changes nothing.
func TestCheckNamesEachProblemWithItsFix(t *testing.T) {
	t.Parallel()
	fs := checkWorkspace(t)
	fs.RemoveBotFromChannel("CMGR")
	fs.RevokeToken(checkAppToken)
	fs.AddUser(fakeslack.User{ID: "UGONE", Name: "gone", Deleted: true})
	dbURL := storagetest.EmptyURL(t)
	out, code := runCheck(t, fs, dbURL, func(c *config.Config) {
		c.DigestChannel, c.Managers = "CNOSUCH", config.IDs{skinner, "UGONE", "UNOBODY"}
	})
	t.Logf("handoffbot check:\n%s", out)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, c := range []struct{ line, fix string }{
		{"DIGEST_CHANNEL CNOSUCH: Slack says channel_not_found", "About → Channel ID"},
		{"MANAGER_CHANNEL CMGR: the bot is not a member of #managers", "/invite @handoffbot in #managers"},
		{"app-level token (SLACK_APP_TOKEN): Slack says token_revoked", "generate a new one"},
		{"MANAGERS UGONE: @gone is deactivated", "remove UGONE from MANAGERS"},
		{"MANAGERS UNOBODY: no such user", "Copy member ID"},
		{"database schema:", "handoffbot migrate"},
	} {
		if _, fix := lineOf(t, out, "✗ ", c.line); !strings.Contains(fix, "fix: ") || !strings.Contains(fix, c.fix) {
			t.Errorf("fix for %q = %q, want it to mention %q", c.line, fix, c.fix)
		}
	}
	lineOf(t, out, "✓ ", "bot token (SLACK_BOT_TOKEN)")
	lineOf(t, out, "✓ ", "HANDOFF_CHANNEL CHANDOFF")
	lineOf(t, out, "✓ ", "database (DATABASE_URL): reachable")
	if !strings.Contains(out, "6 of ") || !strings.Contains(out, "checks failed.") {
		t.Errorf("summary:\n%s", out)
	}
	db, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := db.MigrationStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(ms, func(m storage.Migration) bool { return m.AppliedAt != nil }) {
		t.Error("check applied migrations; it must change nothing")
	}
}

// With a revoked bot token the built binary says so, skips what needs
// the token instead of failing each line, and exits 1.
func TestCheckRevokedBotTokenExits1(t *testing.T) {
	t.Parallel()
	fs := e2etest.NewFake(t)
	fs.RevokeToken(fs.BotToken())
	p := e2etest.StartProcess(t, e2etest.BotEnv(fs, storagetest.URL(t)), "check")
	if code := p.Wait(t, 60*time.Second); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	out := p.Output.String()
	_, fix := lineOf(t, out, "✗ ", "bot token (SLACK_BOT_TOKEN): Slack says token_revoked")
	if !strings.Contains(fix, "reinstall the app") {
		t.Errorf("fix: %q", fix)
	}
	lineOf(t, out, "- ", "scopes, channels, users and user groups: not checked")
	lineOf(t, out, "✓ ", "app-level token")
	if strings.Contains(out, fs.BotToken()) {
		t.Errorf("output contains the bot token:\n%s", out)
	}
}

// check sizes DATABASE_MAX_CONNS against the server: it says how many
// processes of that size fit in max_connections, and a budget larger than
// the server's is a ✗ with what to set instead.
func TestCheckSizesTheConnectionBudget(t *testing.T) {
	t.Parallel()
	fs := checkWorkspace(t)
	url := storagetest.URL(t)
	out, code := runCheck(t, fs, url, func(c *config.Config) { c.MaxConns = 12 })
	if line, _ := lineOf(t, out, "✓ ", "database connections (DATABASE_MAX_CONNS): up to 12 for this process, of the server's "); !strings.Contains(line, "processes like this one") || code != 0 {
		t.Errorf("exit %d, line %q", code, line)
	}
	out, code = runCheck(t, fs, url, func(c *config.Config) { c.MaxConns = 100_000 })
	if _, fix := lineOf(t, out, "✗ ", "up to 100000 for this process"); !strings.Contains(fix, "set DATABASE_MAX_CONNS to at most") || code != 1 {
		t.Errorf("exit %d, fix %q", code, fix)
	}
}
