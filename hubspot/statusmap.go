package hubspot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/handoffbot/handoffbot/domain"
)

// StatusMapVariable is the setting that overrides DefaultStatusMap.
const StatusMapVariable = "HUBSPOT_STATUS_MAP"

// Target is what a handoff state writes to its contact: a lead status
// (hs_lead_status) and a lifecycle stage (lifecyclestage), either empty
// for "leave it as it is". Values are internal values, not labels.
type Target struct {
	LeadStatus string
	Lifecycle  string
}

// StatusMap says what each handoff state writes to HubSpot; a state that
// is not in the map writes nothing.
type StatusMap map[domain.State]Target

// DefaultStatusMap is the documented default. pending marks the lead NEW;
// the receiver's moves set the lead status sales works by; qualified and
// won move the lifecycle stage on; lost writes nothing, because a lost
// deal says nothing about the person (the deal records the loss).
func DefaultStatusMap() StatusMap {
	return StatusMap{
		domain.StatePending:   {LeadStatus: "NEW"},
		domain.StateAccepted:  {LeadStatus: "OPEN"},
		domain.StateContacted: {LeadStatus: "CONNECTED"},
		domain.StateQualified: {Lifecycle: "salesqualifiedlead"},
		domain.StateWon:       {Lifecycle: "customer"},
		domain.StateRejected:  {LeadStatus: "UNQUALIFIED"},
		domain.StateReturned:  {LeadStatus: "BAD_TIMING"},
	}
}

// ParseStatusMap reads HUBSPOT_STATUS_MAP on top of the default: entries
// separated by commas, each state=LEAD_STATUS, state=LEAD_STATUS/lifecycle,
// state=/lifecycle, or state=- (write nothing). States not named keep
// their default. Example:
//
//	HUBSPOT_STATUS_MAP="contacted=ATTEMPTED_TO_CONTACT,qualified=OPEN_DEAL/salesqualifiedlead,lost=-"
//
// Whether the values exist in the account is for Check to say.
func ParseStatusMap(s string) (StatusMap, error) {
	m := DefaultStatusMap()
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		state, t, err := parseEntry(entry)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", StatusMapVariable, entry, err)
		}
		if t == (Target{}) {
			delete(m, state)
		} else {
			m[state] = t
		}
	}
	return m, nil
}

func parseEntry(entry string) (domain.State, Target, error) {
	name, value, ok := strings.Cut(entry, "=")
	state := domain.State(strings.ToLower(strings.TrimSpace(name)))
	if !ok {
		return "", Target{}, fmt.Errorf("want state=LEAD_STATUS[/lifecyclestage]")
	}
	if !state.Valid() {
		return "", Target{}, fmt.Errorf("unknown state %q (states: %s)", name, stateList())
	}
	value = strings.TrimSpace(value)
	if value == "-" {
		return state, Target{}, nil
	}
	status, stage, _ := strings.Cut(value, "/")
	t := Target{LeadStatus: strings.TrimSpace(status), Lifecycle: strings.TrimSpace(stage)}
	if t == (Target{}) {
		return "", Target{}, fmt.Errorf("no value for %s (use - to write nothing)", state)
	}
	for _, v := range []string{t.LeadStatus, t.Lifecycle} {
		if strings.ContainsAny(v, " /=\t") {
			return "", Target{}, fmt.Errorf("%q is not a HubSpot internal value", v)
		}
	}
	return state, t, nil
}

func stateList() string {
	names := make([]string, len(domain.States))
	for i, s := range domain.States {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// String is m in ParseStatusMap's format, states in waterfall order, so
// `handoffbot help` and `check` can show the mapping in force.
func (m StatusMap) String() string {
	var parts []string
	for _, s := range domain.States {
		t, ok := m[s]
		if !ok {
			parts = append(parts, string(s)+"=-")
			continue
		}
		v := t.LeadStatus
		if t.Lifecycle != "" {
			v += "/" + t.Lifecycle
		}
		parts = append(parts, string(s)+"="+v)
	}
	return strings.Join(parts, ",")
}

// StageOrder is the account's lifecycle stages, earliest first, as the
// lifecyclestage property's options are ordered (accounts can add,
// remove and reorder stages, so the order is read, not assumed).
type StageOrder []string

// StageOrderOf reads the order from the lifecyclestage property.
func StageOrderOf(p Property) StageOrder {
	var o StageOrder
	for _, opt := range p.SortedOptions() {
		o = append(o, opt.Value)
	}
	return o
}

// Forward reports whether moving from current to target moves the stage
// on. An empty current always may; a stage the order does not know never
// does, since "backwards" cannot be ruled out.
func (o StageOrder) Forward(current, target string) bool {
	to := slices.Index(o, target)
	if to < 0 {
		return false
	}
	if current == "" {
		return true
	}
	from := slices.Index(o, current)
	return from >= 0 && to > from
}

// Changes are the properties to write so that contact shows a handoff in
// state owned by ownerID ("" when the owner has no HubSpot owner): only
// those that differ, so writing the same move twice writes nothing the
// second time, and never a lifecycle stage backwards.
func Changes(m StatusMap, order StageOrder, contact Contact, state domain.State, ownerID string) map[string]string {
	cur := contact.Properties
	out := map[string]string{}
	if ownerID != "" && cur[PropOwner] != ownerID {
		out[PropOwner] = ownerID
	}
	t := m[state]
	if t.LeadStatus != "" && cur[PropLeadStatus] != t.LeadStatus {
		out[PropLeadStatus] = t.LeadStatus
	}
	if t.Lifecycle != "" && order.Forward(cur[PropLifecycle], t.Lifecycle) {
		out[PropLifecycle] = t.Lifecycle
	}
	return out
}
