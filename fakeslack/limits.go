package fakeslack

import (
	"fmt"
	"unicode/utf8"
)

// Block Kit limits, as Slack documents them. Slack refuses a message that
// breaks them with invalid_blocks and a view with invalid_arguments; the
// fake does the same so that a card that grows too big fails in tests,
// not in production.
const (
	maxMessageBlocks  = 50
	maxViewBlocks     = 100
	maxSectionText    = 3000
	maxSectionFields  = 10
	maxFieldText      = 2000
	maxHeaderText     = 150
	maxActionElements = 25
	maxContextElems   = 10
	maxButtonText     = 75
	maxButtonValue    = 2000
	maxButtonURL      = 3000
	maxOptionText     = 75
	maxOptionValue    = 150
	maxSelectOptions  = 100
	maxOverflowOpts   = 5
	maxIDLen          = 255
	maxViewTitle      = 24
	maxPrivateMeta    = 3000
	maxMessageText    = 40000
	maxLabelText      = 2000
)

// blockChecker accumulates problems with Slack-style messages.
type blockChecker struct {
	problems []string
}

func (c *blockChecker) fail(ptr, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf("[ERROR] "+format+" [json-pointer:%s]", append(args, ptr)...))
}

func (c *blockChecker) maxLen(ptr, s string, limit int) {
	if utf8.RuneCountInString(s) > limit {
		c.fail(ptr, "must be less than %d characters", limit+1)
	}
}

// checkBlocks validates a list of blocks against the per-block limits and
// the surface's block count.
func checkBlocks(blocks []any, maxBlocks int) []string {
	c := &blockChecker{}
	if len(blocks) > maxBlocks {
		c.fail("/blocks", "no more than %d items allowed", maxBlocks)
	}
	seen := map[string]bool{}
	for i, b := range blocks {
		bm := asMap(b)
		ptr := fmt.Sprintf("/blocks/%d", i)
		id := asString(bm["block_id"])
		if id != "" && seen[id] {
			c.fail(ptr+"/block_id", "duplicate block_id %q", id)
		}
		seen[id] = true
		c.maxLen(ptr+"/block_id", id, maxIDLen)
		c.checkBlock(ptr, bm)
	}
	return c.problems
}

func (c *blockChecker) checkBlock(ptr string, b jmap) {
	switch asString(b["type"]) {
	case "section":
		c.checkSection(ptr, b)
	case "header":
		c.plainText(ptr+"/text", b["text"])
		c.maxLen(ptr+"/text/text", textOf(b["text"]), maxHeaderText)
	case "actions":
		els := asSlice(b["elements"])
		if len(els) == 0 {
			c.fail(ptr+"/elements", "must provide at least 1 item")
		}
		if len(els) > maxActionElements {
			c.fail(ptr+"/elements", "no more than %d items allowed", maxActionElements)
		}
	case "context":
		if n := len(asSlice(b["elements"])); n == 0 || n > maxContextElems {
			c.fail(ptr+"/elements", "must provide between 1 and %d items", maxContextElems)
		}
	case "input":
		c.plainText(ptr+"/label", b["label"])
		c.maxLen(ptr+"/label/text", textOf(b["label"]), maxLabelText)
		if asMap(b["element"]) == nil {
			c.fail(ptr+"/element", "missing required field: element")
		}
	}
	actionIDs := map[string]bool{}
	for j, el := range blockElements(b) {
		ep := fmt.Sprintf("%s/elements/%d", ptr, j)
		if id := asString(el["action_id"]); id != "" {
			if actionIDs[id] {
				c.fail(ep+"/action_id", "duplicate action_id %q", id)
			}
			actionIDs[id] = true
			c.maxLen(ep+"/action_id", id, maxIDLen)
		}
		c.checkElement(ep, el)
	}
}

func (c *blockChecker) checkSection(ptr string, b jmap) {
	fields := asSlice(b["fields"])
	if b["text"] == nil && len(fields) == 0 {
		c.fail(ptr, "must provide text or fields")
	}
	if b["text"] != nil {
		c.textObject(ptr+"/text", b["text"])
		c.maxLen(ptr+"/text/text", textOf(b["text"]), maxSectionText)
	}
	if len(fields) > maxSectionFields {
		c.fail(ptr+"/fields", "no more than %d items allowed", maxSectionFields)
	}
	for k, f := range fields {
		c.maxLen(fmt.Sprintf("%s/fields/%d/text", ptr, k), textOf(f), maxFieldText)
	}
}

