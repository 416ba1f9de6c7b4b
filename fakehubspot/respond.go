package fakehubspot

import (
	"encoding/json"
	"net/http"
)

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client hung up: nothing to do
}

// writeError answers in HubSpot's error format: status "error", a
// message, a fresh correlationId, a category, and any extra fields
// (errors, context, links, policyName).
func writeError(w http.ResponseWriter, status int, category, message string, extra map[string]any) {
	body := map[string]any{"status": "error", "message": message, "correlationId": correlationID(), "category": category}
	for k, v := range extra {
		body[k] = v
	}
	w.Header().Set("X-HubSpot-Correlation-Id", body["correlationId"].(string))
	writeJSON(w, status, body)
}

// validationError is a 400 VALIDATION_ERROR listing one error per bad
// property, as HubSpot's object APIs do (errors[].code and context).
func validationError(w http.ResponseWriter, message string, errs ...propertyError) {
	list := make([]map[string]any, len(errs))
	for i, e := range errs {
		list[i] = map[string]any{"message": e.message, "code": e.code,
			"context": map[string]any{"propertyName": []string{e.name}}}
	}
	writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", message, map[string]any{"errors": list})
}

// propertyError is one refused property value.
type propertyError struct {
	name, code, message string
}

// badRequest is a 400 VALIDATION_ERROR about the request itself.
func badRequest(w http.ResponseWriter, message string) {
	writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", message, nil)
}

// notFound is HubSpot's 404 for a missing object.
func notFound(w http.ResponseWriter, message string) {
	writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", message, nil)
}

// decode reads a JSON body strictly: an unknown field is refused, as
// HubSpot's request parser refuses it ("Invalid input JSON").
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 10<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		badRequest(w, "Invalid input JSON: "+err.Error())
		return false
	}
	return true
}
