package fakehubspot

import (
	"net/http"
	"slices"
)

// Property is a contact property's definition in the fake account.
type Property struct {
	Name, Label string
	Type        string // string, number, datetime, enumeration
	FieldType   string // text, number, date, select, …
	Options     []PropertyOption
	// ReadOnly marks calculated properties (stage entry dates,
	// createdate, hs_object_id): writing one is refused.
	ReadOnly bool
}

// PropertyOption is one allowed value of an enumeration.
type PropertyOption struct {
	Value, Label string
	DisplayOrder int
}

// DefaultLifecycleStages are HubSpot's default lifecycle stages, in order.
var DefaultLifecycleStages = []PropertyOption{
	{"subscriber", "Subscriber", 0}, {"lead", "Lead", 1}, {"marketingqualifiedlead", "Marketing Qualified Lead", 2},
	{"salesqualifiedlead", "Sales Qualified Lead", 3}, {"opportunity", "Opportunity", 4},
	{"customer", "Customer", 5}, {"evangelist", "Evangelist", 6}, {"other", "Other", 7},
}

// DefaultLeadStatuses are the default options of hs_lead_status.
var DefaultLeadStatuses = []PropertyOption{
	{"NEW", "New", 0}, {"OPEN", "Open", 1}, {"IN_PROGRESS", "In Progress", 2}, {"OPEN_DEAL", "Open Deal", 3},
	{"UNQUALIFIED", "Unqualified", 4}, {"ATTEMPTED_TO_CONTACT", "Attempted to Contact", 5},
	{"CONNECTED", "Connected", 6}, {"BAD_TIMING", "Bad Timing", 7},
}

func enum(name, label string, opts []PropertyOption) *Property {
	return &Property{Name: name, Label: label, Type: "enumeration", FieldType: "select", Options: slices.Clone(opts)}
}

func defaultProperties() map[string]*Property {
	props := map[string]*Property{}
	for _, n := range []string{"email", "firstname", "lastname", "company", "phone", "mobilephone", "country",
		"hs_country_region_code", "state", "hs_state_code", "industry", "jobtitle",
		"hs_analytics_source_data_1", "hs_analytics_source_data_2"} {
		props[n] = &Property{Name: n, Label: n, Type: "string", FieldType: "text"}
	}
	for _, n := range []string{"createdate", "lastmodifieddate"} {
		props[n] = &Property{Name: n, Label: n, Type: "datetime", FieldType: "date", ReadOnly: true}
	}
	props["hs_object_id"] = &Property{Name: "hs_object_id", Label: "Record ID", Type: "number", FieldType: "number", ReadOnly: true}
	props["numemployees"] = enum("numemployees", "Number of Employees", options("1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+"))
	props["hs_analytics_source"] = enum("hs_analytics_source", "Original Source", options("ORGANIC_SEARCH", "PAID_SEARCH",
		"EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL", "AI_REFERRALS"))
	props["hs_lead_status"] = enum("hs_lead_status", "Lead Status", DefaultLeadStatuses)
	props["lifecyclestage"] = enum("lifecyclestage", "Lifecycle Stage", DefaultLifecycleStages)
	props["hubspot_owner_id"] = enum("hubspot_owner_id", "Contact owner", nil) // options: the owners
	for _, st := range DefaultLifecycleStages {
		addStageProperties(props, st)
	}
	return props
}

func options(values ...string) []PropertyOption {
	out := make([]PropertyOption, len(values))
	for i, v := range values {
		out[i] = PropertyOption{Value: v, Label: v, DisplayOrder: i}
	}
	return out
}

// addStageProperties adds the calculated "Date entered/exited" properties
// HubSpot creates for every lifecycle stage, named by its internal value.
func addStageProperties(props map[string]*Property, st PropertyOption) {
	for _, kind := range []string{"entered", "exited"} {
		name := "hs_v2_date_" + kind + "_" + st.Value
		props[name] = &Property{Name: name, Label: "Date " + kind + " \"" + st.Label + " (Lifecycle Stage Pipeline)\"",
			Type: "datetime", FieldType: "date", ReadOnly: true}
	}
}

// AddLifecycleStage adds a custom lifecycle stage at the end of the order,
// with its entry and exit date properties. HubSpot names custom stages by
// a numeric internal id; any value will do here.
func (s *Server) AddLifecycleStage(value, label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.props["lifecyclestage"]
	st := PropertyOption{Value: value, Label: label, DisplayOrder: len(p.Options)}
	p.Options = append(p.Options, st)
	addStageProperties(s.props, st)
}

// AddOption adds a value to an enumeration property.
func (s *Server) AddOption(property, value, label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.props[property]
	p.Options = append(p.Options, PropertyOption{Value: value, Label: label, DisplayOrder: len(p.Options)})
}

// RemoveOption removes a value from an enumeration property, as an admin
// who trims the lead statuses does.
func (s *Server) RemoveOption(property, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.props[property]
	p.Options = slices.DeleteFunc(p.Options, func(o PropertyOption) bool { return o.Value == value })
}

// RemoveProperty deletes a property definition.
func (s *Server) RemoveProperty(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.props, name)
}

// getProperty serves GET /crm/properties/{v}/contacts/{name}.
func (s *Server) getProperty(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.props[name]
	if !ok {
		notFound(w, "Unable to find property "+name+" for object type CONTACT.")
		return
	}
	opts := []map[string]any{}
	for _, o := range s.optionsOf(p) {
		opts = append(opts, map[string]any{"label": o.Label, "value": o.Value, "displayOrder": o.DisplayOrder, "hidden": false})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": p.Name, "label": p.Label, "type": p.Type, "fieldType": p.FieldType, "groupName": "contactinformation",
		"options": opts, "calculated": p.ReadOnly, "hasUniqueValue": p.Name == "email", "hidden": false,
		"hubspotDefined": true, "externalOptions": p.Name == "hubspot_owner_id", "archived": false, "formField": !p.ReadOnly,
		"modificationMetadata": map[string]any{"archivable": false, "readOnlyDefinition": true, "readOnlyValue": p.ReadOnly},
	})
}

// optionsOf is p's options; the owner property's are the owners. Callers
// hold s.mu.
func (s *Server) optionsOf(p *Property) []PropertyOption {
	if p.Name != "hubspot_owner_id" {
		return p.Options
	}
	var out []PropertyOption
	for i, o := range s.owners {
		out = append(out, PropertyOption{Value: o.ID, Label: o.FirstName + " " + o.LastName, DisplayOrder: i})
	}
	return out
}
