// Package e2etest runs handoffbot end to end for the tests in e2e/ and
// its fault and load packages: a fake Slack workspace with its people and
// channels, a fresh Postgres database, and the real bot — in-process with
// its configuration given as a value (World), or as the built binary
// configured by its environment (Process).
package e2etest

import (
	"testing"

	"github.com/handoffbot/handoffbot/fakeslack"
)

// The people and channels of the test workspace.
const (
	Monica         = "UMONICA"  // marketing
	John           = "UJOHN"    // marketing
	Fox            = "UFOX"     // sales
	Walter         = "UWALTER"  // sales
	Skinner        = "USKINNER" // manager
	Krycek         = "UKRYCEK"  // in neither team
	SalesGroup     = "SSALES"
	MarketingGroup = "SMARKETING"
	HandoffChannel = "CHANDOFF"
	ManagerChannel = "CMANAGERS"
	DigestChannel  = "CDIGEST"
)

// Populate adds the workspace's people, its two teams as user groups, and
// the handoff channel with everyone in it.
func Populate(fs *fakeslack.Server) {
	for _, u := range []fakeslack.User{
		{ID: Monica, Name: "monica", RealName: "Monica Reyes"},
		{ID: John, Name: "john", RealName: "John Doggett"},
		{ID: Fox, Name: "fox", RealName: "Fox Mulder"},
		{ID: Walter, Name: "walter", RealName: "Walter Skinner Jr"},
		{ID: Skinner, Name: "skinner", RealName: "Walter Skinner"},
		{ID: Krycek, Name: "krycek", RealName: "Alex Krycek"},
	} {
		fs.AddUser(u)
	}
	fs.AddUserGroup(SalesGroup, "sales", Fox, Walter)
	fs.AddUserGroup(MarketingGroup, "marketing", Monica, John)
	fs.AddChannel(fakeslack.Channel{ID: HandoffChannel, Name: "handoffs", BotIsMember: true,
		Members: []string{Monica, John, Fox, Walter, Skinner, Krycek}})
}

// AddManagerChannel adds the managers' channel, with the bot and Skinner.
func AddManagerChannel(fs *fakeslack.Server) {
	fs.AddChannel(fakeslack.Channel{ID: ManagerChannel, Name: "managers", BotIsMember: true, Members: []string{Skinner}})
}

// AddDigestChannel adds the team-wide digest channel.
func AddDigestChannel(fs *fakeslack.Server) {
	fs.AddChannel(fakeslack.Channel{ID: DigestChannel, Name: "digest", BotIsMember: true, Members: []string{Monica, John, Skinner}})
}

// NewFake starts a populated fake Slack that closes when the test ends.
func NewFake(t testing.TB, opts ...fakeslack.Option) *fakeslack.Server {
	t.Helper()
	fs, err := fakeslack.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	Populate(fs)
	return fs
}
