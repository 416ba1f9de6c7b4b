package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handoffcsv"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func setImportEnv(t *testing.T) string {
	t.Helper()
	dbURL := storagetest.URL(t)
	for k, v := range map[string]string{
		"SLACK_APP_TOKEN": "xapp-1-A1-import", "SLACK_BOT_TOKEN": "xoxb-import", "HANDOFF_CHANNEL": handoffChannel,
		"DATABASE_URL": dbURL, "LOG_FORMAT": "text", "HTTP_ADDR": "",
	} {
		t.Setenv(k, v)
	}
	return dbURL
}

// sampleCSV writes n sample handoffs; edit may change them first (the
// writer writes whatever it is given, valid or not).
func sampleCSV(t *testing.T, n int, edit func(i int, h *domain.Handoff)) string {
	t.Helper()
	var b bytes.Buffer
	w := handoffcsv.NewWriter(&b)
	for i, h := range handoffcsv.Sample(n, 7) {
		if edit != nil {
			edit(i, &h)
		}
		if err := w.Write(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "handoffs.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Bad rows on lines 7 and 9 (the header is line 1): both reported by line
// and column, and nothing imported; then the good file imports, again
// without change, and export → import → export gives the same file.
func TestImportIsAllOrNothingAndRoundTrips(t *testing.T) {
	dbURL := setImportEnv(t)
	good := sampleCSV(t, 10, nil)
	bad := sampleCSV(t, 10, func(i int, h *domain.Handoff) {
		h.Notes = "" // one line per record, so record i is on line i+2
		h.ReasonNote = strings.ReplaceAll(h.ReasonNote, "\n", " ")
		switch i {
		case 5:
			h.Direction = "to_nowhere"
		case 7:
			h.Lead.Email = "not-an-email"
		}
	})
	var out, logs bytes.Buffer
	err := run(context.Background(), []string{"import", writeFile(t, bad)}, &out, &logs)
	if err == nil {
		t.Fatal("import with bad rows succeeded")
	}
	mustContain(t, "import error", err.Error(), "nothing imported", "line 7, column direction", "line 9, column email")
	if n := queryStrings(t, dbURL, `SELECT count(*) FROM handoffs`); n[0] != "0" {
		t.Fatalf("%s handoffs imported from a file with bad rows", n[0])
	}

	out.Reset()
	if err := run(context.Background(), []string{"import", writeFile(t, good)}, &out, &logs); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "import", out.String(), "10 new, 0 updated, 0 unchanged")
	export := func() string {
		out.Reset()
		if err := run(context.Background(), []string{"export"}, &out, &logs); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	first := export()
	out.Reset()
	if err := run(context.Background(), []string{"import", writeFile(t, first)}, &out, &logs); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "import of the export", out.String(), "0 new, 0 updated, 10 unchanged")
	if second := export(); second != first {
		t.Errorf("export → import → export differs:\n%s\n---\n%s", first, second)
	}
}
