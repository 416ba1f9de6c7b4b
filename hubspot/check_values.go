package hubspot

import (
	"context"
	"strings"

	"github.com/handoffbot/handoffbot/domain"
)

// lifecycle checks that the MQL stage and every stage the status map
// writes are stages of the account, and that the MQL stage has its entry
// date property (HubSpot creates one per stage).
func (k *checker) lifecycle(ctx context.Context) {
	p, ok := k.property(ctx, PropLifecycle, "the lifecycle stage")
	if !ok {
		return
	}
	stages := strings.Join(StageOrderOf(p), ", ")
	if !p.HasOption(k.cfg.MQLStage) {
		k.fail(Problem{"HUBSPOT_MQL_STAGE=" + k.cfg.MQLStage + " is no lifecycle stage of this HubSpot account",
			"set HUBSPOT_MQL_STAGE to one of the stages' internal values: " + stages})
	} else if _, ok := k.property(ctx, EnteredProperty(k.cfg.MQLStage), "when a contact entered "+k.cfg.MQLStage); ok {
		k.pass("HubSpot lifecycle stage %s (%s) and its entry date", k.cfg.MQLStage, p.OptionLabel(k.cfg.MQLStage))
	}
	for _, s := range k.mappedStates() {
		stage := k.cfg.StatusMap[s].Lifecycle
		if stage == "" {
			continue
		}
		if p.HasOption(stage) {
			k.pass("%s writes the lifecycle stage %s", s, stage)
			continue
		}
		k.fail(Problem{StatusMapVariable + ": " + string(s) + " writes the lifecycle stage " + stage + ", which this HubSpot account does not have",
			"in " + StatusMapVariable + " use one of the stages' internal values: " + stages})
	}
}

// leadStatus checks that every lead status the status map writes is an
// option of hs_lead_status.
func (k *checker) leadStatus(ctx context.Context) {
	p, ok := k.property(ctx, PropLeadStatus, "the lead status")
	if !ok {
		return
	}
	for _, s := range k.mappedStates() {
		status := k.cfg.StatusMap[s].LeadStatus
		if status == "" {
			continue
		}
		if p.HasOption(status) {
			k.pass("%s writes the lead status %s (%s)", s, status, p.OptionLabel(status))
			continue
		}
		var values []string
		for _, o := range p.SortedOptions() {
			values = append(values, o.Value)
		}
		k.fail(Problem{StatusMapVariable + ": " + string(s) + " writes the lead status " + status + ", which is no option of hs_lead_status",
			"add the option " + status + " to the Lead status property in HubSpot, or map " + string(s) +
				" in " + StatusMapVariable + " to one of: " + strings.Join(values, ", ")})
	}
}

// mappedStates are the states of the status map in waterfall order.
func (k *checker) mappedStates() []domain.State {
	var out []domain.State
	for _, s := range domain.States {
		if _, ok := k.cfg.StatusMap[s]; ok {
			out = append(out, s)
		}
	}
	return out
}

// owners checks that each person maps to an active HubSpot owner by email.
func (k *checker) owners(ctx context.Context) {
	if len(k.cfg.People) == 0 {
		return
	}
	all, err := k.c.AllOwners(ctx)
	if err != nil {
		k.fail(k.refusal(err, "list the HubSpot owners"))
		return
	}
	byEmail := OwnersByEmail(all)
	mapped := 0
	for _, p := range k.cfg.People {
		switch _, ok := byEmail[strings.ToLower(p.Email)]; {
		case p.Email == "":
			k.fail(Problem{"Slack user " + p.SlackID + " shows no email, so no HubSpot owner can be found for them",
				"give the bot the users:read.email scope, or set an email in their Slack profile"})
		case !ok:
			k.fail(Problem{"Slack user " + p.SlackID + " (" + p.Email + ") is no HubSpot owner",
				"add " + p.Email + " as a user in HubSpot (Settings → Users & Teams), or give them in Slack the email they use in HubSpot"})
		default:
			mapped++
		}
	}
	if mapped == len(k.cfg.People) {
		k.pass("all %d people in the teams are HubSpot owners", mapped)
	}
}
