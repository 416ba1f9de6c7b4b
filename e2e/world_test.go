package e2e

import (
	"os"
	"testing"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// The people and channels of the test workspace.
const (
	monica         = e2etest.Monica  // marketing
	john           = e2etest.John    // marketing
	fox            = e2etest.Fox     // sales
	walter         = e2etest.Walter  // sales
	skinner        = e2etest.Skinner // manager
	krycek         = e2etest.Krycek  // in neither team
	handoffChannel = e2etest.HandoffChannel
	managerChannel = e2etest.ManagerChannel
	digestChannel  = e2etest.DigestChannel
)

// world is e2etest's World with the story helpers of this package.
type world struct{ *e2etest.World }

// newWorld starts a workspace, a fresh database and the bot.
func newWorld(t *testing.T, opts ...e2etest.Option) *world {
	t.Helper()
	return &world{e2etest.NewWorld(t, opts...)}
}

var mustContain = e2etest.MustContain
