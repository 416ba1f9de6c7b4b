package handlers

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// maxViewBytes is Slack's size limit for a view (views.open answers
// view_too_large above it).
const maxViewBytes = 250_000

// modalProblems lists why Slack would refuse to open v, or would open it
// with text the person cannot submit: too many blocks, a title over 24
// characters, private_metadata over 3000, a view over 250 KB, and an input
// prefilled with more than its max_length, with invalid UTF-8 or a NUL.
func modalProblems(v slack.ModalViewRequest) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if n := len(v.Blocks.BlockSet); n > maxModalBlocks {
		add("%d blocks", n)
	}
	for _, t := range []*slack.TextBlockObject{v.Title, v.Submit, v.Close} {
		if t != nil && utf8.RuneCountInString(t.Text) > 24 {
			add("title or button %q over 24 characters", t.Text)
		}
	}
	if n := utf8.RuneCountInString(v.PrivateMetadata); n > 3000 {
		add("private_metadata of %d characters", n)
	}
	if b, err := json.Marshal(v); err != nil || len(b) > maxViewBytes {
		add("view of %d bytes (%v)", len(b), err)
	}
	for id, in := range inputsOf(v) {
		el, ok := in.Element.(*slack.PlainTextInputBlockElement)
		if !ok {
			continue
		}
		switch iv := el.InitialValue; {
		case el.MaxLength > 0 && utf8.RuneCountInString(iv) > el.MaxLength:
			add("input %s prefilled with %d characters, max_length %d", id, utf8.RuneCountInString(iv), el.MaxLength)
		case !savable(iv):
			add("input %s prefilled with %q", id, iv)
		}
	}
	return out
}

// inputsOf maps a modal's input blocks by block ID: the keys Slack accepts
// in a response_action "errors".
func inputsOf(v slack.ModalViewRequest) map[string]*slack.InputBlock {
	out := map[string]*slack.InputBlock{}
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			out[in.BlockID] = in
		}
	}
	return out
}

// maxLengths maps each plain-text input of v to its max_length.
func maxLengths(v slack.ModalViewRequest) map[string]int {
	out := map[string]int{}
	for id, in := range inputsOf(v) {
		if el, ok := in.Element.(*slack.PlainTextInputBlockElement); ok {
			out[id] = el.MaxLength
		}
	}
	return out
}
