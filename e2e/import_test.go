package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/handoffcsv"
	"github.com/handoffbot/handoffbot/handoffcsv/csvtest"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// sampleCSV writes n sample handoffs; edit may change them first (the
// writer writes whatever it is given, valid or not).
func sampleCSV(t *testing.T, n int, edit func(i int, h *domain.Handoff)) string {
	t.Helper()
	var b bytes.Buffer
	w := handoffcsv.NewWriter(&b)
	for i, h := range csvtest.Sample(n, 7) {
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
	t.Parallel()
	dbURL := storagetest.URL(t)
	cfg := e2etest.DatabaseConfig(t, dbURL)
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
	_, _, err := e2etest.Command(cfg, "import", writeFile(t, bad))
	if err == nil {
		t.Fatal("import with bad rows succeeded")
	}
	mustContain(t, "import error", err.Error(), "nothing imported", "line 7, column direction", "line 9, column email")
	if n := queryStrings(t, dbURL, `SELECT count(*) FROM handoffs`); n[0] != "0" {
		t.Fatalf("%s handoffs imported from a file with bad rows", n[0])
	}

	out, _, err := e2etest.Command(cfg, "import", writeFile(t, good))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "import", out, "10 new, 0 updated, 0 unchanged")
	export := func() string {
		out, _, err := e2etest.Command(cfg, "export")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := export()
	out, _, err = e2etest.Command(cfg, "import", writeFile(t, first))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "import of the export", out, "0 new, 0 updated, 10 unchanged")
	if second := export(); second != first {
		t.Errorf("export → import → export differs:\n%s\n---\n%s", first, second)
	}
}
