package e2e

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/cli"
	"github.com/handoffbot/handoffbot/clock"
	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/logging"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// Secrets in the URLs no output may contain: a password given as
// DATABASE_URL's parameter, and a proxy's user and password in
// SLACK_API_URL.
const (
	queryPassword = "QPWSECRET-51c2"
	proxyUser     = "proxyuser-9d04"
	proxyPassword = "PROXYSECRET-77ab"
)

// withProxyUser is a Web API URL with a proxy's credentials in it.
func withProxyUser(t *testing.T, apiURL string) string {
	t.Helper()
	u, err := url.Parse(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(proxyUser, proxyPassword)
	return u.String()
}

// withQueryPassword is a database URL whose password is a parameter.
func withQueryPassword(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("password", queryPassword) // the test server trusts local connections: any password works
	u.RawQuery = q.Encode()
	return u.String()
}

// mustShowNoURLSecret fails if shown contains any of the URLs' secrets.
func mustShowNoURLSecret(t *testing.T, what, shown string) {
	t.Helper()
	for _, secret := range []string{queryPassword, proxyUser, proxyPassword, "KVSECRET"} {
		if strings.Contains(shown, secret) {
			t.Errorf("%s shows %s:\n%s", what, secret, lineWith(shown, secret))
		}
	}
}

// A password in DATABASE_URL's parameters and a proxy's user info in
// SLACK_API_URL appear nowhere: not in a whole story's logs at debug
// level (the configuration logged at start-up included), not in what
// `handoffbot check` prints, whether Slack and the database answer or not,
// and not in its errors, a DATABASE_URL that does not parse included.
func TestURLSecretsAreNeverShown(t *testing.T) {
	t.Parallel()
	dbURL := withQueryPassword(t, storagetest.URL(t))
	w := newWorld(t, e2etest.OnDatabase(dbURL), e2etest.Configure(func(c *config.Config) {
		c.LogLevel, c.LogFormat = "debug", "json"
		c.APIURL = withProxyUser(t, c.APIURL)
	}))
	card := w.HandOffToFox(lead)
	w.User(fox).Click(t, card, "Accept")
	card.ExpectThreadReply(t, "accepted it")
	w.User(monica).ExpectDM(t, "accepted your handoff")
	w.Finish()
	mustContain(t, "logs", w.Logs.String(), "handoffbot starting", "xxxxx")
	mustShowNoURLSecret(t, "the logs", w.Logs.String())

	fs := checkWorkspace(t)
	for name, edit := range map[string]func(c *config.Config){
		"everything answers": func(c *config.Config) {
			c.APIURL, c.DatabaseURL = withProxyUser(t, fs.APIURL()), dbURL
		},
		"nothing answers": func(c *config.Config) {
			c.APIURL = withProxyUser(t, "http://127.0.0.1:1/api/")
			c.DatabaseURL = "postgres://bot@127.0.0.1:1/handoff?sslmode=disable&password=" + queryPassword
		},
		"key=value that does not parse": func(c *config.Config) {
			c.DatabaseURL = "host=127.0.0.1 port=1 password=KVSECRET " + queryPassword
		},
	} {
		t.Run(name, func(t *testing.T) {
			out, logs, err := runCheckQuietly(t, fs, edit)
			mustContain(t, "check", out, "Checking handoffbot's configuration", "DATABASE_URL")
			mustShowNoURLSecret(t, "check", out+logs+err)
		})
	}
}

// runCheckQuietly is runCheck that also returns the logs and the error,
// whatever they are.
func runCheckQuietly(t *testing.T, fs *fakeslack.Server, edit func(c *config.Config)) (out, logs, errText string) {
	t.Helper()
	cfg := &config.Config{
		AppToken: checkAppToken, BotToken: checkBotToken, APIURL: fs.APIURL(), DatabaseURL: storagetest.URL(t),
		HandoffChannel: handoffChannel, SLAAccept: 4 * time.Hour, SLAFirstTouch: 24 * time.Hour, TimeZone: "UTC",
		BusinessHours: "always", DigestSchedule: "0 9 * * MON", LogLevel: "debug", LogFormat: "text",
	}
	edit(cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var o, l e2etest.SyncBuffer
	e := cli.Env{Config: cfg, Log: logging.New(&l, "text", slog.LevelDebug), Out: &o, Clock: clock.Real{}}
	err := cli.RunWith(ctx, e, []string{"check"})
	var shown strings.Builder
	cli.ExitCode(err, &shown)
	return o.String(), l.String(), shown.String()
}
