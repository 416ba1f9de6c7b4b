package e2etest

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/handoffbot/handoffbot/fakeslack"
)

// manifestFunctions is the `functions` part of manifest.yaml.
type manifestFunctions struct {
	Functions map[string]struct {
		Title       string         `yaml:"title"`
		Description string         `yaml:"description"`
		Inputs      manifestParams `yaml:"input_parameters"`
		Outputs     manifestParams `yaml:"output_parameters"`
	} `yaml:"functions"`
}

type manifestParams struct {
	Properties map[string]struct {
		Type        string `yaml:"type"`
		Title       string `yaml:"title"`
		Description string `yaml:"description"`
	} `yaml:"properties"`
	Required []string `yaml:"required"`
}

// ManifestSteps declares in fs every Workflow Builder step of the
// repository's manifest.yaml, as installing the app does, so that tests
// run the steps the app really declares.
func ManifestSteps(t testing.TB, fs *fakeslack.Server) {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "..", "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifestFunctions
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	for id, f := range m.Functions {
		fs.AddFunction(fakeslack.Function{CallbackID: id, Title: f.Title, Description: f.Description,
			Inputs: f.Inputs.parameters(), Outputs: f.Outputs.parameters()})
	}
}

func (p manifestParams) parameters() []fakeslack.Parameter {
	var out []fakeslack.Parameter
	for name, prop := range p.Properties {
		out = append(out, fakeslack.Parameter{Name: name, Type: prop.Type, Title: prop.Title,
			Description: prop.Description, Required: slices.Contains(p.Required, name)})
	}
	slices.SortFunc(out, func(a, b fakeslack.Parameter) int { return strings.Compare(a.Name, b.Name) })
	return out
}
