package fakeslack

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Fill types text into the input labelled label (plain_text_input, or
// email, url and number inputs). It changes the open view, like typing.
func (v *View) Fill(label, text string) *View {
	if v == nil {
		return nil
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	if st, _, ok := v.editable(label, "plain_text_input", "email_text_input", "url_text_input", "number_input"); ok {
		st["value"] = text
	}
	return v
}

// Select chooses the option whose text is optionText in the static_select,
// radio buttons, checkboxes or multi-select labelled label (checkboxes and
// multi-selects add to the selection). An external_select takes the
// options offered by the last Search; prefer SelectExternal.
func (v *View) Select(label, optionText string) *View {
	if v == nil {
		return nil
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	st, ref, ok := v.editable(label, "static_select", "radio_buttons", "checkboxes", "multi_static_select",
		"external_select", "multi_external_select")
	if !ok {
		return v
	}
	opts := optionsOf(ref.el)
	if strings.HasSuffix(ref.typ(), "external_select") {
		opts = v.rec.extOptions[ref.key()]
	}
	o := findOption(opts, optionText)
	if o == nil {
		v.fail("%q has no option %q; options: %q", label, optionText, optionTexts(opts))
		return v
	}
	if _, multi := st["selected_options"]; multi {
		cur := mapsOf(st["selected_options"])
		if findOption(cur, optionText) == nil {
			st["selected_options"] = append(asSlice(st["selected_options"]), o)
		}
	} else {
		st["selected_option"] = o
	}
	return v
}

// SelectUser picks a workspace user in the users_select (or multi users
// select) labelled label.
func (v *View) SelectUser(label, userID string) *View {
	if v == nil {
		return nil
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	st, ref, ok := v.editable(label, "users_select", "multi_users_select")
	if !ok {
		return v
	}
	if u, known := v.s.ws.users[userID]; !known || u.Deleted {
		v.fail("%q: user %s is not an active workspace user, so the picker cannot offer it", label, userID)
		return v
	}
	if ref.typ() == "multi_users_select" {
		if !slices.Contains(asSlice(st["selected_users"]), any(userID)) {
			st["selected_users"] = append(asSlice(st["selected_users"]), userID)
		}
	} else {
		st["selected_user"] = userID
	}
	return v
}

// SelectDate picks a date (YYYY-MM-DD) in the datepicker labelled label.
func (v *View) SelectDate(label, date string) *View {
	if v == nil {
		return nil
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		v.fail("SelectDate(%q, %q): want YYYY-MM-DD", label, date)
		return v
	}
	if st, _, ok := v.editable(label, "datepicker"); ok {
		st["selected_date"] = date
	}
	return v
}

// editable finds the state of the input labelled label, checking that the
// view is open and the element is one of types. Call with s.mu held.
func (v *View) editable(label string, types ...string) (jmap, elemRef, bool) {
	if !v.onScreen() {
		v.fail("view %s is not on screen (closed, or covered by a pushed view)", v.ID)
		return nil, elemRef{}, false
	}
	ref, ok := v.input(label)
	if !ok {
		return nil, ref, false
	}
	if !slices.Contains(types, ref.typ()) {
		v.fail("input %q is a %s, not one of %q", label, ref.typ(), types)
		return nil, ref, false
	}
	st := v.rec.state[ref.blockID][ref.actionID()]
	if st == nil {
		v.fail("input %q has no state", label)
		return nil, ref, false
	}
	return st, ref, true
}

// Search types query into the external_select labelled label: Slack sends
// the bot a block_suggestion (when query reaches min_query_length, default
// 3) and shows the options of its ack. It returns their texts.
func (v *View) Search(t TB, label, query string) []string {
	t.Helper()
	opts, _ := v.search(t, label, query)
	return opts
}

// searchResult says how a search went: Slack does not ask the bot for
// queries shorter than min_query_length.
type searchResult int

const (
	searchFailed searchResult = iota
	searchTooShort
	searchDone
)

func (v *View) search(t TB, label, query string) ([]string, searchResult) {
	t.Helper()
	if v == nil {
		t.Fatalf("fakeslack: Search on a nil view")
		return nil, searchFailed
	}
	s := v.s
	payload, ref, res := v.withT(t).suggestion(label, query)
	if res != searchDone {
		return nil, res
	}
	r := v.rec
	_, ack, ok := s.interact(t, Envelope{Type: "interactive", Payload: payload, AcceptsResponsePayload: true},
		fmt.Sprintf("search %q in %q", query, label))
	if !ok {
		return nil, searchFailed
	}
	opts, err := suggestedOptions(ack.Payload)
	if err != nil {
		t.Fatalf("fakeslack: block_suggestion ack for %q: %v", label, err)
		return nil, searchFailed
	}
	s.mu.Lock()
	r.extOptions[ref.key()] = opts
	s.mu.Unlock()
	return optionTexts(opts), searchDone
}

// suggestion builds the block_suggestion payload for typing query into
// the external select labelled label.
func (v *View) suggestion(label, query string) (jmap, elemRef, searchResult) {
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ref, ok := v.editable(label, "external_select", "multi_external_select")
	if !ok {
		return nil, ref, searchFailed
	}
	minLen := 3
	if n, isNum := ref.el["min_query_length"].(float64); isNum {
		minLen = int(n)
	}
	if len([]rune(query)) < minLen {
		return nil, ref, searchTooShort
	}
	r := v.rec
	p := s.interaction("block_suggestion", s.cfg.inst, r.user)
	p["container"] = jmap{"type": "view", "view_id": r.id}
	p["action_id"], p["block_id"], p["value"] = ref.actionID(), ref.blockID, query
	p["view"] = s.viewPayload(r)
	return p, ref, searchDone
}

// suggestedOptions reads {"options":[…]} or {"option_groups":[…]}.
func suggestedOptions(payload json.RawMessage) ([]jmap, error) {
	if len(payload) == 0 {
		return nil, nil
	}
	var m jmap
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, fmt.Errorf("ack payload is not an object: %w", err)
	}
	opts := optionsOf(m)
	c := &blockChecker{}
	c.checkOptions("/options", opts)
	if len(c.problems) > 0 {
		return nil, fmt.Errorf("invalid options: %v", c.problems)
	}
	return opts, nil
}

// SelectExternal types optionText into the external_select labelled label
// and picks the offered option with exactly that text; it fails listing
// the offered options if there is none.
func (v *View) SelectExternal(t TB, label, optionText string) *View {
	t.Helper()
	offered, res := v.search(t, label, optionText)
	switch res {
	case searchFailed:
		return v
	case searchTooShort:
		t.Fatalf("fakeslack: %q: %q is shorter than min_query_length, so Slack does not ask the bot", label, optionText)
		return v
	}
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	v2 := v.withT(t)
	st, ref, ok := v2.editable(label, "external_select", "multi_external_select")
	if !ok {
		return v
	}
	o := findOption(v.rec.extOptions[ref.key()], optionText)
	if o == nil {
		t.Fatalf("fakeslack: %q offered no option %q for that query; offered: %q", label, optionText, offered)
		return v
	}
	if ref.typ() == "multi_external_select" {
		st["selected_options"] = append(asSlice(st["selected_options"]), o)
	} else {
		st["selected_option"] = o
	}
	return v
}
