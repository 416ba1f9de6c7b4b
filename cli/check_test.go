package cli

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestMissingScopes(t *testing.T) {
	if got := missingScopes(strings.Join(requiredScopes, ", ")); len(got) != 0 {
		t.Errorf("all granted (with spaces): missing %v", got)
	}
	got := missingScopes("commands,chat:write")
	if slices.Contains(got, "commands") || !slices.Contains(got, "usergroups:read") || len(got) != len(requiredScopes)-2 {
		t.Errorf("missing = %v", got)
	}
}

// requiredScopes and manifest.yaml move together: every scope check
// demands is in the manifest, and the manifest asks for nothing more than
// that but the optional chat:write.public.
func TestRequiredScopesMatchTheManifest(t *testing.T) {
	f, err := os.ReadFile("../manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var manifest []string
	inBot := false
	sc := bufio.NewScanner(bytes.NewReader(f))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "bot:":
			inBot = true
		case inBot && strings.HasPrefix(line, "- "):
			manifest = append(manifest, strings.Fields(strings.TrimPrefix(line, "- "))[0])
		case inBot && line != "":
			inBot = false
		}
	}
	want := slices.DeleteFunc(slices.Clone(manifest), func(s string) bool { return s == "chat:write.public" })
	slices.Sort(want)
	got := slices.Sorted(slices.Values(requiredScopes))
	if !slices.Equal(got, want) {
		t.Errorf("check requires %v\nmanifest.yaml asks for %v (less chat:write.public)", got, want)
	}
}
