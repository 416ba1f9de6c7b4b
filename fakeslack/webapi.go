package fakeslack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Call is one recorded Web API request, kept so tests can assert what the
// bot asked for (and how often) after the fact. Params holds form fields,
// query parameters or top-level JSON fields as strings (objects and arrays
// re-marshaled as compact JSON). Status and Error are what the fake replied.
type Call struct {
	Method  string
	Token   string
	Params  map[string]string
	Body    []byte
	At      time.Time
	Status  int
	Error   string
	Applied bool // the call took effect although the reply said otherwise (Fault.Applied)
}

// Calls returns the recorded calls of a Web API method in order; "" returns
// every call. response_url posts are recorded as "response_url" and file
// upload posts as "files.upload"; apps.connections.open is recorded too,
// and so are requests refused with 503 while SetOffline is on.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			c.Params = maps.Clone(c.Params)
			out = append(out, c)
		}
	}
	return out
}

// apiError is a Slack API error: HTTP 200 with {"ok":false,"error":code}.
// details go to response_metadata.messages, as Slack does for
// invalid_blocks, so a failing bot logs why.
type apiError struct {
	code    string
	details []string
}

func (e *apiError) Error() string { return e.code }

func apiErr(code string, details ...string) error { return &apiError{code: code, details: details} }

// errDetails renders an error with Slack's response_metadata messages.
func errDetails(err error) string {
	if ae, ok := err.(*apiError); ok && len(ae.details) > 0 {
		return ae.code + " " + strings.Join(ae.details, "; ")
	}
	return err.Error()
}

// apiRequest is a parsed Web API request, whatever its encoding.
type apiRequest struct {
	method string
	token  string
	params map[string]string
	raw    map[string]json.RawMessage // top-level fields of a JSON body
	body   []byte
}

type tokenKind int

const (
	botTokenMethod tokenKind = iota
	appTokenMethod
)

type apiMethod struct {
	fn    func(s *Server, r *apiRequest) (map[string]any, error)
	token tokenKind
}

// apiMethods is the routing table of the Web API; anything else answers
// unknown_method.
var apiMethods = map[string]apiMethod{
	"apps.connections.open":        {(*Server).apiConnectionsOpen, appTokenMethod},
	"auth.test":                    {(*Server).apiAuthTest, botTokenMethod},
	"chat.postMessage":             {(*Server).apiPostMessage, botTokenMethod},
	"chat.update":                  {(*Server).apiUpdate, botTokenMethod},
	"chat.postEphemeral":           {(*Server).apiPostEphemeral, botTokenMethod},
	"chat.delete":                  {(*Server).apiDelete, botTokenMethod},
	"chat.getPermalink":            {(*Server).apiPermalink, botTokenMethod},
	"views.open":                   {(*Server).apiViewsOpen, botTokenMethod},
	"views.push":                   {(*Server).apiViewsPush, botTokenMethod},
	"views.update":                 {(*Server).apiViewsUpdate, botTokenMethod},
	"views.publish":                {(*Server).apiViewsPublish, botTokenMethod},
	"conversations.open":           {(*Server).apiConversationsOpen, botTokenMethod},
	"conversations.info":           {(*Server).apiConversationsInfo, botTokenMethod},
	"conversations.members":        {(*Server).apiConversationsMembers, botTokenMethod},
	"conversations.history":        {(*Server).apiConversationsHistory, botTokenMethod},
	"conversations.replies":        {(*Server).apiConversationsReplies, botTokenMethod},
	"users.info":                   {(*Server).apiUsersInfo, botTokenMethod},
	"users.list":                   {(*Server).apiUsersList, botTokenMethod},
	"users.lookupByEmail":          {(*Server).apiUsersLookupByEmail, botTokenMethod},
	"usergroups.users.list":        {(*Server).apiUserGroupsUsersList, botTokenMethod},
	"files.getUploadURLExternal":   {(*Server).apiGetUploadURL, botTokenMethod},
	"files.completeUploadExternal": {(*Server).apiCompleteUpload, botTokenMethod},
	"functions.completeSuccess":    {(*Server).apiFunctionsCompleteSuccess, botTokenMethod},
	"functions.completeError":      {(*Server).apiFunctionsCompleteError, botTokenMethod},
}

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	req, perr := parseAPIRequest(r)
	req.method = method
	s.setScopeHeader(w, req.token)
	call := Call{Method: method, Token: req.token, Params: req.params, Body: req.body, At: s.now()}
	var resp map[string]any
	var err error
	if s.serveFaulted(w, r, &call, func() error { resp, err = s.dispatch(req, perr); return err }) {
		return
	}
	s.writeAPI(w, &call, resp, err)
}

