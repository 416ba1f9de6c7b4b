package handlers

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/markup"
)

// Slack's Block Kit limits (Slack's Block Kit reference).
const (
	maxSectionText = 3000
	maxButtonText  = 75
	maxHeaderText  = 150
	maxOptionText  = 75
	maxModalBlocks = 100
	maxMsgBlocks   = 50
)

// escape makes user-typed text display as typed (markup.Escape).
func escape(s string) string { return markup.Escape(s) }

// mrkdwn is a section of Slack markdown, cut to Slack's limit.
func mrkdwn(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(md(truncateMrkdwn(text, maxSectionText)), nil, nil)
}

// truncateMrkdwn cuts escaped mrkdwn to max characters, never inside an
// entity (&amp;) or a token (<@U1>, a link): half of either shows Slack
// a bare & or <.
func truncateMrkdwn(s string, max int) string {
	cut := truncateRunes(s, max)
	if cut == s {
		return s
	}
	body := strings.TrimSuffix(cut, "…")
	if amp := strings.LastIndexByte(body, '&'); amp >= 0 && !strings.Contains(body[amp:], ";") {
		body = body[:amp]
	}
	if lt := strings.LastIndexByte(body, '<'); lt >= 0 && !strings.Contains(body[lt:], ">") {
		body = body[:lt]
	}
	return body + "…"
}

func md(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, false, false)
}

func contextLine(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", md(truncateMrkdwn(text, maxSectionText)))
}

// button makes a button whose text fits Slack's limit.
func button(actionID, text, value string, style slack.Style) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID, value, plain(truncateRunes(text, maxButtonText)))
	b.Style = style
	return b
}

// link is a Slack link to url with user-typed label; url must already be
// known to be http(s).
func link(url, label string) string {
	return fmt.Sprintf("<%s|%s>", strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C").Replace(url), escape(label))
}

// slackDate shows t in each reader's own time zone, with fallback text.
func slackDate(t time.Time, format string) string {
	return fmt.Sprintf("<!date^%d^%s|%s>", t.Unix(), format, t.UTC().Format("2006-01-02 15:04 UTC"))
}

func user(id string) string { return "<@" + id + ">" }

// blocksJSON stores blocks in the outbox.
func blocksJSON(blocks []slack.Block) json.RawMessage {
	b, err := json.Marshal(blocks)
	if err != nil {
		panic(fmt.Sprintf("marshal blocks: %v", err)) // our own block types always marshal
	}
	return b
}
