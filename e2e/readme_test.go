package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every test and benchmark the README names exists: a renamed or removed
// test cannot leave a requirement pointing at nothing.
func TestEveryTestTheREADMENamesExists(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Fuzz)\w+)\(`)
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		for _, m := range decl.FindAllSubmatch(src, -1) {
			defined[string(m[1])] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile("`(?:[a-z]+: )?((?:Test|Benchmark|Fuzz)[A-Z][A-Za-z0-9_]*)")
	for _, m := range named.FindAllStringSubmatch(string(readme), -1) {
		if !defined[m[1]] {
			t.Errorf("README.md names %s, which no _test.go defines", m[1])
		}
	}
}
