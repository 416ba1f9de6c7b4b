package fakeslack

import (
	"encoding/json"
	"fmt"
)

// maxViewStack is how many modals can be stacked (views.push allows at
// most three views in a stack).
const maxViewStack = 3

// parseViewArg reads the view argument, an object (slack-go) or a JSON
// string (other clients), normalizes its blocks and validates it with
// check. Call with s.mu held.
func (s *Server) parseViewArg(req *apiRequest, check func(jmap) []string) (jmap, error) {
	raw := req.raw["view"]
	var str string
	if json.Unmarshal(raw, &str) == nil {
		raw = json.RawMessage(str)
	}
	var v jmap
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, apiErr("invalid_arguments", "[ERROR] view must be a JSON object [json-pointer:/view]")
	}
	s.normalizeBlocks(asSlice(v["blocks"]))
	if problems := check(v); len(problems) > 0 {
		return nil, apiErr("invalid_arguments", problems...)
	}
	return v, nil
}

// newHash returns a fresh view hash. Call with s.mu held.
func (s *Server) newHash() string {
	return fmt.Sprintf("%d.%s", s.now().Unix(), s.genID())
}

func (s *Server) apiViewsOpen(req *apiRequest) (map[string]any, error) {
	return s.openModal(req, "views.open")
}

func (s *Server) apiViewsPush(req *apiRequest) (map[string]any, error) {
	return s.openModal(req, "views.push")
}

// openModal implements views.open (a new stack) and views.push (on top of
// the user's open modal). Call without s.mu.
func (s *Server) openModal(req *apiRequest, method string) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.parseViewArg(req, checkModal)
	if err != nil {
		return nil, err
	}
	ext := asString(v["external_id"])
	if ext != "" && s.vs.byExt[ext] != nil {
		return nil, apiErr("duplicate_external_id")
	}
	if tr := s.trig[req.params["trigger_id"]]; tr != nil && method == "views.push" &&
		len(s.vs.stacks[tr.user]) >= maxViewStack {
		return nil, apiErr("push_limit_reached")
	}
	tr, err := s.exchangeTrigger(req.params["trigger_id"], method)
	if err != nil {
		return nil, err
	}
	stack := s.vs.stacks[tr.user]
	r := s.newViewRec(tr.user, "modal", v)
	if method == "views.open" || len(stack) == 0 {
		s.closeStack(tr.user)
		stack = nil
	} else {
		r.rootID, r.prevID = stack[0].id, stack[len(stack)-1].id
	}
	s.vs.stacks[tr.user] = append(stack, r)
	s.recordView(r, kindModal, false)
	return map[string]any{"view": s.viewPayload(r)}, nil
}

// newViewRec registers a new view. Call with s.mu held.
func (s *Server) newViewRec(user, kind string, v jmap) *viewRec {
	r := &viewRec{
		id: s.nextID("V"), user: user, kind: kind, open: true,
		externalID: asString(v["external_id"]), extOptions: map[string][]jmap{},
	}
	r.rootID = r.id
	r.versions = []viewVersion{{view: v, hash: s.newHash(), at: s.now()}}
	r.state = initialState(asSlice(v["blocks"]), nil)
	s.vs.byID[r.id] = r
	if r.externalID != "" {
		s.vs.byExt[r.externalID] = r
	}
	return r
}

// closeStack closes every modal the user has open. Call with s.mu held.
func (s *Server) closeStack(user string) {
	for _, r := range s.vs.stacks[user] {
		r.open = false
	}
	delete(s.vs.stacks, user)
	s.notify()
}

// popView closes the top modal of the user's stack. Call with s.mu held.
func (s *Server) popView(user string) {
	stack := s.vs.stacks[user]
	if len(stack) == 0 {
		return
	}
	stack[len(stack)-1].open = false
	if len(stack) == 1 {
		delete(s.vs.stacks, user)
	} else {
		s.vs.stacks[user] = stack[:len(stack)-1]
	}
	s.notify()
}

// recordView makes a new view version observable. consumed marks items
// the simulator already returned to the test (response_action results).
// Call with s.mu held.
func (s *Server) recordView(r *viewRec, kind itemKind, consumed bool) *View {
	h := s.viewHandle(r, len(r.versions)-1, nil)
	s.addItem(&item{kind: kind, view: h, user: r.user, consumed: consumed})
	audience := "@" + s.userName(r.user) + " modal"
	if r.kind == "home" {
		audience = "@" + s.userName(r.user) + " App Home"
	}
	s.logEntry(audience, kind.String(), s.renderView(r))
	s.notify()
	return h
}

func (s *Server) apiViewsUpdate(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r *viewRec
	if id := req.params["view_id"]; id != "" {
		r = s.vs.byID[id]
	} else if ext := req.params["external_id"]; ext != "" {
		r = s.vs.byExt[ext]
	} else {
		return nil, apiErr("invalid_arguments", "[ERROR] view_id or external_id is required")
	}
	if r == nil || !r.open {
		return nil, apiErr("not_found")
	}
	if h := req.params["hash"]; h != "" && h != r.latest().hash {
		return nil, apiErr("hash_conflict")
	}
	check := checkModal
	if r.kind == "home" {
		check = checkHome
	}
	v, err := s.parseViewArg(req, check)
	if err != nil {
		return nil, err
	}
	s.replaceView(r, v, kindViewUpdate, false)
	return map[string]any{"view": s.viewPayload(r)}, nil
}

