package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/handoffcsv"
)

// A manager's /handoff export sends the CSV to their DM — never to the
// channel, as it holds every lead's details; others are refused.
func TestExportGoesToTheManagersDM(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.HandOffToFox("Dana Scully (FBI) dana@fbi.example")

	w.User(krycek).Slash(t, handoffChannel, "/handoff export")
	w.User(krycek).ExpectEphemeral(t, "Only managers can export")

	w.User(skinner).Slash(t, handoffChannel, "/handoff export 7d")
	w.User(skinner).ExpectEphemeral(t, "Sent 1 handoff (")
	dm := w.User(skinner).ExpectDM(t, "1 handoff created")
	files := dm.Files()
	if len(files) != 1 || !strings.HasSuffix(files[0].Name, ".csv") {
		t.Fatalf("export DM files: %+v", files)
	}
	rows, _, err := handoffcsv.Read(bytes.NewReader(files[0].Content))
	if err != nil || len(rows) != 1 || rows[0].Lead.Name != "Dana Scully" || rows[0].Lead.Email != "dana@fbi.example" {
		t.Fatalf("exported CSV: %v %+v", err, rows)
	}
	w.User(skinner).Slash(t, handoffChannel, "/handoff export last week")
	w.User(skinner).ExpectEphemeral(t, "YYYY-MM-DD..YYYY-MM-DD")
	w.Finish()
}
