package fakeslack

import (
	"strings"

	"github.com/slack-go/slack"
)

// RenderText renders Block Kit as readable plain text, the way the demo
// prints what each person sees: headers as "# …", sections and fields,
// context lines, buttons as [Button], selects as [Choice ▾], inputs as
// "Label: value". mrkdwn is left as is.
func RenderText(blocks slack.Blocks) string {
	return renderBlocks(fromSlackBlocks(blocks), nil)
}

// renderBlocks renders generic blocks; state supplies input values (nil:
// the elements' initial values).
func renderBlocks(blocks []any, state map[string]map[string]jmap) string {
	var lines []string
	for _, b := range blocks {
		bm := asMap(b)
		if l := renderBlock(bm, state); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func renderBlock(b jmap, state map[string]map[string]jmap) string {
	switch asString(b["type"]) {
	case "header":
		return "# " + textOf(b["text"])
	case "section":
		return renderSection(b)
	case "context":
		var parts []string
		for _, e := range asSlice(b["elements"]) {
			if t := textOf(e); t != "" {
				parts = append(parts, t)
			}
		}
		return "  " + strings.Join(parts, " · ")
	case "divider":
		return "---"
	case "actions":
		var parts []string
		for _, e := range asSlice(b["elements"]) {
			parts = append(parts, renderElement(asMap(e)))
		}
		return strings.Join(parts, " ")
	case "input":
		return renderInput(b, state)
	case "image":
		return "[image: " + asString(b["alt_text"]) + "]"
	case "rich_text":
		return richText(b["elements"])
	default:
		return strings.Join(flattenText([]any{b}), "\n")
	}
}

func renderSection(b jmap) string {
	var lines []string
	if t := textOf(b["text"]); t != "" {
		lines = append(lines, t)
	}
	for _, f := range asSlice(b["fields"]) {
		lines = append(lines, "  "+textOf(f))
	}
	if acc := asMap(b["accessory"]); acc != nil && asString(acc["type"]) != "image" {
		if len(lines) == 0 {
			lines = append(lines, "")
		}
		lines[0] += " " + renderElement(acc)
	}
	return strings.Join(lines, "\n")
}

// renderElement renders an interactive element inline.
func renderElement(el jmap) string {
	switch typ := asString(el["type"]); typ {
	case "button":
		return "[" + textOf(el["text"]) + "]"
	case "overflow":
		return "[…]"
	case "image":
		return ""
	default:
		label := stateText(initialValue(el))
		if label == "" {
			label = textOf(el["placeholder"])
		}
		if label == "" {
			label = typ
		}
		return "[" + label + " ▾]"
	}
}

func renderInput(b jmap, state map[string]map[string]jmap) string {
	el := asMap(b["element"])
	st := state[asString(b["block_id"])][asString(el["action_id"])]
	if st == nil {
		st = initialValue(el)
	}
	val := stateText(st)
	if val == "" {
		val = "_"
	}
	label := textOf(b["label"])
	if b["optional"] == true {
		label += " (optional)"
	}
	return label + ": " + val
}
