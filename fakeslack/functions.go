package fakeslack

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
)

// Function is a custom workflow step as the app's manifest declares it
// (functions.<callback_id>): what Workflow Builder offers and what the
// function_executed event carries.
type Function struct {
	CallbackID  string
	Title       string
	Description string
	Inputs      []Parameter
	Outputs     []Parameter
}

// Parameter is one input or output parameter of a Function.
type Parameter struct {
	Name        string
	Type        string // "string", "integer", "number", "boolean", "slack#/types/user_id", "slack#/types/channel_id", …
	Title       string
	Description string
	Required    bool
}

// Execution is one run of a custom step, from function_executed until the
// app completes it with functions.completeSuccess or
// functions.completeError.
type Execution struct {
	ID                  string // function_execution_id, "Fx…"
	WorkflowExecutionID string // "Wx…"
	Token               string // the execution's bot_access_token, "xwfp-…": a bot token until revoked (the fake never expires it)
	EventID             string // of the function_executed event

	s   *Server
	rec *execRec
}

// execRec is an execution's state; guarded by Server.mu.
type execRec struct {
	fn      functionRec
	id      string
	token   string
	state   string // "running", "completed" or "failed"
	outputs map[string]any
	errMsg  string
	by      string // token that completed it
}

type functionRec struct {
	Function
	id string // "Fn…"
}

// AddFunction declares a custom step, as the app's manifest does, so that
// RunFunction can run it.
func (s *Server) AddFunction(f Function) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID("Fn")
	if old, ok := s.fns[f.CallbackID]; ok {
		id = old.id
	}
	s.fns[f.CallbackID] = functionRec{Function: f, id: id}
}

// RunFunction runs a declared custom step as a workflow does: it queues a
// function_executed event carrying the function's definition, the inputs,
// fresh function_execution_id and workflow_execution_id and a
// per-execution bot_access_token (xwfp-…), and returns the execution,
// which runs until the bot completes it. Like Workflow Builder, it fails
// the test rather than run a step with a missing required input or an
// undeclared one. The event is delivered and redelivered like any other.
func (s *Server) RunFunction(t TB, callbackID string, inputs map[string]any) *Execution {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.fns[callbackID]
	switch {
	case !ok:
		t.Fatalf("fakeslack: no custom step %q; declare it with AddFunction", callbackID)
		return nil
	case !s.cfg.subscriptions["function_executed"]:
		t.Fatalf("fakeslack: the app is not subscribed to function_executed")
		return nil
	}
	if problem := checkInputs(fn.Inputs, inputs); problem != "" {
		t.Fatalf("fakeslack: Workflow Builder would not run %q: %s", callbackID, problem)
		return nil
	}
	n := s.nextSeq()
	rec := &execRec{fn: fn, id: fmt.Sprintf("Fx%09dFAKE", n), token: fmt.Sprintf("xwfp-%d-%d-fake", n, n*7919), state: "running"}
	s.execs[rec.id] = rec
	e := &Execution{ID: rec.id, WorkflowExecutionID: fmt.Sprintf("Wx%09dFAKE", n), Token: rec.token, s: s, rec: rec}
	e.EventID = s.enqueueEvent(s.functionExecuted(e, inputs))
	s.logEntry("Workflow Builder", "step_started", fmt.Sprintf("%s with inputs %s", fn.Title, compactJSON(inputs)))
	s.notify()
	return e
}

// functionExecuted is the function_executed event. Call with s.mu held.
func (s *Server) functionExecuted(e *Execution, inputs map[string]any) map[string]any {
	fn := e.rec.fn
	now := s.now().Unix()
	return map[string]any{
		"type": "function_executed",
		"function": map[string]any{
			"id": fn.id, "callback_id": fn.CallbackID, "title": fn.Title, "description": fn.Description,
			"type": "app", "input_parameters": paramsJSON(fn.Inputs), "output_parameters": paramsJSON(fn.Outputs),
			"app_id": s.cfg.inst.AppID, "date_created": now, "date_updated": now, "date_deleted": 0,
		},
		"inputs": maps.Clone(inputs), "function_execution_id": e.ID, "workflow_execution_id": e.WorkflowExecutionID,
		"event_ts": s.nextTS(), "bot_access_token": e.Token,
	}
}

func paramsJSON(ps []Parameter) []any {
	out := []any{}
	for _, p := range ps {
		out = append(out, map[string]any{
			"type": p.Type, "name": p.Name, "title": p.Title, "description": p.Description, "is_required": p.Required,
		})
	}
	return out
}

