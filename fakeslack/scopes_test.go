package fakeslack

import (
	"strings"
	"testing"
)

// auth.test tells the bot its token's scopes in X-OAuth-Scopes, as Slack
// does; chat:write.public only when granted, nothing for a revoked token.
func TestAuthTestReportsScopes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []Option
		public bool
	}{
		{"default", nil, false},
		{"chat:write.public granted", []Option{WithChatWritePublic()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.opts...)
			resp, err := newAPI(s, s.BotToken()).AuthTestContext(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			scopes := strings.Split(resp.Header.Get("X-OAuth-Scopes"), ",")
			for _, want := range []string{"chat:write", "commands", "usergroups:read", "channels:read"} {
				if !strings.Contains(","+strings.Join(scopes, ",")+",", ","+want+",") {
					t.Errorf("scopes %v lack %s", scopes, want)
				}
			}
			if got := strings.Contains(resp.Header.Get("X-OAuth-Scopes"), "chat:write.public"); got != tc.public {
				t.Errorf("chat:write.public granted = %v, want %v", got, tc.public)
			}
		})
	}
	s := newServer(t)
	s.RevokeToken(s.BotToken())
	resp, err := newAPI(s, s.BotToken()).AuthTestContext(testCtx(t))
	wantSlackError(t, err, "token_revoked")
	if resp != nil && resp.Header.Get("X-OAuth-Scopes") != "" {
		t.Errorf("a revoked token still reports scopes")
	}
}
