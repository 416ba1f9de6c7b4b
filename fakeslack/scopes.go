package fakeslack

import (
	"net/http"
	"slices"
	"strings"
)

// botScopes are the scopes the fake app's bot token is granted: those the
// bot's manifest.yaml asks for, so a bot that checks its own scopes (as
// `handoffbot check` does) finds them. chat:write.public is granted only
// WithChatWritePublic, whose absence the fake models by default.
var botScopes = []string{
	"commands", "chat:write", "im:write", "im:history", "users:read", "users:read.email",
	"usergroups:read", "channels:read", "groups:read", "channels:history", "groups:history",
	"app_mentions:read", "files:write",
}

// setScopeHeader sets X-OAuth-Scopes as Slack does on Web API replies: the
// comma-separated scopes of the token that made the call. An unknown or
// revoked token gets none.
func (s *Server) setScopeHeader(w http.ResponseWriter, token string) {
	s.mu.Lock()
	revoked := s.flt.revoked[token] != ""
	fnToken := s.isFunctionToken(token)
	s.mu.Unlock()
	var scopes []string
	switch {
	case revoked || token == "":
		return
	case token == s.cfg.botToken || fnToken:
		scopes = slices.Clone(botScopes)
		if s.cfg.chatWritePublic {
			scopes = append(scopes, "chat:write.public")
		}
	case token == s.cfg.appToken:
		scopes = []string{"connections:write"}
	default:
		return
	}
	w.Header().Set("X-OAuth-Scopes", strings.Join(scopes, ","))
}
