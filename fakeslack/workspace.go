package fakeslack

import (
	"slices"
	"strings"
)

// User is a person (or bot) in the fake workspace. Deleted users still
// resolve through users.info, with deleted:true, as deactivated accounts do
// in Slack.
//
// A user may belong to another team. With EnterpriseID equal to the
// installation's, that is a member of a sibling workspace of the same
// Enterprise Grid organization; otherwise it is a Slack Connect guest
// from another company. Such a user is in no channel unless a channel
// lists them in Members (a shared channel), and users.info shows them as
// Slack does (see apiUsersInfo).
type User struct {
	ID       string // "U…" (or "W…" for a Grid user)
	Name     string // handle, shown as @Name
	RealName string
	Email    string
	TZ       string // IANA zone, e.g. "Europe/Berlin"
	IsBot    bool
	Deleted  bool
	// TeamID is the user's home workspace; "" means the installation's.
	TeamID string
	// EnterpriseID is the user's Enterprise Grid organization; "" means
	// the installation's for a user of its own team, and none for a user
	// of another team.
	EnterpriseID string
}

// Channel is a conversation in the fake workspace.
//
// Members lists who is in it; nil means every user of the installation's
// own team, which keeps test set-up short. A channel whose Members include
// users of another organization is a Slack Connect channel
// (conversations.info says is_ext_shared); one with users of a sibling
// Grid workspace is org-shared. BotIsMember decides whether the bot may post:
// without it chat.postMessage fails with not_in_channel (or, for a private
// channel the bot cannot see, channel_not_found), as in Slack.
type Channel struct {
	ID          string // "C…" public or "G…"/"C…" private
	Name        string // without '#'
	Members     []string
	Private     bool
	BotIsMember bool
}

type chanRec struct {
	Channel
	im     bool   // a D… direct-message conversation with the bot
	imUser string // the human in that DM
}

type userGroup struct {
	id, handle string
	members    []string
	updated    int64 // unix seconds of the last change, on the fake's clock
}

type workspace struct {
	users     map[string]*User
	userOrder []string
	groups    map[string]*userGroup
	channels  map[string]*chanRec
	ims       map[string]string // user id → D… id
}

func (w *workspace) init() {
	w.users = map[string]*User{}
	w.groups = map[string]*userGroup{}
	w.channels = map[string]*chanRec{}
	w.ims = map[string]string{}
	w.putUser(User{ID: botUserID, Name: botName, RealName: "Lead Handoff", IsBot: true, TZ: "UTC"})
}

func (w *workspace) putUser(u User) {
	if _, ok := w.users[u.ID]; !ok {
		w.userOrder = append(w.userOrder, u.ID)
	}
	w.users[u.ID] = &u
}

// AddUser adds or replaces a workspace user. Set Deleted to model a
// deactivated account. It sends no event; ChangeUser sends user_change.
func (s *Server) AddUser(u User) {
	u = withUserDefaults(u)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws.putUser(u)
	s.notify()
}

// withUserDefaults fills what a test may leave out: the handle (from the
// id), the real name (the handle) and the time zone (UTC).
func withUserDefaults(u User) User {
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	if u.RealName == "" {
		u.RealName = u.Name
	}
	if u.TZ == "" {
		u.TZ = "UTC"
	}
	return u
}

// AddUserGroup adds a user group ("S…" id) that usergroups.users.list
// resolves, so configuration such as MANAGERS=S123 can be tested. It
// sends no event; SetUserGroupMembers sends subteam_members_changed.
func (s *Server) AddUserGroup(id, handle string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws.groups[id] = &userGroup{id: id, handle: handle, members: slices.Clone(members), updated: s.now().Unix()}
	s.notify()
}

// AddChannel adds or replaces a channel.
func (s *Server) AddChannel(c Channel) {
	if c.Name == "" {
		c.Name = strings.ToLower(c.ID)
	}
	c.Members = slices.Clone(c.Members)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws.channels[c.ID] = &chanRec{Channel: c}
	s.notify()
}

