package fakeslack

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// viewRec is one modal or Home tab across its versions, with the input the
// user has typed into it (state survives views.update for inputs whose
// block_id and action_id are unchanged, as in Slack).
type viewRec struct {
	id         string
	user       string
	kind       string // "modal" or "home"
	versions   []viewVersion
	state      map[string]map[string]jmap // block_id → action_id → state value
	open       bool
	rootID     string
	prevID     string
	externalID string
	extOptions map[string][]jmap // external_select options last offered, by block_id/action_id
}

type viewVersion struct {
	view jmap // the view as the bot defined it, blocks normalized
	hash string
	at   time.Time
}

type viewStore struct {
	byID   map[string]*viewRec
	byExt  map[string]*viewRec
	stacks map[string][]*viewRec // user → open modals, root first
	homes  map[string]*viewRec   // user → Home tab
}

func (vs *viewStore) init() {
	vs.byID = map[string]*viewRec{}
	vs.byExt = map[string]*viewRec{}
	vs.stacks = map[string][]*viewRec{}
	vs.homes = map[string]*viewRec{}
}

func (r *viewRec) latest() viewVersion { return r.versions[len(r.versions)-1] }

// View is one version of a modal or Home tab as its user sees it, plus the
// simulator's hands on it (Fill, Select, Submit…). Values typed with Fill
// and friends belong to the open view, not to the handle: they stay when
// the bot updates the view, as in Slack.
type View struct {
	ID              string
	Type            string // "modal" or "home"
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	Hash            string
	Version         int

	s   *Server
	rec *viewRec
	t   TB // reports misuse from methods that take no TB
}

// viewHandle builds the View for version v of r. Call with s.mu held.
func (s *Server) viewHandle(r *viewRec, v int, t TB) *View {
	ver := r.versions[v].view
	return &View{
		ID: r.id, Type: r.kind, CallbackID: asString(ver["callback_id"]),
		PrivateMetadata: asString(ver["private_metadata"]), ExternalID: r.externalID,
		Hash: r.versions[v].hash, Version: v, s: s, rec: r, t: t,
	}
}

func (v *View) ver() viewVersion { return v.rec.versions[v.Version] }

// withT returns a copy of v that reports failures to t.
func (v *View) withT(t TB) *View {
	if v == nil {
		return nil
	}
	c := *v
	c.t = t
	return &c
}

// fail reports misuse of the view through the TB it was obtained with.
func (v *View) fail(format string, args ...any) {
	if v.t == nil {
		panic(fmt.Sprintf("fakeslack: "+format, args...))
	}
	v.t.Helper()
	v.t.Fatalf("fakeslack: "+format, args...)
}

