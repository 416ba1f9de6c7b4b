package fakehubspot

import (
	"net/http"
	"strconv"
	"strings"
)

// Owner is a HubSpot user who can own records.
type Owner struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
	UserID    int64
}

// AddOwner adds an active owner and returns its id (assigned when o.ID is
// empty): a new user in the account's Users & Teams.
func (s *Server) AddOwner(o Owner) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	if o.ID == "" {
		o.ID = itoa(s.nextID + 50_000_000)
	}
	if o.UserID == 0 {
		o.UserID = s.nextID + 7_000_000
	}
	s.owners = append(s.owners, o)
	return o.ID
}

// listOwners serves GET /crm/owners/{v}: pages of at most 500 (default
// 100), narrowed by ?email= (case-insensitive).
func (s *Server) listOwners(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := 100, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			badRequest(w, "limit must be between 1 and 500")
			return
		}
		limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			badRequest(w, "after must be a paging cursor from a previous page")
			return
		}
		offset = n
	}
	s.mu.Lock()
	var found []Owner
	for _, o := range s.owners {
		if e := q.Get("email"); e == "" || strings.EqualFold(e, o.Email) {
			found = append(found, o)
		}
	}
	s.mu.Unlock()
	end := min(offset+limit, len(found))
	results := []map[string]any{}
	for _, o := range found[min(offset, end):end] {
		results = append(results, map[string]any{"id": o.ID, "email": o.Email, "type": "PERSON",
			"firstName": o.FirstName, "lastName": o.LastName, "userId": o.UserID,
			"userIdIncludingInactive": o.UserID, "archived": false, "teams": []any{},
			"createdAt": iso(s.now()), "updatedAt": iso(s.now())})
	}
	answer := map[string]any{"results": results}
	if end < len(found) {
		answer["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, answer)
}
