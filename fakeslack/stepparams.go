package fakeslack

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// checkInputs applies Workflow Builder's rules to a step's inputs: every
// required input is given, and only declared inputs are.
func checkInputs(params []Parameter, inputs map[string]any) string {
	for _, p := range params {
		if v, ok := inputs[p.Name]; p.Required && (!ok || v == nil || v == "") {
			return fmt.Sprintf("required input %q is missing", p.Name)
		}
	}
	for name := range inputs {
		if !declared(params, name) {
			return fmt.Sprintf("input %q is not declared", name)
		}
	}
	return ""
}

// checkOutputs checks functions.completeSuccess outputs against the
// declared output parameters, as Slack does before it answers
// parameter_validation_failed: required outputs present, no undeclared
// ones, values of the declared type. Slack does not document how strict
// the type check is; since slack-go sends every output as a string, the
// fake accepts a number or boolean written as a string.
func checkOutputs(params []Parameter, outputs map[string]any) []string {
	var problems []string
	for _, p := range params {
		v, ok := outputs[p.Name]
		switch {
		case !ok || v == nil || v == "":
			if p.Required {
				problems = append(problems, fmt.Sprintf("[ERROR] missing required output %q [json-pointer:/outputs/%s]", p.Name, p.Name))
			}
		case !ofType(p.Type, v):
			problems = append(problems, fmt.Sprintf("[ERROR] output %q is not a valid %s: %v [json-pointer:/outputs/%s]", p.Name, p.Type, v, p.Name))
		}
	}
	for name := range outputs {
		if !declared(params, name) {
			problems = append(problems, fmt.Sprintf("[ERROR] output %q is not declared [json-pointer:/outputs/%s]", name, name))
		}
	}
	slices.Sort(problems)
	return problems
}

func declared(params []Parameter, name string) bool {
	return slices.ContainsFunc(params, func(p Parameter) bool { return p.Name == name })
}

// ofType reports whether v is a value of a Slack parameter type; types
// the fake does not know are accepted.
func ofType(typ string, v any) bool {
	str, isStr := v.(string)
	switch typ {
	case "string", "slack#/types/rich_text", "slack#/types/timestamp", "slack#/types/date":
		return isStr
	case "integer":
		_, isNum := v.(float64)
		_, err := strconv.ParseInt(str, 10, 64)
		return (isNum && v.(float64) == float64(int64(v.(float64)))) || (isStr && err == nil)
	case "number":
		_, isNum := v.(float64)
		_, err := strconv.ParseFloat(str, 64)
		return isNum || (isStr && err == nil)
	case "boolean":
		_, isBool := v.(bool)
		return isBool || str == "true" || str == "false"
	case "slack#/types/user_id":
		return isStr && (strings.HasPrefix(str, "U") || strings.HasPrefix(str, "W"))
	case "slack#/types/channel_id":
		return isStr && strings.ContainsAny(str[:min(1, len(str))], "CGD")
	default:
		return true
	}
}
