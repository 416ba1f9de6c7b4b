package config

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/storage"
)

const (
	appToken = "xapp-1-A1-SECRETAPP"
	botToken = "xoxb-SECRETBOT"
)

// setEnv sets a valid minimal environment plus overrides; every other
// variable is unset, and an override of "" sets it empty.
func setEnv(t *testing.T, overrides map[string]string) {
	t.Helper()
	env := map[string]string{
		"SLACK_APP_TOKEN": appToken,
		"SLACK_BOT_TOKEN": botToken,
		"HANDOFF_CHANNEL": "C0HANDOFF",
	}
	for k, v := range overrides {
		env[k] = v
	}
	for _, k := range allVariables(t) {
		v, ok := env[k]
		t.Setenv(k, v) // restores the old value when the test ends
		if !ok {
			os.Unsetenv(k)
		}
	}
}

func allVariables(t *testing.T) []string {
	t.Helper()
	var b bytes.Buffer
	if err := Usage(&b); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(b.String(), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

func TestLoadDefaults(t *testing.T) {
	setEnv(t, nil)
	c, err := Load(NeedAll)
	if err != nil {
		t.Fatal(err)
	}
	if c.FeedbackChannel != "C0HANDOFF" {
		t.Errorf("FEEDBACK_CHANNEL defaults to %q, want HANDOFF_CHANNEL", c.FeedbackChannel)
	}
	if c.SLAAccept != 4*time.Hour || c.SLAFirstTouch != 24*time.Hour {
		t.Errorf("SLAs = %v, %v", c.SLAAccept, c.SLAFirstTouch)
	}
	if c.Hours.Always() || c.Location.String() != "UTC" || c.Schedule == nil {
		t.Errorf("time settings not parsed: %+v", c)
	}
	if c.APIURL != "https://slack.com/api/" || c.HTTPAddr != "127.0.0.1:8080" {
		t.Errorf("defaults: api %q http %q", c.APIURL, c.HTTPAddr)
	}
	if c.MaxConns != storage.DefaultMaxConns {
		t.Errorf("DATABASE_MAX_CONNS defaults to %d, want storage's %d", c.MaxConns, storage.DefaultMaxConns)
	}
}

// The configuration's bounds of DATABASE_MAX_CONNS are the pool's.
func TestMaxConnsBoundsAreStorages(t *testing.T) {
	if MinMaxConns != storage.MinMaxConns {
		t.Errorf("config accepts %d connections at least, storage needs %d", MinMaxConns, storage.MinMaxConns)
	}
	setEnv(t, map[string]string{"DATABASE_MAX_CONNS": "12"})
	if c, err := Load(NeedAll); err != nil || c.MaxConns != 12 {
		t.Errorf("DATABASE_MAX_CONNS=12: %v, %v", c, err)
	}
}

func TestLoadParsesLists(t *testing.T) {
	setEnv(t, map[string]string{
		"MANAGERS": "U0MGR, S0LEADS", "SLACK_API_URL": "http://127.0.0.1:9/api",
		"TIMEZONE": "Europe/Berlin", "DIGEST_SCHEDULE": "@every 10m", "HOLIDAYS": "2026-12-25, 2026-12-26",
	})
	c, err := Load(NeedAll)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Managers, "|") != "U0MGR|S0LEADS" {
		t.Errorf("MANAGERS = %q", c.Managers)
	}
	if c.APIURL != "http://127.0.0.1:9/api/" {
		t.Errorf("SLACK_API_URL not given its trailing slash: %q", c.APIURL)
	}
	if len(c.HolidayList) != 2 {
		t.Errorf("HOLIDAYS = %v", c.HolidayList)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	for name, tc := range map[string]struct{ variable, value string }{
		"missing bot token":    {"SLACK_BOT_TOKEN", ""},
		"user token as bot":    {"SLACK_BOT_TOKEN", "xoxp-SECRETUSER"},
		"bot token as app":     {"SLACK_APP_TOKEN", botToken},
		"channel name":         {"HANDOFF_CHANNEL", "#handoffs"},
		"feedback channel":     {"FEEDBACK_CHANNEL", "handoffs"},
		"manager as name":      {"MANAGERS", "U0MGR,@dana"},
		"team as channel":      {"SALES_TEAM", "C0SALES"},
		"zero SLA":             {"SLA_ACCEPT", "0s"},
		"negative SLA":         {"SLA_FIRST_TOUCH", "-1h"},
		"not a duration":       {"SLA_ACCEPT", "four hours"},
		"hours grammar":        {"BUSINESS_HOURS", "Mon-Fri 9-17"},
		"holiday form":         {"HOLIDAYS", "25/12/2026"},
		"zone":                 {"TIMEZONE", "Mars/Olympus"},
		"cron fields":          {"DIGEST_SCHEDULE", "0 9 * *"},
		"cron never fires":     {"DIGEST_SCHEDULE", "0 9 30 2 *"},
		"http addr":            {"HTTP_ADDR", "8080"},
		"log level":            {"LOG_LEVEL", "verbose"},
		"log format":           {"LOG_FORMAT", "xml"},
		"api url":              {"SLACK_API_URL", "ftp://slack"},
		"database url":         {"DATABASE_URL", "mysql://x"},
		"digest channel shape": {"DIGEST_CHANNEL", "D0DM"},
		"too few connections":  {"DATABASE_MAX_CONNS", "5"},
		"negative connections": {"DATABASE_MAX_CONNS", "-1"},
		"connections as words": {"DATABASE_MAX_CONNS", "thirty"},
	} {
		t.Run(name, func(t *testing.T) {
			setEnv(t, map[string]string{tc.variable: tc.value})
			_, err := Load(NeedAll)
			if err == nil {
				t.Fatalf("%s=%q accepted", tc.variable, tc.value)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.variable) {
				t.Errorf("error does not name %s: %s", tc.variable, msg)
			}
			for _, secret := range []string{"SECRETAPP", "SECRETBOT", "SECRETUSER"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error reveals a token: %s", msg)
				}
			}
		})
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	setEnv(t, map[string]string{"SLA_ACCEPT": "0s", "TIMEZONE": "Nowhere/Else", "LOG_FORMAT": "xml"})
	_, err := Load(NeedAll)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, v := range []string{"SLA_ACCEPT", "TIMEZONE", "LOG_FORMAT"} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("%s missing from %s", v, err)
		}
	}
}

