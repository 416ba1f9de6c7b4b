package fakeslack

import (
	"strings"
)

// apiUsersInfo answers one user; users of other teams carry the fields
// organization.go describes.
func (s *Server) apiUsersInfo(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.ws.users[req.params["user"]]
	if !ok {
		return nil, apiErr("user_not_found")
	}
	return map[string]any{"user": s.userJSON(u)}, nil
}

// apiUsersList returns every user in one page (no next_cursor).
func (s *Server) apiUsersList(_ *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var members []any
	for _, id := range s.ws.userOrder {
		members = append(members, s.userJSON(s.ws.users[id]))
	}
	return map[string]any{
		"members": members, "cache_ts": s.now().Unix(),
		"response_metadata": map[string]any{"next_cursor": ""},
	}, nil
}

func (s *Server) apiUsersLookupByEmail(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	email := req.params["email"]
	for _, id := range s.ws.userOrder {
		if u := s.ws.users[id]; email != "" && strings.EqualFold(u.Email, email) && !u.Deleted {
			return map[string]any{"user": s.userJSON(u)}, nil
		}
	}
	return nil, apiErr("users_not_found")
}

func (s *Server) apiUserGroupsUsersList(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.ws.groups[req.params["usergroup"]]
	if !ok {
		return nil, apiErr("no_such_subteam")
	}
	users := append([]string{}, g.members...)
	return map[string]any{"users": users}, nil
}

// apiConversationsOpen opens (or finds) the bot's DM with one user; the
// D… id is stable. Group DMs are not modelled.
func (s *Server) apiConversationsOpen(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := req.params["channel"]; id != "" {
		c, ok := s.ws.channels[id]
		if !ok || !c.im {
			return nil, apiErr("channel_not_found")
		}
		return map[string]any{"channel": map[string]any{"id": id}, "already_open": true}, nil
	}
	users := strings.Split(req.params["users"], ",")
	if len(users) != 1 || users[0] == "" {
		return nil, apiErr("invalid_arguments", "[ERROR] the fake supports conversations.open with exactly one user")
	}
	u, ok := s.ws.users[users[0]]
	switch {
	case !ok:
		return nil, apiErr("user_not_found")
	case u.Deleted:
		return nil, apiErr("user_disabled")
	case u.IsBot:
		return nil, apiErr("cannot_dm_bot")
	}
	_, already := s.ws.ims[u.ID]
	id := s.imFor(u.ID)
	ch := map[string]any{"id": id}
	if req.flag("return_im") {
		ch = s.channelJSON(s.ws.channels[id])
	}
	return map[string]any{"channel": ch, "already_open": already, "no_op": already}, nil
}

// channelJSON renders a conversation as conversations.info returns it.
// Call with s.mu held.
func (s *Server) channelJSON(c *chanRec) map[string]any {
	m := map[string]any{
		"id": c.ID, "created": 1700000000, "is_im": c.im, "is_private": c.Private,
		"is_archived": false, "is_member": c.BotIsMember, "is_open": true,
	}
	if c.im {
		m["user"], m["is_user_deleted"] = c.imUser, s.ws.users[c.imUser] != nil && s.ws.users[c.imUser].Deleted
		return m
	}
	m["name"], m["name_normalized"] = c.Name, c.Name
	m["is_channel"], m["is_group"] = !c.Private, c.Private
	org, ext := s.sharing(c)
	m["is_shared"], m["is_org_shared"], m["is_ext_shared"] = org || ext, org, ext
	m["num_members"] = len(s.members(c))
	return m
}

func (s *Server) apiConversationsInfo(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channels[req.params["channel"]]
	if !ok || (c.Private && !c.BotIsMember) {
		return nil, apiErr("channel_not_found")
	}
	return map[string]any{"channel": s.channelJSON(c)}, nil
}

// apiConversationsMembers returns all members in one page.
func (s *Server) apiConversationsMembers(req *apiRequest) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channels[req.params["channel"]]
	if !ok || (c.Private && !c.BotIsMember) {
		return nil, apiErr("channel_not_found")
	}
	return map[string]any{
		"members":           s.members(c),
		"response_metadata": map[string]any{"next_cursor": ""},
	}, nil
}
