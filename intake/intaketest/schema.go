package intaketest

import (
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"

	"github.com/handoffbot/handoffbot/intake"
)

// CheckSchema fails t unless body matches the schema called name in the
// intake OpenAPI document's components, e.g. "Event" for the body of an
// outbound event, which no API exchange carries.
func CheckSchema(t testing.TB, name string, body []byte) {
	t.Helper()
	doc, err := libopenapi.NewDocument(intake.OpenAPIDocument())
	if err != nil {
		t.Fatalf("intake OpenAPI document: %v", err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("intake OpenAPI document: %v", err)
	}
	proxy, ok := model.Model.Components.Schemas.Get(name)
	if !ok {
		t.Fatalf("the intake OpenAPI document has no schema %q", name)
	}
	if ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(proxy.Schema(), body); !ok {
		t.Errorf("%s does not match schema %s:\n%s", body, name, describe(errs))
	}
}