// ExpectSuccess waits until the bot completes the execution with
// functions.completeSuccess and returns its outputs; it fails the test if
// the bot calls functions.completeError instead, or neither in time.
func (e *Execution) ExpectSuccess(t TB) map[string]any {
	t.Helper()
	state, outputs, msg := e.await(t)
	switch state {
	case "completed":
		return outputs
	case "failed":
		t.Fatalf("fakeslack: step %s failed (functions.completeError): %q", e.ID, msg)
	}
	return nil
}

// ExpectError waits until the bot completes the execution with
// functions.completeError and returns the error it gave; it fails the
// test if the step succeeds instead, or nothing happens in time.
func (e *Execution) ExpectError(t TB) string {
	t.Helper()
	state, outputs, msg := e.await(t)
	switch state {
	case "failed":
		return msg
	case "completed":
		t.Fatalf("fakeslack: step %s succeeded with outputs %s, want functions.completeError", e.ID, compactJSON(outputs))
	}
	return ""
}

// CompletedWith is the token the bot completed the execution with, "" while
// it runs, so a test can check that the bot used the execution's own
// bot_access_token.
func (e *Execution) CompletedWith() string {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	return e.rec.by
}

// await waits up to the wait timeout for the execution to finish.
func (e *Execution) await(t TB) (state string, outputs map[string]any, errMsg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.s.ctx, e.s.cfg.waitTimeout)
	defer cancel()
	r := e.rec
	err := e.s.waitCond(ctx, func() bool { return r.state != "running" })
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	if err != nil {
		t.Fatalf("fakeslack: step %s (%s) still running after %v: the bot called neither functions.completeSuccess nor functions.completeError",
			e.ID, r.fn.CallbackID, e.s.cfg.waitTimeout)
		return "running", nil, ""
	}
	return r.state, maps.Clone(r.outputs), r.errMsg
}

// apiFunctionsCompleteSuccess implements functions.completeSuccess. It
// accepts the bot token as well as the execution's xwfp- token: Slack's
// method documentation accepts bot tokens (no scope needed), and Bolt
// uses the execution's token by default but lets an app use its bot
// token instead.
func (s *Server) apiFunctionsCompleteSuccess(req *apiRequest) (map[string]any, error) {
	var outputs map[string]any
	if raw, ok := req.raw["outputs"]; ok {
		if err := json.Unmarshal(raw, &outputs); err != nil {
			return nil, apiErr("invalid_arguments", "[ERROR] outputs must be an object [json-pointer:/outputs]")
		}
	} else if str := req.params["outputs"]; str != "" {
		if err := json.Unmarshal([]byte(str), &outputs); err != nil {
			return nil, apiErr("invalid_arguments", "[ERROR] outputs must be a JSON object [json-pointer:/outputs]")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.runningExecution(req)
	if err != nil {
		return nil, err
	}
	if problems := checkOutputs(r.fn.Outputs, outputs); len(problems) > 0 {
		return nil, apiErr("parameter_validation_failed", problems...)
	}
	r.state, r.outputs, r.by = "completed", outputs, req.token
	s.logEntry("Workflow Builder", "step_completed", fmt.Sprintf("%s with outputs %s", r.fn.Title, compactJSON(outputs)))
	s.notify()
	return nil, nil
}

// apiFunctionsCompleteError implements functions.completeError; tokens as
// for functions.completeSuccess.
func (s *Server) apiFunctionsCompleteError(req *apiRequest) (map[string]any, error) {
	if err := req.requireParams("function_execution_id", "error"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.runningExecution(req)
	if err != nil {
		return nil, err
	}
	r.state, r.errMsg, r.by = "failed", req.params["error"], req.token
	s.logEntry("Workflow Builder", "step_failed", fmt.Sprintf("%s: %s", r.fn.Title, r.errMsg))
	s.notify()
	return nil, nil
}

// runningExecution finds the execution a completion names: unknown →
// function_execution_not_found, already completed →
// execution_not_in_running_state. Call with s.mu held.
func (s *Server) runningExecution(req *apiRequest) (*execRec, error) {
	r, ok := s.execs[req.params["function_execution_id"]]
	switch {
	case !ok:
		return nil, apiErr("function_execution_not_found")
	case r.state != "running":
		return nil, apiErr("execution_not_in_running_state")
	}
	return r, nil
}

// isFunctionToken reports whether tok is an execution's bot_access_token,
// which Slack accepts as a bot token. Call with s.mu held.
func (s *Server) isFunctionToken(tok string) bool {
	if !strings.HasPrefix(tok, "xwfp-") {
		return false
	}
	for _, r := range s.execs {
		if r.token == tok {
			return true
		}
	}
	return false
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
