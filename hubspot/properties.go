package hubspot

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Property is a contact property's definition; for an enumeration, Options
// are its allowed values (hs_lead_status's statuses, lifecyclestage's
// stages, in the account's order).
type Property struct {
	Name      string           `json:"name"`
	Label     string           `json:"label"`
	Type      string           `json:"type"`
	FieldType string           `json:"fieldType"`
	Options   []PropertyOption `json:"options"`
	// ModificationMetadata.ReadOnlyValue is true for calculated
	// properties such as the stage entry dates.
	ModificationMetadata struct {
		ReadOnlyValue bool `json:"readOnlyValue"`
	} `json:"modificationMetadata"`
}

// PropertyOption is one allowed value of an enumeration property.
type PropertyOption struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// HasOption reports whether value is one of p's options.
func (p Property) HasOption(value string) bool {
	return slices.ContainsFunc(p.Options, func(o PropertyOption) bool { return o.Value == value })
}

// OptionLabel is the label of value, or value itself.
func (p Property) OptionLabel(value string) string {
	for _, o := range p.Options {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

// SortedOptions are p's options in display order (ties by value), the
// order the account's lifecycle stages run in.
func (p Property) SortedOptions() []PropertyOption {
	opts := slices.Clone(p.Options)
	slices.SortStableFunc(opts, func(a, b PropertyOption) int {
		return cmp.Or(cmp.Compare(a.DisplayOrder, b.DisplayOrder), cmp.Compare(a.Value, b.Value))
	})
	return opts
}

// GetContactProperty reads the definition of a contact property, or
// ErrNotFound if the account has no property of that name.
func (c *Client) GetContactProperty(ctx context.Context, name string) (Property, error) {
	var p Property
	err := c.do(ctx, request{method: http.MethodGet, path: propertiesPath + "/contacts/" + url.PathEscape(name),
		route: propertiesPath + "/contacts/{name}"}, &p)
	if err != nil {
		return Property{}, fmt.Errorf("get property %s: %w", name, err)
	}
	return p, nil
}