// RemoveBotFromChannel takes the bot out of a channel, as when someone
// kicks it; later posts there fail with not_in_channel.
func (s *Server) RemoveBotFromChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.ws.channels[id]; ok {
		c.BotIsMember = false
	}
	s.notify()
}

// imFor returns the user's D… conversation with the bot, creating it the
// first time; the id is stable for the life of the server. Call with s.mu
// held.
func (s *Server) imFor(userID string) string {
	if id, ok := s.ws.ims[userID]; ok {
		return id
	}
	id := "D" + strings.TrimPrefix(userID, "U")
	if _, taken := s.ws.channels[id]; taken || !strings.HasPrefix(userID, "U") {
		id = s.nextID("D")
	}
	s.ws.ims[userID] = id
	s.ws.channels[id] = &chanRec{
		Channel: Channel{ID: id, Members: []string{userID, botUserID}, Private: true, BotIsMember: true},
		im:      true, imUser: userID,
	}
	return id
}

// resolveChannel maps a channel argument as chat.postMessage accepts it (a
// conversation id or a user id, meaning the DM) to a conversation. Call
// with s.mu held.
func (s *Server) resolveChannel(id string) (*chanRec, error) {
	if id == "" {
		return nil, apiErr("channel_not_found")
	}
	if u, ok := s.ws.users[id]; ok {
		if u.IsBot {
			return nil, apiErr("cannot_dm_bot")
		}
		return s.ws.channels[s.imFor(id)], nil
	}
	c, ok := s.ws.channels[id]
	if !ok {
		return nil, apiErr("channel_not_found")
	}
	if c.Private && !c.BotIsMember {
		return nil, apiErr("channel_not_found")
	}
	return c, nil
}

// checkCanPost reports whether the bot may post in c. Call with s.mu held.
func (s *Server) checkCanPost(c *chanRec) error {
	if c.im {
		if u := s.ws.users[c.imUser]; u != nil && u.Deleted {
			return apiErr("is_archived")
		}
		return nil
	}
	if c.BotIsMember || (!c.Private && s.cfg.chatWritePublic) {
		return nil
	}
	return apiErr("not_in_channel")
}

// isMember reports whether user is in c (nil Members: everyone of the
// installation's team is). Call with s.mu held.
func (s *Server) isMember(c *chanRec, user string) bool {
	if user == botUserID {
		return c.BotIsMember
	}
	if c.Members == nil {
		return s.userTeam(user) == s.cfg.inst.TeamID
	}
	return slices.Contains(c.Members, user)
}

// members lists c's members as conversations.members does. Call with s.mu
// held.
func (s *Server) members(c *chanRec) []string {
	var out []string
	if c.Members == nil {
		for _, id := range s.ws.userOrder {
			if u := s.ws.users[id]; !u.Deleted && !u.IsBot && s.userTeam(id) == s.cfg.inst.TeamID {
				out = append(out, id)
			}
		}
	} else {
		out = slices.Clone(c.Members)
	}
	if c.BotIsMember && !slices.Contains(out, botUserID) {
		out = append(out, botUserID)
	}
	return out
}

// userName is the handle of a user, or the id when unknown. Call with s.mu
// held.
func (s *Server) userName(id string) string {
	if u, ok := s.ws.users[id]; ok {
		return u.Name
	}
	return id
}

// channelName is how people see a conversation: "#name" or "DM @user".
// Call with s.mu held.
func (s *Server) channelName(id string) string {
	c, ok := s.ws.channels[id]
	switch {
	case !ok:
		return id
	case c.im:
		return "DM @" + s.userName(c.imUser)
	default:
		return "#" + c.Name
	}
}

// channelType is the channel_type Slack puts on message events.
func (c *chanRec) channelType() string {
	switch {
	case c.im:
		return "im"
	case c.Private:
		return "group"
	default:
		return "channel"
	}
}