func (s *Server) dispatch(req *apiRequest, perr error) (map[string]any, error) {
	if perr != nil {
		return nil, perr
	}
	m, ok := apiMethods[req.method]
	if !ok {
		return nil, apiErr("unknown_method")
	}
	if err := s.checkToken(req.token, m.token); err != nil {
		return nil, err
	}
	return m.fn(s, req)
}

// checkToken applies Slack's token rules: no token → not_authed, revoked
// → token_revoked (account_inactive once the app is uninstalled), the
// other kind of token → not_allowed_token_type, anything else →
// invalid_auth. A custom step execution's xwfp- token counts as a bot
// token.
func (s *Server) checkToken(tok string, kind tokenKind) error {
	want, other := s.cfg.botToken, s.cfg.appToken
	if kind == appTokenMethod {
		want, other = other, want
	}
	s.mu.Lock()
	revoked := s.flt.revoked[tok]
	fnToken := kind == botTokenMethod && s.isFunctionToken(tok)
	s.mu.Unlock()
	switch {
	case tok == "":
		return apiErr("not_authed")
	case revoked != "":
		return apiErr(revoked)
	case tok == want || fnToken:
		return nil
	case tok == other:
		return apiErr("not_allowed_token_type")
	default:
		return apiErr("invalid_auth")
	}
}

// parseAPIRequest reads form, query and JSON encodings the way slack-go
// sends them: form bodies with a token field for most methods, JSON with a
// bearer token for views.* and apps.connections.open, GET for
// chat.getPermalink.
func parseAPIRequest(r *http.Request) (*apiRequest, error) {
	req := &apiRequest{params: map[string]string{}}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return req, apiErr("invalid_form_data")
	}
	req.body = body
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		req.token = tok
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype == "application/json" {
		err = req.parseJSON(body)
	} else {
		err = req.parseForm(r.URL.RawQuery, body)
	}
	if req.token == "" {
		req.token = req.params["token"]
	}
	delete(req.params, "token")
	return req, err
}

func (req *apiRequest) parseForm(query string, body []byte) error {
	q, err := url.ParseQuery(query)
	if err != nil {
		return apiErr("invalid_form_data")
	}
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return apiErr("invalid_form_data")
	}
	for _, v := range []url.Values{q, f} {
		for k, vs := range v {
			req.params[k] = vs[0]
		}
	}
	return nil
}

func (req *apiRequest) parseJSON(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, &req.raw); err != nil {
		return apiErr("invalid_json")
	}
	for k, v := range req.raw {
		var str string
		if json.Unmarshal(v, &str) == nil {
			req.params[k] = str
			continue
		}
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			req.params[k] = buf.String()
		}
	}
	return nil
}

// flag reads a boolean parameter as Slack does ("true"/"1").
func (req *apiRequest) flag(name string) bool {
	v := req.params[name]
	return v == "true" || v == "1"
}

func (s *Server) writeAPI(w http.ResponseWriter, call *Call, resp map[string]any, err error) {
	var rl *rateLimitedError
	if errors.As(err, &rl) {
		w.Header().Set("Retry-After", rl.retryAfterHeader())
		call.Status, call.Error = http.StatusTooManyRequests, rl.Error()
		s.log.Warn("fakeslack: rate limited", "method", call.Method, "retry_after", rl.retryAfter)
		s.record(*call)
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": rl.Error()})
		return
	}
	out := map[string]any{"ok": true}
	if err != nil {
		out = map[string]any{"ok": false, "error": err.Error()}
		if ae, ok := err.(*apiError); ok && len(ae.details) > 0 {
			out["response_metadata"] = map[string]any{"messages": ae.details}
		}
		call.Error = err.Error()
		s.log.Warn("fakeslack: api error", "method", call.Method, "error", err.Error())
	}
	for k, v := range resp {
		out[k] = v
	}
	call.Status = http.StatusOK
	s.log.Debug("fakeslack: api", "method", call.Method, "ok", err == nil)
	s.record(*call)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notify()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) apiAuthTest(_ *apiRequest) (map[string]any, error) {
	out := map[string]any{
		"url": s.base + "/", "team": teamName, "user": botName,
		"team_id": s.cfg.inst.TeamID, "user_id": botUserID, "bot_id": botID,
		"is_enterprise_install": false,
	}
	if s.cfg.inst.EnterpriseID != "" {
		out["enterprise_id"] = s.cfg.inst.EnterpriseID
	}
	return out, nil
}

// requireParams fails with Slack's invalid_arguments when a required
// parameter is missing.
func (req *apiRequest) requireParams(names ...string) error {
	var missing []string
	for _, n := range names {
		if req.params[n] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return apiErr("invalid_arguments", fmt.Sprintf("[ERROR] missing required field: %s", strings.Join(missing, ", ")))
	}
	return nil
}
