package fakeslack

import (
	"fmt"
	"maps"
	"strings"
)

// Clickable is a surface a user can press buttons on: a *Message (also an
// ephemeral one) or a *View (modal or Home tab).
type Clickable interface {
	clickable()
}

func (*Message) clickable() {}
func (*View) clickable()    {}

// picker finds the element a user acts on and builds the action object;
// avail lists what was there, for the failure message.
type picker struct {
	what  string // e.g. `button "Accept"`
	pick  func(refs []elemRef) (elemRef, jmap, bool)
	avail func(refs []elemRef) []string
}

// Click presses the button whose visible text is buttonText on a message,
// an ephemeral, a modal or a Home tab, sending block_actions exactly as
// Slack does for that surface (container, channel, message or view,
// response_url for messages, a fresh trigger_id). It fails listing the
// available buttons if there is no such button.
func (u *UserSim) Click(t TB, target Clickable, buttonText string) *Invocation {
	t.Helper()
	return u.act(t, target, picker{
		what: fmt.Sprintf("button %q", buttonText),
		pick: func(refs []elemRef) (elemRef, jmap, bool) {
			r, ok := findByText(refs, buttonText, func(r elemRef) []string {
				if r.typ() != "button" {
					return nil
				}
				return []string{textOf(r.el["text"])}
			})
			if !ok {
				return r, nil, false
			}
			a := jmap{"type": "button", "text": r.el["text"], "value": r.el["value"]}
			if st, ok := r.el["style"]; ok {
				a["style"] = st
			}
			return r, a, true
		},
		avail: func(refs []elemRef) []string { return textsOf(refs, "button") },
	}, "click", "["+buttonText+"]")
}

// Select picks optionText in a select menu, radio buttons or checkboxes of
// a message or view (outside input blocks; for a modal's inputs use
// View.Select), sending block_actions with selected_option.
func (u *UserSim) Select(t TB, target Clickable, optionText string) *Invocation {
	t.Helper()
	return u.chooseOption(t, target, optionText, "static_select", "radio_buttons", "checkboxes", "multi_static_select")
}

// ChooseOverflow picks optionText in an overflow ("…") menu.
func (u *UserSim) ChooseOverflow(t TB, target Clickable, optionText string) *Invocation {
	t.Helper()
	return u.chooseOption(t, target, optionText, "overflow")
}

func (u *UserSim) chooseOption(t TB, target Clickable, optionText string, types ...string) *Invocation {
	t.Helper()
	isType := func(r elemRef) bool {
		for _, ty := range types {
			if r.typ() == ty && asString(r.block["type"]) != "input" {
				return true
			}
		}
		return false
	}
	return u.act(t, target, picker{
		what: fmt.Sprintf("option %q in a %s", optionText, strings.Join(types, "/")),
		pick: func(refs []elemRef) (elemRef, jmap, bool) {
			for _, r := range refs {
				if !isType(r) {
					continue
				}
				if o := findOption(optionsOf(r.el), optionText); o != nil {
					a := jmap{"type": r.typ()}
					if r.typ() == "checkboxes" || r.typ() == "multi_static_select" {
						a["selected_options"] = []any{o}
					} else {
						a["selected_option"] = o
					}
					return r, a, true
				}
			}
			return elemRef{}, nil, false
		},
		avail: func(refs []elemRef) []string {
			var out []string
			for _, r := range refs {
				if isType(r) {
					out = append(out, optionTexts(optionsOf(r.el))...)
				}
			}
			return out
		},
	}, "select", optionText)
}

// findOption finds an option by its text, exactly, then ignoring case.
func findOption(opts []jmap, text string) jmap {
	for _, o := range opts {
		if textOf(o["text"]) == text {
			return o
		}
	}
	for _, o := range opts {
		if strings.EqualFold(textOf(o["text"]), text) {
			return o
		}
	}
	return nil
}

// findByText finds the first element one of whose texts equals text,
// exactly, then ignoring case.
func findByText(refs []elemRef, text string, texts func(elemRef) []string) (elemRef, bool) {
	for _, fold := range []bool{false, true} {
		for _, r := range refs {
			for _, x := range texts(r) {
				if x == text || (fold && strings.EqualFold(x, text)) {
					return r, true
				}
			}
		}
	}
	return elemRef{}, false
}

func textsOf(refs []elemRef, typ string) []string {
	var out []string
	for _, r := range refs {
		if r.typ() == typ {
			out = append(out, textOf(r.el["text"]))
		}
	}
	return out
}

