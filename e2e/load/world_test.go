// Package load measures the real binary under load (BenchmarkLoad); `go
// test` alone runs nothing here.
package load

import (
	"os"
	"testing"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

const handoffChannel = e2etest.HandoffChannel
