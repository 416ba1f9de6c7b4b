package fakeslack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// mrkdwnToken matches the control sequences a bot may write in mrkdwn: a
// user, channel or user-group mention, a date, or a link with an optional
// label. Anything else between < and > is text someone forgot to escape.
var mrkdwnToken = regexp.MustCompile(`^<(?:` +
	`@[UW][A-Z0-9]+` +
	`|#[CG][A-Z0-9]+(?:\|[^<>]*)?` +
	`|!subteam\^S[A-Z0-9]+` +
	`|!date\^\d+\^[^|<>]*(?:\^[^|<>]*)?\|[^<>]*` +
	`|(?:https?://|mailto:)[^|<>\s]+(?:\|[^<>]*)?` +
	`)>`)

// MrkdwnProblems lists what in s Slack would not show as the bot meant:
// a < or > outside a mention, date or link token, and an & that starts
// none of the three entities (&amp; &lt; &gt;). Text a person typed must
// have all three escaped; a bare "<" swallows what follows up to the next
// ">", and "<!channel>" notifies a whole channel.
func MrkdwnProblems(s string) []string {
	var problems []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			tok := mrkdwnToken.FindString(s[i:])
			if tok == "" {
				problems = append(problems, fmt.Sprintf("unescaped < at %d: %q", i, excerpt(s, i)))
				continue
			}
			if p := entityProblems(tok); p != "" {
				problems = append(problems, fmt.Sprintf("in %q: %s", tok, p))
			}
			i += len(tok) - 1
		case '>':
			problems = append(problems, fmt.Sprintf("unescaped > at %d: %q", i, excerpt(s, i)))
		case '&':
			if !hasEntity(s[i:]) {
				problems = append(problems, fmt.Sprintf("unescaped & at %d: %q", i, excerpt(s, i)))
			}
		}
	}
	return problems
}

// entityProblems checks the &s of a token's label.
func entityProblems(tok string) string {
	for i := range len(tok) {
		if tok[i] == '&' && !hasEntity(tok[i:]) {
			return "unescaped & in the label"
		}
	}
	return ""
}

func hasEntity(s string) bool {
	return strings.HasPrefix(s, "&amp;") || strings.HasPrefix(s, "&lt;") || strings.HasPrefix(s, "&gt;")
}

func excerpt(s string, i int) string {
	from, to := max(i-20, 0), min(i+20, len(s))
	return s[from:to]
}

// MrkdwnOf lists every mrkdwn text a Web API call carries: a message's
// text (mrkdwn unless the call says otherwise) and every mrkdwn text object
// of its blocks or view. Plain text objects are left out:
// Slack shows them as they are.
func MrkdwnOf(c Call) []string {
	var texts []string
	params := c.Params
	if c.Method == "response_url" {
		var body map[string]any
		if json.Unmarshal(c.Body, &body) != nil {
			return nil
		}
		params = map[string]string{"text": asString(body["text"])}
		if b, err := json.Marshal(body["blocks"]); err == nil {
			params["blocks"] = string(b)
		}
	}
	if t := params["text"]; t != "" && params["mrkdwn"] != "false" {
		texts = append(texts, t)
	}
	for _, key := range []string{"blocks", "view"} {
		var v any
		if raw := params[key]; raw != "" && json.Unmarshal([]byte(raw), &v) == nil {
			texts = append(texts, mrkdwnObjects(v)...)
		}
	}
	return texts
}

// mrkdwnObjects walks decoded JSON for {"type": "mrkdwn", "text": …}.
func mrkdwnObjects(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if v["type"] == "mrkdwn" {
			if t, ok := v["text"].(string); ok {
				out = append(out, t)
			}
		}
		for _, child := range v {
			out = append(out, mrkdwnObjects(child)...)
		}
	case []any:
		for _, child := range v {
			out = append(out, mrkdwnObjects(child)...)
		}
	}
	return out
}
