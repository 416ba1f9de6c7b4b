package fakeslack

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"unicode/utf8"
)

// Submission is the outcome of submitting a modal, decided by the bot's
// ack payload (response_action).
type Submission struct {
	Ack            Ack
	ResponseAction string            // "" (plain ack), "errors", "update", "push" or "clear"
	Errors         map[string]string // errors by input LABEL (Slack keys them by block_id)
	View           *View             // what is on screen now: the same view (errors), the new version (update), the pushed view (push), the previous view after a plain ack, or nil when every modal closed
}

// Submit presses the modal's submit button. Like the Slack client, it
// first checks required inputs and email/url/number formats, and fails the
// test rather than submit an invalid form. Then it sends view_submission
// (accepts_response_payload true) and applies the bot's ack:
// errors keeps the view open with the user's input intact, update replaces
// it, push stacks a new one, clear closes all, and a plain ack closes this
// view (returning to the previous one in a stack).
func (v *View) Submit(t TB) *Submission {
	t.Helper()
	if v == nil {
		t.Fatalf("fakeslack: Submit on a nil view")
		return nil
	}
	payload, ok := v.withT(t).submission()
	if !ok {
		return nil
	}
	d, ack, ok := v.s.interact(t, Envelope{Type: "interactive", Payload: payload, AcceptsResponsePayload: true},
		fmt.Sprintf("submit view %s (%s)", v.ID, v.CallbackID))
	if !ok || d == nil {
		return nil
	}
	sub := &Submission{Ack: ack}
	v.withT(t).applySubmitAck(ack.Payload, sub)
	return sub
}

// submission validates the form and builds the view_submission payload.
func (v *View) submission() (jmap, bool) {
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := v.rec
	switch {
	case r.kind != "modal":
		v.fail("a %s view has no submit button", r.kind)
		return nil, false
	case !v.onScreen():
		v.fail("view %s is not the modal on screen", r.id)
		return nil, false
	case r.latest().view["submit"] == nil:
		v.fail("view %s has no submit button", r.id)
		return nil, false
	}
	if problem := clientValidate(asSlice(r.latest().view["blocks"]), r.state); problem != "" {
		v.fail("Slack would not submit view %s: %s", r.id, problem)
		return nil, false
	}
	s.logAction(r.user, "submit", s.renderView(r))
	p := s.interaction("view_submission", s.cfg.inst, r.user)
	p["trigger_id"], p["view"], p["response_urls"] = s.issueTrigger(r.user, r.id), s.viewPayload(r), []any{}
	return p, true
}

// clientValidate applies the checks the Slack client makes before it
// submits: required inputs, email, url and number formats, lengths.
func clientValidate(blocks []any, state map[string]map[string]jmap) string {
	for _, b := range inputBlocks(blocks) {
		el := asMap(b["element"])
		label := textOf(b["label"])
		st := state[asString(b["block_id"])][asString(el["action_id"])]
		val := stateText(st)
		if val == "" {
			if b["optional"] != true && st != nil {
				return fmt.Sprintf("required input %q is empty", label)
			}
			continue
		}
		if p := formatProblem(el, val); p != "" {
			return fmt.Sprintf("input %q: %s", label, p)
		}
	}
	return ""
}

func formatProblem(el jmap, val string) string {
	n := utf8.RuneCountInString(val)
	switch asString(el["type"]) {
	case "email_text_input":
		if _, err := mail.ParseAddress(val); err != nil {
			return "not an email address"
		}
	case "url_text_input":
		if u, err := url.Parse(val); err != nil || u.Scheme == "" || u.Host == "" {
			return "not a URL"
		}
	case "number_input":
		if _, err := strconv.ParseFloat(val, 64); err != nil {
			return "not a number"
		}
		if el["is_decimal_allowed"] != true {
			if _, err := strconv.Atoi(val); err != nil {
				return "decimals are not allowed"
			}
		}
	case "plain_text_input":
		if mx, ok := el["max_length"].(float64); ok && n > int(mx) {
			return fmt.Sprintf("longer than max_length %d", int(mx))
		}
		if mn, ok := el["min_length"].(float64); ok && n < int(mn) {
			return fmt.Sprintf("shorter than min_length %d", int(mn))
		}
	}
	return ""
}

// submitAck is a view_submission ack payload.
type submitAck struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
	View           jmap              `json:"view"`
}