// replaceView gives r a new version, keeping the user's input for inputs
// that still exist. Call with s.mu held.
func (s *Server) replaceView(r *viewRec, v jmap, kind itemKind, consumed bool) *View {
	if ext := asString(v["external_id"]); ext != "" && ext != r.externalID {
		delete(s.vs.byExt, r.externalID)
		r.externalID = ext
		s.vs.byExt[ext] = r
	}
	r.versions = append(r.versions, viewVersion{view: v, hash: s.newHash(), at: s.now()})
	r.state = initialState(asSlice(v["blocks"]), r.state)
	return s.recordView(r, kind, consumed)
}

func (s *Server) apiViewsPublish(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user := req.params["user_id"]
	if u, ok := s.ws.users[user]; !ok || u.Deleted || u.IsBot {
		return nil, apiErr("user_not_found")
	}
	v, err := s.parseViewArg(req, checkHome)
	if err != nil {
		return nil, err
	}
	r := s.vs.homes[user]
	if h := req.params["hash"]; h != "" && (r == nil || h != r.latest().hash) {
		return nil, apiErr("hash_conflict")
	}
	if r == nil {
		r = s.newViewRec(user, "home", v)
		s.vs.homes[user] = r
		s.recordView(r, kindHome, false)
	} else {
		s.replaceView(r, v, kindHome, false)
	}
	return map[string]any{"view": s.viewPayload(r)}, nil
}

// viewPayload renders a view as Slack returns it and sends it in payloads:
// the bot's definition plus id, hash, state and the stack links. Call with
// s.mu held.
func (s *Server) viewPayload(r *viewRec) map[string]any {
	out := map[string]any{}
	for k, v := range r.latest().view {
		out[k] = v
	}
	values := map[string]any{}
	for b, acts := range r.state {
		m := map[string]any{}
		for a, st := range acts {
			m[a] = deepCopy(st) // the user keeps typing while this is marshaled
		}
		values[b] = m
	}
	prev := any(nil)
	if r.prevID != "" {
		prev = r.prevID
	}
	for k, v := range map[string]any{
		"id": r.id, "team_id": s.cfg.inst.TeamID, "type": r.kind, "hash": r.latest().hash,
		"state": map[string]any{"values": values}, "root_view_id": r.rootID,
		"previous_view_id": prev, "app_id": s.cfg.inst.AppID, "external_id": r.externalID,
		"app_installed_team_id": s.cfg.inst.TeamID, "bot_id": botID,
		"private_metadata": asString(out["private_metadata"]), "callback_id": asString(out["callback_id"]),
	} {
		out[k] = v
	}
	return out
}

// initialState builds the state of a view's stateful elements: the value
// the user already gave (old) when block_id and action_id survive, else
// the element's initial value.
func initialState(blocks []any, old map[string]map[string]jmap) map[string]map[string]jmap {
	state := map[string]map[string]jmap{}
	for _, ref := range interactive(blocks) {
		st := initialValue(ref.el)
		if st == nil {
			continue
		}
		if prev := old[ref.blockID][ref.actionID()]; prev != nil && prev["type"] == st["type"] {
			st = prev
		}
		if state[ref.blockID] == nil {
			state[ref.blockID] = map[string]jmap{}
		}
		state[ref.blockID][ref.actionID()] = st
	}
	return state
}

// initialValue is the state.values entry of an element before the user
// touches it, typed per element as Slack sends it; nil for elements that
// keep no state (buttons, overflow menus).
func initialValue(el jmap) jmap {
	typ := asString(el["type"])
	st := jmap{"type": typ}
	pick := func(key, initial string, empty any) {
		if v, ok := el[initial]; ok {
			st[key] = deepCopy(v)
		} else {
			st[key] = empty
		}
	}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		pick("value", "initial_value", nil)
	case "static_select", "external_select", "radio_buttons":
		pick("selected_option", "initial_option", nil)
	case "users_select":
		pick("selected_user", "initial_user", nil)
	case "conversations_select":
		pick("selected_conversation", "initial_conversation", nil)
	case "channels_select":
		pick("selected_channel", "initial_channel", nil)
	case "datepicker":
		pick("selected_date", "initial_date", nil)
	case "timepicker":
		pick("selected_time", "initial_time", nil)
	case "checkboxes", "multi_static_select", "multi_external_select":
		pick("selected_options", "initial_options", []any{})
	case "multi_users_select":
		pick("selected_users", "initial_users", []any{})
	case "multi_conversations_select":
		pick("selected_conversations", "initial_conversations", []any{})
	case "multi_channels_select":
		pick("selected_channels", "initial_channels", []any{})
	default:
		return nil
	}
	return st
}
