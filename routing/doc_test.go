package routing

import (
	"os"
	"strings"
	"testing"
)

// TestDocsShowRealOutput keeps docs/routing.md honest: its complete example
// is the file the tests route through, and its check output is what Parse
// says about testdata/check.yaml.
func TestDocsShowRealOutput(t *testing.T) {
	doc, err := os.ReadFile("../docs/routing.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("testdata/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```yaml\n"+string(example)+"```\n") {
		t.Error("docs/routing.md: the complete example differs from testdata/rules.yaml")
	}
	draft, err := os.ReadFile("testdata/check.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("routing.yaml", draft)
	if err == nil {
		t.Fatal("testdata/check.yaml should have problems")
	}
	if !strings.Contains(string(doc), "```\n"+err.Error()+"\n```\n") {
		t.Errorf("docs/routing.md: the check output should read\n%s", err)
	}
}