// Every missing variable is named in one run, not one per attempt.
func TestLoadNamesEveryMissingVariable(t *testing.T) {
	setEnv(t, map[string]string{"SLACK_APP_TOKEN": "", "SLACK_BOT_TOKEN": "", "HANDOFF_CHANNEL": ""})
	_, err := Load(NeedAll)
	if err == nil {
		t.Fatal("accepted without tokens and channel")
	}
	for _, v := range []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "HANDOFF_CHANNEL"} {
		if !strings.Contains(err.Error(), v+": required") {
			t.Errorf("%s not named as missing: %s", v, err)
		}
	}
}

// Commands that only use the database (migrate, import, export) start
// without any Slack setting.
func TestDatabaseCommandsNeedNoSlack(t *testing.T) {
	setEnv(t, map[string]string{"SLACK_APP_TOKEN": "", "SLACK_BOT_TOKEN": "", "HANDOFF_CHANNEL": "", "TIMEZONE": "Europe/Berlin"})
	c, err := Load(NeedDatabase)
	if err != nil {
		t.Fatalf("database-only load wants more: %v", err)
	}
	if c.Location.String() != "Europe/Berlin" {
		t.Errorf("calendar not read: %v", c.Location)
	}
}

func TestUsageListsEveryVariableWithDefault(t *testing.T) {
	var b bytes.Buffer
	if err := Usage(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "https://slack.com/api/", "DATABASE_URL", "HANDOFF_CHANNEL",
		"FEEDBACK_CHANNEL", "DIGEST_CHANNEL", "MANAGER_CHANNEL", "MANAGERS", "SALES_TEAM", "MARKETING_TEAM",
		"SLA_ACCEPT", "4h", "SLA_FIRST_TOUCH", "24h", "BUSINESS_HOURS", "Mon-Fri 09:00-17:00", "HOLIDAYS",
		"TIMEZONE", "DIGEST_SCHEDULE", "0 9 * * MON", "HTTP_ADDR", ":8080", "LOG_LEVEL", "LOG_FORMAT",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("usage lacks %q:\n%s", want, out)
		}
	}
}

