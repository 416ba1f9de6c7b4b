package hubspot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/domain"
)

// LeadProperties are the contact properties a Lead is made from, all
// HubSpot defaults (a name HubSpot does not know is ignored on reads).
var LeadProperties = []string{
	"firstname", "lastname", PropEmail, "company", "phone", "mobilephone",
	"country", "hs_country_region_code", "state", "hs_state_code",
	"numemployees", "industry", PropOwner, PropLifecycle,
	"hs_analytics_source", "hs_analytics_source_data_1", "hs_analytics_source_data_2",
}

// Lead is a handoff to sales made from a contact that entered the MQL
// stage. It carries what domain.Lead lacks (country, region, employees,
// industry, source, campaign, when it happened), for the lead to store.
type Lead struct {
	ContactID string
	// ExternalID is unique per contact and stage entry, so a re-poll
	// finds the same id and a later second MQL gets a new one.
	ExternalID string
	Name       string
	Company    string
	Email      string
	Phone      string
	// Source is HubSpot's Original source in words ("Paid search");
	// OriginalSource is its code (PAID_SEARCH), for stats by source.
	Source         string
	OriginalSource string
	Campaign       string
	Country        string // ISO 3166-1 alpha-2, or "" when HubSpot has no code
	Region         string
	Employees      int // lower bound of HubSpot's range; 0 unknown
	Industry       string
	OccurredAt     time.Time // when the contact entered the stage
	CRMURL         string
	OwnerID        string // the contact's HubSpot owner, if any
}

// ExternalID is the handoff external id of contact id's entry into the
// stage at t: "hubspot:<contact id>:<epoch ms>".
func ExternalID(contactID string, t time.Time) string {
	return fmt.Sprintf("hubspot:%s:%d", contactID, t.UnixMilli())
}

// NewLead makes the lead of c's entry into stage. c must carry the entry
// date (EnteredStage reads it).
func NewLead(c Contact, stage string, acct Account) (Lead, error) {
	at, ok := c.EnteredAt(stage)
	if !ok {
		return Lead{}, fmt.Errorf("hubspot: contact %s has no %s", c.ID, EnteredProperty(stage))
	}
	p := c.Properties
	l := Lead{
		ContactID: c.ID, ExternalID: ExternalID(c.ID, at), OccurredAt: at,
		Name: clip(leadName(c), domain.MaxLeadName), Company: clip(p["company"], domain.MaxField),
		Email: p[PropEmail], Phone: clip(first(p["phone"], p["mobilephone"]), domain.MaxField),
		OriginalSource: p["hs_analytics_source"], Source: clip(sourceLabel(p["hs_analytics_source"]), domain.MaxField),
		Campaign: clip(campaign(p), domain.MaxField), Country: countryCode(p),
		Region:    clip(first(p["hs_state_code"], p["state"]), domain.MaxField),
		Employees: employees(p["numemployees"]), Industry: clip(p["industry"], domain.MaxField),
		CRMURL: acct.RecordURL(c.ID), OwnerID: p[PropOwner],
	}
	return l, nil
}

// Domain is the part of l that domain.Lead holds.
func (l Lead) Domain() domain.Lead {
	return domain.Lead{Name: l.Name, Company: l.Company, Email: l.Email, Phone: l.Phone, CRMURL: l.CRMURL}
}

func leadName(c Contact) string {
	if n := strings.TrimSpace(c.Properties["firstname"] + " " + c.Properties["lastname"]); n != "" {
		return n
	}
	if e := c.Properties[PropEmail]; e != "" {
		return e
	}
	return "HubSpot contact " + c.ID
}

// sourceLabels are the words HubSpot shows for hs_analytics_source.
var sourceLabels = map[string]string{
	"ORGANIC_SEARCH": "Organic search", "PAID_SEARCH": "Paid search", "EMAIL_MARKETING": "Email marketing",
	"SOCIAL_MEDIA": "Organic social", "REFERRALS": "Referrals", "OTHER_CAMPAIGNS": "Other campaigns",
	"DIRECT_TRAFFIC": "Direct traffic", "OFFLINE": "Offline sources", "PAID_SOCIAL": "Paid social",
	"AI_REFERRALS": "AI referrals",
}

func sourceLabel(code string) string {
	if l, ok := sourceLabels[code]; ok {
		return l
	}
	return code
}

// campaign is the utm_campaign HubSpot keeps in a source drill-down: the
// first for email, paid search and other campaigns, the second for social
// (knowledge.hubspot.com/properties/understand-source-properties).
func campaign(p map[string]string) string {
	switch p["hs_analytics_source"] {
	case "EMAIL_MARKETING", "PAID_SEARCH", "OTHER_CAMPAIGNS":
		return p["hs_analytics_source_data_1"]
	case "SOCIAL_MEDIA", "PAID_SOCIAL":
		return p["hs_analytics_source_data_2"]
	}
	return ""
}

// countryCode prefers HubSpot's code property (set by its country
// picker); a free-text country counts only if it already is a code.
func countryCode(p map[string]string) string {
	for _, v := range []string{p["hs_country_region_code"], p["country"]} {
		v = strings.TrimSpace(v)
		if len(v) == 2 && strings.ToUpper(v) != strings.ToLower(v) {
			return strings.ToUpper(v)
		}
	}
	return ""
}

// employees reads numemployees, which HubSpot keeps as ranges ("25-50",
// "1000+"); the lower bound is the honest number.
func employees(v string) int {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "+"))
	lo, _, _ := strings.Cut(v, "-")
	n, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func first(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// clip cuts s to max characters, the limits every intake enforces.
func clip(s string, max int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max])
}
