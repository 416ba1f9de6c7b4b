package intake

import (
	"cmp"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// NewHandoff is the handoff req asks for in the name of key: its intake is
// the key ("via <key name>" on the card), and nobody in Slack created it.
func (req Request) NewHandoff(key Key) domain.Handoff {
	l := req.Lead
	return domain.Handoff{
		ExternalID: req.ExternalID,
		Lead: domain.Lead{Name: l.Name, Company: l.Company, Email: l.Email, Phone: l.Phone, CRMURL: req.CRMURL,
			Country: l.Country, Region: l.Region, Employees: intPtr(l.Employees), Industry: l.Industry},
		Direction: req.Direction, Priority: req.Priority, Source: req.Source, Campaign: req.Campaign,
		Notes: req.Notes, Assignee: req.Assignee, Intake: domain.IntakeAPI(key.Name), OccurredAt: req.OccurredAt,
	}
}

// ViewOf is h as the API and outbound events show it.
func ViewOf(h domain.Handoff) Handoff {
	l := h.Lead
	return Handoff{
		ID: h.ID, ExternalID: h.ExternalID, State: h.State, Direction: h.Direction, Priority: h.Priority,
		Lead: Lead{Name: l.Name, Company: l.Company, Email: l.Email, Phone: l.Phone,
			Country: l.Country, Region: l.Region, Employees: int64Ptr(l.Employees), Industry: l.Industry},
		Source: h.Source, Campaign: h.Campaign, Notes: h.Notes, CRMURL: l.CRMURL,
		Assignee: h.Assignee, CreatedAt: h.CreatedAt.UTC(), OccurredAt: utc(h.OccurredAt),
		AcceptedAt: utc(h.AcceptedAt), RejectedAt: utc(h.RejectedAt), FirstTouchAt: utc(h.FirstTouchAt),
		QualifiedAt: utc(h.QualifiedAt), ClosedAt: utc(h.ClosedAt),
		Reason: cmp.Or(h.CloseReason, h.RejectReason), CardURL: h.CardPermalink,
	}
}

func intPtr(n *int64) *int {
	if n == nil {
		return nil
	}
	v := int(*n)
	return &v
}

func int64Ptr(n *int) *int64 {
	if n == nil {
		return nil
	}
	v := int64(*n)
	return &v
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
