package fakeslack

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// Blocks are kept as generic JSON (what the bot sent, plus the ids Slack
// fills in) rather than slack.Blocks, so that every block and element type
// survives a round trip and the fake never depends on slack-go knowing a
// type. These helpers read that JSON.

type jmap = map[string]any

func asMap(v any) jmap {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// textOf returns the text of a text object ({"type":"plain_text","text":…})
// or of a bare string.
func textOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return asString(asMap(v)["text"])
}

// decodeBlocks parses a JSON array of blocks.
func decodeBlocks(raw []byte) ([]any, error) {
	var blocks []any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, fmt.Errorf("blocks are not a JSON array: %w", err)
	}
	for i, b := range blocks {
		if asMap(b) == nil {
			return nil, fmt.Errorf("block %d is not an object", i)
		}
	}
	return blocks, nil
}

// toSlackBlocks converts generic blocks to slack.Blocks for callers that
// want typed access.
func toSlackBlocks(blocks []any) slack.Blocks {
	var out slack.Blocks
	if len(blocks) == 0 {
		return out
	}
	raw, err := json.Marshal(blocks)
	if err == nil {
		err = json.Unmarshal(raw, &out)
	}
	if err != nil {
		return slack.Blocks{}
	}
	return out
}

// fromSlackBlocks converts slack.Blocks to generic blocks.
func fromSlackBlocks(b slack.Blocks) []any {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil
	}
	out, _ := decodeBlocks(raw)
	return out
}

// genID returns a short id shaped like the ones Slack generates for blocks
// and elements sent without block_id/action_id. Call with s.mu held.
func (s *Server) genID() string {
	n := (int64(s.nextSeq()) * 2654435761) % 60466176 // 36^5
	return fmt.Sprintf("%05s", strconv.FormatInt(n, 36))
}

// normalizeBlocks fills in missing block_id and action_id as Slack does,
// so that payloads the fake sends back always carry them. Call with s.mu
// held.
func (s *Server) normalizeBlocks(blocks []any) {
	for _, b := range blocks {
		bm := asMap(b)
		if asString(bm["block_id"]) == "" {
			bm["block_id"] = s.genID()
		}
		for _, el := range blockElements(bm) {
			if isInteractive(el) && asString(el["action_id"]) == "" {
				el["action_id"] = s.genID()
			}
		}
	}
}

// blockElements returns the elements a block holds: an actions block's
// elements, a section's accessory, an input's element.
func blockElements(b jmap) []jmap {
	var out []jmap
	switch asString(b["type"]) {
	case "actions", "context_actions":
		for _, e := range asSlice(b["elements"]) {
			if m := asMap(e); m != nil {
				out = append(out, m)
			}
		}
	case "section":
		if m := asMap(b["accessory"]); m != nil {
			out = append(out, m)
		}
	case "input":
		if m := asMap(b["element"]); m != nil {
			out = append(out, m)
		}
	}
	return out
}

func isInteractive(el jmap) bool {
	switch asString(el["type"]) {
	case "image", "mrkdwn", "plain_text", "":
		return false
	}
	return true
}

// elemRef locates one interactive element in a surface.
type elemRef struct {
	block   jmap
	el      jmap
	blockID string
}

func (r elemRef) actionID() string { return asString(r.el["action_id"]) }
func (r elemRef) typ() string      { return asString(r.el["type"]) }

// interactive lists every interactive element of the blocks in order.
func interactive(blocks []any) []elemRef {
	var out []elemRef
	for _, b := range blocks {
		bm := asMap(b)
		for _, el := range blockElements(bm) {
			if isInteractive(el) {
				out = append(out, elemRef{block: bm, el: el, blockID: asString(bm["block_id"])})
			}
		}
	}
	return out
}

// buttons lists the buttons of the blocks with their visible text.
func buttons(blocks []any) []elemRef {
	var out []elemRef
	for _, r := range interactive(blocks) {
		if r.typ() == "button" {
			out = append(out, r)
		}
	}
	return out
}