func TestLogValueHidesSecrets(t *testing.T) {
	setEnv(t, map[string]string{
		"DATABASE_URL":  "postgres://bot:HUNTER2@db:5432/handoff?sslpassword=KEYPASS&password=HUNTER3",
		"SLACK_API_URL": "https://proxyuser:PROXYPASS@proxy.example/api/",
	})
	c, err := Load(NeedAll)
	if err != nil {
		t.Fatal(err)
	}
	out := c.LogValue().String()
	for _, secret := range []string{"SECRETAPP", "SECRETBOT", "HUNTER2", "HUNTER3", "KEYPASS", "proxyuser", "PROXYPASS"} {
		if strings.Contains(out, secret) {
			t.Errorf("LogValue reveals %s: %s", secret, out)
		}
	}
}

// RedactURL shows where a URL points and never a password: not in the
// user info, not in a password or sslpassword parameter, not in libpq's
// key=value form, and not in text that is no URL at all.
func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://localhost:5432/handoff?sslmode=disable", "postgres://localhost:5432/handoff?sslmode=disable"},
		{"postgres://bot:PW@db:5432/handoff?sslmode=disable", "postgres://bot:xxxxx@db:5432/handoff?sslmode=disable"},
		{"postgres://bot@db/handoff?sslmode=require&password=PW", "postgres://bot@db/handoff?sslmode=require&password=xxxxx"},
		{"postgresql://db/handoff?sslpassword=P%26W&sslkey=/k.pem", "postgresql://db/handoff?sslpassword=xxxxx&sslkey=/k.pem"},
		{"postgres://db/handoff?Password=PW&x=1&password", "postgres://db/handoff?Password=xxxxx&x=1&password=xxxxx"},
		{"postgres://db/handoff?pass%77ord=PW", "postgres://db/handoff?pass%77ord=xxxxx"},
		{"postgres://db/handoff?%zz=PW", "postgres://db/handoff?%zz=xxxxx"},
		{"host=db user=bot password=PW dbname=handoff", "host=db user=bot password=xxxxx dbname=handoff"},
		{"password = PW host=db", "password=xxxxx host=db"},
		{"host=db password='P W\\' x' sslpassword=PW2 dbname=h", "host=db password=xxxxx sslpassword=xxxxx dbname=h"},
		{"host=db password='P W", "host=db password=xxxxx"},
		{"host=db PASSWORD=PW", "host=db PASSWORD=xxxxx"},
		{"https://slack.com/api/", "https://slack.com/api/"},
		{"https://proxyuser:PW@proxy.example/api/", "https://xxxxx@proxy.example/api/"},
		{"https://TOKEN@proxy.example/api/", "https://xxxxx@proxy.example/api/"},
		{"postgres://bot:PW@[::1:5432/handoff", "(not a URL)"},
		{"PW", "(not a URL)"},
	} {
		got := RedactURL(c.in)
		if got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, "PW") || strings.Contains(got, "TOKEN") || strings.Contains(got, "proxyuser") {
			t.Errorf("RedactURL(%q) = %q shows a secret", c.in, got)
		}
	}
}