// applySubmitAck does what Slack does with the bot's answer.
func (v *View) applySubmitAck(payload json.RawMessage, sub *Submission) {
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := v.rec
	var a submitAck
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &a); err != nil {
			v.fail("view_submission ack payload is not a response_action object: %s", payload)
			return
		}
	}
	sub.ResponseAction = a.ResponseAction
	switch a.ResponseAction {
	case "":
		s.popView(r.user)
		sub.View = s.topView(r.user, v.t)
	case "errors":
		sub.Errors = v.errorsByLabel(a.Errors)
		sub.View = s.viewHandle(r, len(r.versions)-1, v.t)
	case "update":
		if nv, ok := v.validResponseView(a.View); ok {
			sub.View = s.replaceView(r, nv, kindViewUpdate, true).withT(v.t)
		}
	case "push":
		sub.View = v.pushFromAck(a.View)
	case "clear":
		s.closeStack(r.user)
	default:
		v.fail("unknown response_action %q", a.ResponseAction)
	}
}

// errorsByLabel maps response_action errors (by block_id) to input labels;
// a block_id that is not an input of the view is a bot bug that Slack
// shows as a generic error, so it fails the test. Call with s.mu held.
func (v *View) errorsByLabel(errs map[string]string) map[string]string {
	out := map[string]string{}
	blocks := asSlice(v.rec.latest().view["blocks"])
	for id, msg := range errs {
		found := false
		for _, b := range inputBlocks(blocks) {
			if asString(b["block_id"]) == id {
				out[textOf(b["label"])], found = msg, true
			}
		}
		if !found {
			v.fail("response_action errors names block_id %q, which is not an input block of view %s "+
				"(Slack shows the user a generic error); inputs: %q", id, v.rec.id, labels(blocks))
		}
	}
	return out
}

// validResponseView normalizes and validates a view from an ack payload.
// Call with s.mu held.
func (v *View) validResponseView(nv jmap) (jmap, bool) {
	if nv == nil {
		v.fail("response_action %s without a view", "update/push")
		return nil, false
	}
	v.s.normalizeBlocks(asSlice(nv["blocks"]))
	if p := checkModal(nv); len(p) > 0 {
		v.fail("Slack refuses the view in the ack payload: %v", p)
		return nil, false
	}
	return nv, true
}

// pushFromAck stacks the view of a response_action push. Call with s.mu
// held.
func (v *View) pushFromAck(raw jmap) *View {
	s, r := v.s, v.rec
	nv, ok := v.validResponseView(raw)
	if !ok {
		return nil
	}
	stack := s.vs.stacks[r.user]
	if len(stack) >= maxViewStack {
		v.fail("response_action push: the stack already holds %d views", len(stack))
		return nil
	}
	nr := s.newViewRec(r.user, "modal", nv)
	nr.rootID, nr.prevID = stack[0].id, stack[len(stack)-1].id
	s.vs.stacks[r.user] = append(stack, nr)
	return s.recordView(nr, kindModal, true).withT(v.t)
}

// topView is the modal the user now sees, or nil. Call with s.mu held.
func (s *Server) topView(user string, t TB) *View {
	stack := s.vs.stacks[user]
	if len(stack) == 0 {
		return nil
	}
	top := stack[len(stack)-1]
	return s.viewHandle(top, len(top.versions)-1, t)
}

// Close presses the modal's close button: the view is closed (the whole
// stack with clear_on_close) and, only if the view set notify_on_close,
// the bot gets view_closed and must ack it.
func (v *View) Close(t TB) {
	t.Helper()
	if v == nil {
		t.Fatalf("fakeslack: Close on a nil view")
		return
	}
	payload, ok := v.withT(t).closeView()
	if !ok || payload == nil {
		return
	}
	v.s.interact(t, Envelope{Type: "interactive", Payload: payload}, "close view "+v.ID)
}

// closeView closes the view and returns the view_closed payload if the
// bot asked for one.
func (v *View) closeView() (jmap, bool) {
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := v.rec
	if r.kind != "modal" || !v.onScreen() {
		v.fail("view %s is not the modal on screen", r.id)
		return nil, false
	}
	vw := r.latest().view
	cleared := vw["clear_on_close"] == true
	var payload jmap
	if vw["notify_on_close"] == true {
		payload = s.interaction("view_closed", s.cfg.inst, r.user)
		payload["view"], payload["is_cleared"] = s.viewPayload(r), cleared
	}
	if cleared {
		s.closeStack(r.user)
	} else {
		s.popView(r.user)
	}
	s.logAction(r.user, "close", fmt.Sprintf("closed %q", textOf(vw["title"])))
	return payload, true
}