func buttonTexts(blocks []any) []string {
	var out []string
	for _, r := range buttons(blocks) {
		out = append(out, textOf(r.el["text"]))
	}
	return out
}

// optionsOf returns an element's options, flattening option groups.
func optionsOf(el jmap) []jmap {
	var out []jmap
	for _, o := range asSlice(el["options"]) {
		out = append(out, asMap(o))
	}
	for _, g := range asSlice(el["option_groups"]) {
		for _, o := range asSlice(asMap(g)["options"]) {
			out = append(out, asMap(o))
		}
	}
	return out
}

func optionTexts(opts []jmap) []string {
	out := make([]string, 0, len(opts))
	for _, o := range opts {
		out = append(out, textOf(o["text"]))
	}
	return out
}

// flattenText returns every piece of text a person sees in the blocks, in
// order, mrkdwn untouched: section text and fields, headers, context,
// markdown and rich text, input labels, button labels.
func flattenText(blocks []any) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, b := range blocks {
		bm := asMap(b)
		switch asString(bm["type"]) {
		case "section":
			add(textOf(bm["text"]))
			for _, f := range asSlice(bm["fields"]) {
				add(textOf(f))
			}
		case "header", "markdown":
			add(textOf(bm["text"]))
		case "context":
			for _, e := range asSlice(bm["elements"]) {
				add(textOf(e))
			}
		case "input":
			add(textOf(bm["label"]))
		case "image", "video", "file":
			add(textOf(bm["title"]))
		case "rich_text":
			add(richText(bm["elements"]))
		}
		for _, el := range blockElements(bm) {
			if asString(el["type"]) == "button" {
				add(textOf(el["text"]))
			}
		}
	}
	return out
}

// richText flattens rich_text elements to the text Slack displays.
func richText(v any) string {
	var sb strings.Builder
	for i, e := range asSlice(v) {
		m := asMap(e)
		switch asString(m["type"]) {
		case "text":
			sb.WriteString(asString(m["text"]))
		case "link":
			if t := asString(m["text"]); t != "" {
				sb.WriteString(t)
			} else {
				sb.WriteString(asString(m["url"]))
			}
		case "user":
			sb.WriteString("<@" + asString(m["user_id"]) + ">")
		case "channel":
			sb.WriteString("<#" + asString(m["channel_id"]) + ">")
		case "usergroup":
			sb.WriteString("<!subteam^" + asString(m["usergroup_id"]) + ">")
		case "broadcast":
			sb.WriteString("<!" + asString(m["range"]) + ">")
		case "emoji":
			sb.WriteString(":" + asString(m["name"]) + ":")
		default: // sections, lists, quotes, preformatted
			if i > 0 && sb.Len() > 0 {
				sb.WriteString("\n")
			}
			sb.WriteString(richText(m["elements"]))
		}
	}
	return sb.String()
}

// inputBlocks lists a view's input blocks.
func inputBlocks(blocks []any) []jmap {
	var out []jmap
	for _, b := range blocks {
		if bm := asMap(b); asString(bm["type"]) == "input" {
			out = append(out, bm)
		}
	}
	return out
}

// labels lists the input labels of a view, in order.
func labels(blocks []any) []string {
	var out []string
	for _, b := range inputBlocks(blocks) {
		out = append(out, textOf(b["label"]))
	}
	return out
}

// findInput returns the input block whose label is label (exact match
// first, then case-insensitive).
func findInput(blocks []any, label string) jmap {
	ins := inputBlocks(blocks)
	for _, b := range ins {
		if textOf(b["label"]) == label {
			return b
		}
	}
	for _, b := range ins {
		if strings.EqualFold(textOf(b["label"]), label) {
			return b
		}
	}
	return nil
}

// deepCopy copies generic JSON so a stored version never aliases what a
// caller may still modify.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	default:
		return v
	}
}