// act builds and sends a block_actions payload for the element p picks on
// target's current version.
func (u *UserSim) act(t TB, target Clickable, p picker, kind, label string) *Invocation {
	t.Helper()
	if !u.check(t) {
		return nil
	}
	var payload jmap
	var inv *Invocation
	var ok bool
	switch x := target.(type) {
	case *Message:
		payload, inv, ok = u.messageAction(t, x, p, kind, label)
	case *View:
		payload, inv, ok = u.viewAction(t, x, p, kind, label)
	default:
		t.Fatalf("fakeslack: cannot act on %T", target)
	}
	if !ok {
		return nil
	}
	return u.finish(t, Envelope{Type: "interactive", Payload: payload}, inv, fmt.Sprintf("%s %s", kind, label))
}

// completeAction adds the fields every action carries. Call with s.mu held.
func (s *Server) completeAction(r elemRef, a jmap) jmap {
	a["action_id"], a["block_id"], a["action_ts"] = r.actionID(), r.blockID, s.nextTS()
	return a
}

func (u *UserSim) messageAction(t TB, m *Message, p picker, kind, label string) (jmap, *Invocation, bool) {
	t.Helper()
	if m == nil {
		t.Fatalf("fakeslack: %s on a nil message", kind)
		return nil, nil, false
	}
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := m.rec
	if r.deleted {
		t.Fatalf("fakeslack: cannot %s %s: the message was deleted", kind, label)
		return nil, nil, false
	}
	blocks := r.versions[len(r.versions)-1].blocks
	refs := interactive(blocks)
	ref, action, found := p.pick(refs)
	if !found {
		t.Fatalf("fakeslack: no %s on %s; available: %q", p.what, m.describe(), p.avail(refs))
		return nil, nil, false
	}
	inv := &Invocation{TriggerID: s.issueTrigger(u.id, ""), ResponseURL: s.newResponseURL(u.id, r.channel, r)}
	container := jmap{"type": "message", "message_ts": r.ts, "channel_id": r.channel, "is_ephemeral": r.ephemeral}
	if r.threadTS != "" {
		container["thread_ts"] = r.threadTS
	}
	state := initialState(blocks, nil)
	applyAction(state, ref, action)
	payload := s.interaction("block_actions", u.installation(), u.id)
	maps.Copy(payload, jmap{
		"container": container, "trigger_id": inv.TriggerID,
		"channel":      jmap{"id": r.channel, "name": s.ws.channels[r.channel].Name},
		"state":        jmap{"values": state},
		"response_url": inv.ResponseURL,
		"actions":      []any{s.completeAction(ref, action)},
	})
	if !r.ephemeral {
		payload["message"] = s.msgJSON(r, len(r.versions)-1)
	}
	s.logAction(u.id, kind, fmt.Sprintf("%s on a message in %s", label, s.channelName(r.channel)))
	return payload, inv, true
}

func (u *UserSim) viewAction(t TB, v *View, p picker, kind, label string) (jmap, *Invocation, bool) {
	t.Helper()
	if v == nil {
		t.Fatalf("fakeslack: %s on a nil view", kind)
		return nil, nil, false
	}
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := v.rec
	if !v.onScreen() {
		t.Fatalf("fakeslack: cannot %s %s: view %s is not on screen (closed, or covered by a pushed view)", kind, label, r.id)
		return nil, nil, false
	}
	if r.user != u.id {
		t.Fatalf("fakeslack: view %s belongs to %s, not %s", r.id, r.user, u.id)
		return nil, nil, false
	}
	refs := interactive(asSlice(r.latest().view["blocks"]))
	ref, action, found := p.pick(refs)
	if !found {
		t.Fatalf("fakeslack: no %s on %s view %s; available: %q", p.what, r.kind, r.id, p.avail(refs))
		return nil, nil, false
	}
	applyAction(r.state, ref, action)
	inv := &Invocation{TriggerID: s.issueTrigger(u.id, r.id)}
	payload := s.interaction("block_actions", u.installation(), u.id)
	payload["container"] = jmap{"type": "view", "view_id": r.id}
	payload["trigger_id"], payload["view"] = inv.TriggerID, s.viewPayload(r)
	payload["actions"] = []any{s.completeAction(ref, action)}
	s.logAction(u.id, kind, fmt.Sprintf("%s in %s %q", label, r.kind, textOf(r.latest().view["title"])))
	return payload, inv, true
}

// applyAction records a selection in a surface's state, as Slack keeps the
// chosen value of a menu.
func applyAction(state map[string]map[string]jmap, r elemRef, a jmap) {
	st := state[r.blockID][r.actionID()]
	if st == nil {
		return
	}
	for _, k := range []string{"selected_option", "selected_options"} {
		if v, ok := a[k]; ok {
			st[k] = v
		}
	}
}