func (c *blockChecker) checkElement(ptr string, el jmap) {
	switch typ := asString(el["type"]); typ {
	case "button":
		c.plainText(ptr+"/text", el["text"])
		c.maxLen(ptr+"/text/text", textOf(el["text"]), maxButtonText)
		c.maxLen(ptr+"/value", asString(el["value"]), maxButtonValue)
		c.maxLen(ptr+"/url", asString(el["url"]), maxButtonURL)
	case "static_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow":
		opts := optionsOf(el)
		limit := maxSelectOptions
		if typ == "overflow" {
			limit = maxOverflowOpts
		}
		if len(opts) > limit {
			c.fail(ptr+"/options", "no more than %d items allowed", limit)
		}
		if len(opts) == 0 {
			c.fail(ptr+"/options", "must provide at least 1 item")
		}
		c.checkOptions(ptr, opts)
		if io := asMap(el["initial_option"]); io != nil {
			c.checkOptions(ptr+"/initial_option", []jmap{io})
		}
	}
}

func (c *blockChecker) checkOptions(ptr string, opts []jmap) {
	for k, o := range opts {
		op := fmt.Sprintf("%s/options/%d", ptr, k)
		c.textObject(op+"/text", o["text"])
		c.maxLen(op+"/text/text", textOf(o["text"]), maxOptionText)
		c.maxLen(op+"/value", asString(o["value"]), maxOptionValue)
	}
}

// textObject checks a composition text object's shape.
func (c *blockChecker) textObject(ptr string, v any) {
	m := asMap(v)
	switch t := asString(m["type"]); {
	case m == nil:
		c.fail(ptr, "must be a text object")
	case t != "plain_text" && t != "mrkdwn":
		c.fail(ptr+"/type", "must be one of plain_text, mrkdwn")
	case asString(m["text"]) == "":
		c.fail(ptr+"/text", "must be more than 0 characters")
	}
}

// plainText checks a text object that Slack requires to be plain_text.
func (c *blockChecker) plainText(ptr string, v any) {
	c.textObject(ptr, v)
	if m := asMap(v); m != nil && asString(m["type"]) == "mrkdwn" {
		c.fail(ptr+"/type", "must be plain_text")
	}
}

// checkModal validates a modal view: its blocks plus the view-level limits
// (title, submit, close, private_metadata, ids) and the rule that a view
// with input blocks needs a submit button.
func checkModal(v jmap) []string {
	blocks := asSlice(v["blocks"])
	problems := checkBlocks(blocks, maxViewBlocks)
	c := &blockChecker{problems: problems}
	if asString(v["type"]) != "modal" {
		c.fail("/view/type", "must be modal")
	}
	if v["title"] == nil {
		c.fail("/view/title", "missing required field: title")
	}
	for _, f := range []string{"title", "submit", "close"} {
		if v[f] != nil {
			c.plainText("/view/"+f, v[f])
			c.maxLen("/view/"+f+"/text", textOf(v[f]), maxViewTitle)
		}
	}
	if len(inputBlocks(blocks)) > 0 && v["submit"] == nil {
		c.fail("/view/submit", "submit is required when the view has input blocks")
	}
	c.checkViewStrings(v)
	return c.problems
}

// checkHome validates a Home tab view.
func checkHome(v jmap) []string {
	c := &blockChecker{problems: checkBlocks(asSlice(v["blocks"]), maxViewBlocks)}
	if asString(v["type"]) != "home" {
		c.fail("/view/type", "must be home")
	}
	c.checkViewStrings(v)
	return c.problems
}

func (c *blockChecker) checkViewStrings(v jmap) {
	c.maxLen("/view/private_metadata", asString(v["private_metadata"]), maxPrivateMeta)
	c.maxLen("/view/callback_id", asString(v["callback_id"]), maxIDLen)
	c.maxLen("/view/external_id", asString(v["external_id"]), maxIDLen)
}