// Title is the modal's title text ("" for a Home tab).
func (v *View) Title() string {
	if v == nil {
		return ""
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	return textOf(v.ver().view["title"])
}

// Text is the view's visible text, one piece per line: title, blocks,
// input labels, buttons, submit and close labels.
func (v *View) Text() string {
	if v == nil {
		return ""
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	return strings.Join(v.textLines(), "\n")
}

func (v *View) textLines() []string {
	vw := v.ver().view
	var out []string
	for _, k := range []string{"title"} {
		if t := textOf(vw[k]); t != "" {
			out = append(out, t)
		}
	}
	out = append(out, flattenText(asSlice(vw["blocks"]))...)
	for _, k := range []string{"submit", "close"} {
		if t := textOf(vw[k]); t != "" {
			out = append(out, "["+t+"]")
		}
	}
	return out
}

// Blocks returns this version's blocks as slack-go types.
func (v *View) Blocks() slack.Blocks {
	if v == nil {
		return slack.Blocks{}
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	return toSlackBlocks(asSlice(v.ver().view["blocks"]))
}

// Labels lists the input labels in order.
func (v *View) Labels() []string {
	if v == nil {
		return nil
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	return labels(asSlice(v.ver().view["blocks"]))
}

// Buttons lists the visible texts of the view's buttons (not submit and
// close, which Submit and Close press).
func (v *View) Buttons() []string {
	if v == nil {
		return nil
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	return buttonTexts(asSlice(v.ver().view["blocks"]))
}

// Options lists the option texts of the select, radio buttons or
// checkboxes labelled label; for an external_select, the options offered
// by the last Search.
func (v *View) Options(label string) []string {
	if v == nil {
		return nil
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	in, ok := v.input(label)
	if !ok {
		return nil
	}
	if in.typ() == "external_select" || in.typ() == "multi_external_select" {
		return optionTexts(v.rec.extOptions[in.key()])
	}
	return optionTexts(optionsOf(in.el))
}

// Value is what the input labelled label currently holds: what the user
// entered, else the element's initial value. Selects give the selected
// option's text, user pickers the user id, date pickers YYYY-MM-DD, and
// multi-value inputs their texts joined with ", ".
func (v *View) Value(label string) string {
	if v == nil {
		return ""
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	in, ok := v.input(label)
	if !ok {
		return ""
	}
	return stateText(v.rec.state[in.blockID][in.actionID()])
}

// stateText renders one state value as the user sees it.
func stateText(st jmap) string {
	switch {
	case st == nil:
		return ""
	case st["selected_option"] != nil:
		return textOf(asMap(st["selected_option"])["text"])
	case st["selected_options"] != nil:
		return strings.Join(optionTexts(mapsOf(st["selected_options"])), ", ")
	}
	for _, k := range []string{"value", "selected_user", "selected_date", "selected_time", "selected_conversation", "selected_channel"} {
		if s := asString(st[k]); s != "" {
			return s
		}
	}
	for _, k := range []string{"selected_users", "selected_conversations", "selected_channels"} {
		if l := asSlice(st[k]); len(l) > 0 {
			var parts []string
			for _, x := range l {
				parts = append(parts, asString(x))
			}
			return strings.Join(parts, ", ")
		}
	}
	return ""
}

func mapsOf(v any) []jmap {
	var out []jmap
	for _, x := range asSlice(v) {
		out = append(out, asMap(x))
	}
	return out
}

// input finds the input labelled label in the view's latest version (what
// is on screen) and fails listing the labels if there is none. Call with
// s.mu held.
func (v *View) input(label string) (elemRef, bool) {
	blocks := asSlice(v.rec.latest().view["blocks"])
	b := findInput(blocks, label)
	if b == nil {
		v.fail("view %s (%q) has no input labelled %q; labels: %q", v.ID, textOf(v.rec.latest().view["title"]), label, labels(blocks))
		return elemRef{}, false
	}
	return elemRef{block: b, el: asMap(b["element"]), blockID: asString(b["block_id"])}, true
}

func (r elemRef) key() string { return r.blockID + "/" + r.actionID() }

// String describes the view for failure output.
func (v *View) String() string {
	if v == nil {
		return "<nil view>"
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	return fmt.Sprintf("%s %s callback_id=%q: %s", v.Type, v.ID, v.CallbackID, quote(strings.Join(v.textLines(), "\n")))
}

// ExpectUpdate waits for the bot's next change of this view (views.update,
// or views.publish for a Home tab), consumes it and returns the new
// version.
func (v *View) ExpectUpdate(t TB) *View {
	t.Helper()
	if v == nil {
		t.Fatalf("fakeslack: ExpectUpdate on a nil view")
		return nil
	}
	it := v.s.await(t, fmt.Sprintf("an update of %s view %s", v.Type, v.ID), func(it *item) bool {
		return (it.kind == kindViewUpdate || it.kind == kindHome) && it.view.rec == v.rec && it.view.Version > v.Version
	})
	if it == nil {
		return nil
	}
	return it.view.withT(t)
}

// onScreen reports whether the user can touch the view: a Home tab, or the
// modal on top of the stack. Call with s.mu held.
func (v *View) onScreen() bool {
	if v.rec.kind == "home" {
		return true
	}
	stack := v.s.vs.stacks[v.rec.user]
	return v.rec.open && len(stack) > 0 && stack[len(stack)-1] == v.rec
}
