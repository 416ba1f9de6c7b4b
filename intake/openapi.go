package intake

import (
	_ "embed"
	"net/http"
	"slices"
)

// openAPI is the OpenAPI 3.1 document of the API, kept beside the code
// and honest by tests that validate every exchange against it.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPIDocument returns the OpenAPI 3.1 document served at
// GET /v1/openapi.json, for tools and tests (package intaketest validates
// exchanges against it).
func OpenAPIDocument() []byte { return slices.Clone(openAPI) }

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(openAPI) // the client hung up: nothing left to tell it
}
