package intake_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/intake"
)

// memKeys is an in-memory key store that, like the real one, keeps only
// hashes and looks keys up by them.
type memKeys struct {
	mu     sync.Mutex
	byHash map[string]intake.Key
	nextID int64
	fail   error // when set, Authenticate answers it
}

func newMemKeys() *memKeys { return &memKeys{byHash: map[string]intake.Key{}} }

// create makes a key and returns its token, as `keys create` would print it.
func (m *memKeys) create(name string, rate float64, burst int) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	token, hash := intake.NewToken()
	m.nextID++
	m.byHash[hash] = intake.Key{ID: m.nextID, Name: name, Rate: rate, Burst: burst}
	return token
}

func (m *memKeys) revoke(token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byHash, intake.Hash(token))
}

func (m *memKeys) Authenticate(_ context.Context, token string) (intake.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return intake.Key{}, m.fail
	}
	k, ok := m.byHash[intake.Hash(token)]
	if !ok {
		return intake.Key{}, intake.ErrUnknownKey
	}
	return k, nil
}

// call is one Create that reached the application.
type call struct {
	key intake.Key
	req intake.Request
}

// memHandoffs is an in-memory application with the rules the API relies
// on: replays by external_id and body hash, the open-lead duplicate rule,
// and an assignee email only it can resolve.
type memHandoffs struct {
	mu       sync.Mutex
	now      func() time.Time
	byID     map[int64]intake.Handoff
	external map[string]extRecord
	calls    []call
	posted   int   // handoffs created: each would post a card and DMs
	fail     error // when set, Create and Get answer it
}

type extRecord struct {
	id   int64
	hash string
}

// people resolves an assignee email, as Slack's users.lookupByEmail would.
var people = map[string]string{"fox@fbi.example": "U0FOX0001"}

func newMemHandoffs(now func() time.Time) *memHandoffs {
	return &memHandoffs{now: now, byID: map[int64]intake.Handoff{}, external: map[string]extRecord{}}
}

func (m *memHandoffs) Create(_ context.Context, key intake.Key, req intake.Request) (intake.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, call{key, req})
	if m.fail != nil {
		return intake.Result{}, m.fail
	}
	if rec, ok := m.external[req.ExternalID]; ok && req.ExternalID != "" {
		if rec.hash != req.BodyHash {
			return intake.Result{}, &domain.ExternalIDError{ExternalID: req.ExternalID, Existing: rec.id}
		}
		return intake.Result{Handoff: m.byID[rec.id], Replayed: true}, nil
	}
	if open, ok := m.openOf(req.Lead.Email); ok && !req.AllowDuplicate {
		return intake.Result{}, &domain.DuplicateError{Open: domain.Handoff{ID: open.ID, State: open.State, CardPermalink: open.CardURL}}
	}
	assignee, err := m.assignee(req.Assignee)
	if err != nil {
		return intake.Result{}, err
	}
	h := m.build(key, req, assignee)
	m.byID[h.ID] = h
	if req.ExternalID != "" {
		m.external[req.ExternalID] = extRecord{h.ID, req.BodyHash}
	}
	m.posted++
	return intake.Result{Handoff: h}, nil
}

func (m *memHandoffs) build(key intake.Key, req intake.Request, assignee string) intake.Handoff {
	id := int64(len(m.byID) + 1)
	ext := req.ExternalID
	if ext == "" {
		ext = fmt.Sprintf("hb-%d", id)
	}
	return intake.Handoff{
		ID: id, ExternalID: ext, State: domain.StatePending, Direction: req.Direction, Priority: req.Priority,
		Lead: req.Lead, Source: req.Source, Campaign: req.Campaign, Notes: req.Notes + " (via " + key.Name + ")",
		CRMURL: req.CRMURL, Assignee: assignee, CreatedAt: m.now().UTC(), OccurredAt: req.OccurredAt,
		CardURL: fmt.Sprintf("https://acme.slack.com/archives/C0HANDOFF/p%d", 1764839527000100+id),
	}
}

func (m *memHandoffs) openOf(email string) (intake.Handoff, bool) {
	if email == "" {
		return intake.Handoff{}, false
	}
	for _, h := range m.byID {
		if domain.EmailKey(h.Lead.Email) == domain.EmailKey(email) && h.State.Open() {
			return h, true
		}
	}
	return intake.Handoff{}, false
}

func (m *memHandoffs) assignee(a string) (string, error) {
	switch {
	case a == "":
		return "U0ROTATE1", nil
	case domain.ValidUserID(a):
		return a, nil
	case people[a] != "":
		return people[a], nil
	}
	return "", domain.FieldErrors{{Field: "assignee", Message: "No one in the workspace has this email."}}
}

func (m *memHandoffs) Get(_ context.Context, id int64) (intake.Handoff, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return intake.Handoff{}, m.fail
	}
	h, ok := m.byID[id]
	if !ok {
		return intake.Handoff{}, domain.Errorf(domain.ENOTFOUND, "There is no handoff %d.", id)
	}
	return h, nil
}

func (m *memHandoffs) callCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.calls)
}

func (m *memHandoffs) lastCall() call {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[len(m.calls)-1]
}

func (m *memHandoffs) postedCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.posted
}

func (m *memHandoffs) failWith(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}
