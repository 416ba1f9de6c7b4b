package e2e

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/logging"
)

// Tokens and text that must not reach the logs.
const (
	logAppToken = "xapp-1-A1-LOGSECRETAPP"
	logBotToken = "xoxb-LOGSECRETBOT"
	// userText is what a person types into the form: a payload body,
	// allowed at debug level only.
	userText = "Zanzibar Quokka"
	userNote = "budget approved by the CFO"
)

// A short story at LOG_LEVEL=debug, in both formats: a handoff with a
// note, a failed Slack call, a refused click, a refusal that quotes what
// was typed, an acceptance. Neither token
// appears anywhere in the logs; lines at info and above carry no payload
// (nothing the person typed); a request's lines carry its envelope, user,
// channel and handoff.
func TestLogsNeverContainTokens(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.LogFormat, c.LogLevel = format, "debug" }),
				e2etest.SlackOptions(fakeslack.WithTokens(logAppToken, logBotToken)))
			w.Slack.Fault("chat.postMessage", fakeslack.Fault{Times: 1, Status: 500})
			card := w.HandOff(monica, userText+" (Acme)", func(f *fakeslack.View) {
				f.SelectUser("Assignee", fox).Fill("Notes", userNote)
			})
			w.User(fox).ExpectDM(t, "handed you a lead")
			w.User(monica).ExpectEphemeral(t, "Handed off")
			w.User(krycek).Click(t, card.Latest(), "Accept") // not his to accept
			w.User(krycek).ExpectEphemeral(t, "")
			w.User(skinner).Slash(t, handoffChannel, "/handoff stats "+userText) // refused, quoting it
			w.User(skinner).ExpectEphemeral(t, strings.ToLower(userText))        // as the refusal quotes it
			w.User(fox).Click(t, card.Latest(), "Accept")
			card.ExpectThreadReply(t, "accepted it")
			w.User(monica).ExpectDM(t, "accepted your handoff")
			w.Finish()

			logs := w.Logs.String()
			mustContain(t, "debug logs", logs, "handoffbot starting", "DEBUG")
			for _, secret := range []string{logAppToken, logBotToken, "LOGSECRET"} {
				if strings.Contains(logs, secret) {
					t.Errorf("a token is in the logs (%s format):\n%s", format, lineWith(logs, secret))
				}
			}
			records := parseRecords(t, format, logs)
			for _, r := range records {
				if r.level == "DEBUG" {
					continue
				}
				for _, typed := range []string{userText, strings.ToLower(userText), userNote} {
					if strings.Contains(r.line, typed) {
						t.Errorf("a payload at %s: %s", r.level, r.line)
					}
				}
			}
			refused := findRecord(t, records, "move refused")
			for _, key := range []string{"envelope_id", "user", "channel", "handoff_id"} {
				if refused.attrs[key] == "" {
					t.Errorf("the refused click's line lacks %s: %s", key, refused.line)
				}
			}
			if refused.attrs["user"] != krycek {
				t.Errorf("refused click logged for user %q, want %s", refused.attrs["user"], krycek)
			}
		})
	}
}

// The configuration as logged at start-up (its LogValue) names no token
// and no database password, in either format, at any level.
func TestConfigLogValueHidesSecrets(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{
		AppToken: logAppToken, BotToken: logBotToken, APIURL: "https://slack.com/api/",
		DatabaseURL: "postgres://bot:DBPASSWORD@db:5432/handoff?sslmode=disable", HandoffChannel: handoffChannel,
	}
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		log := logging.New(&buf, format, slog.LevelDebug)
		log.Debug("handoffbot starting", "config", cfg)
		log.Info("as a value", "config", *cfg)
		out := buf.String()
		for _, secret := range []string{"LOGSECRET", "DBPASSWORD"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s logs reveal %s:\n%s", format, secret, out)
			}
		}
		mustContain(t, format+" config line", out, "handoff_channel", "bot:xxxxx@db:5432")
	}
}

// record is one log line, parsed enough to check levels and attributes.
type record struct {
	line, level, msg string
	attrs            map[string]string
}

func parseRecords(t *testing.T, format, logs string) []record {
	t.Helper()
	var out []record
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		r := record{line: line, attrs: map[string]string{}}
		if format == "json" {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("not a JSON log line: %q", line)
			}
			for k, v := range m {
				r.attrs[k] = strings.Trim(mustJSON(v), `"`)
			}
		} else {
			for _, f := range textFields(line) {
				if k, v, ok := strings.Cut(f, "="); ok {
					r.attrs[k] = strings.Trim(v, `"`)
				}
			}
		}
		r.level, r.msg = r.attrs["level"], r.attrs["msg"]
		if r.level == "" {
			t.Fatalf("log line without a level: %q", line)
		}
		out = append(out, r)
	}
	return out
}

// textFields splits a slog text line on spaces outside quotes.
func textFields(line string) []string {
	var fields []string
	var cur strings.Builder
	quoted, escaped := false, false
	for _, c := range line {
		switch {
		case escaped:
			escaped = false
		case c == '\\' && quoted:
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == ' ' && !quoted:
			fields = append(fields, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteRune(c)
	}
	return append(fields, cur.String())
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func findRecord(t *testing.T, records []record, msg string) record {
	t.Helper()
	for _, r := range records {
		if r.msg == msg {
			return r
		}
	}
	t.Fatalf("no %q line in the logs", msg)
	return record{}
}

func lineWith(logs, s string) string {
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
