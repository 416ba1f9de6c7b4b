package routing_test

import (
	"fmt"
	"os"

	"github.com/handoffbot/handoffbot/routing"
)

// The rules file a manager writes, listed as `routing check` shows it.
func ExampleRules_Describe() {
	data, err := os.ReadFile("testdata/rules.yaml")
	if err != nil {
		panic(err)
	}
	rules, err := routing.Parse("rules.yaml", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(rules.Describe())
	for _, w := range rules.Warnings {
		fmt.Println("warning:", w)
	}
	// Output:
	// 12 rules, first match wins:
	//  1. Partner referrals — direction to_sales; source partner* → U01PAT (fallback pool sales-general)
	//  2. Hot demo requests — direction to_sales; source web form, demo request; priority hot → pool inbound-sdr — skips people outside working hours; re-routes up to 2× on an accept breach
	//  3. DACH enterprise — direction to_sales; country DACH; employees 1000+ → the account's owner, else pool dach-enterprise (fallback pool emea-enterprise)
	//  4. EMEA enterprise — direction to_sales; country EMEA; employees 1000+ → the account's owner, else pool emea-enterprise (fallback pool emea-commercial) — catch-up of up to 3 on return; re-routes up to 1× on an accept breach
	//  5. EMEA commercial — direction to_sales; country EMEA; employees 1-999, unknown → pool emea-commercial — skips people outside working hours
	//  6. NORAM public sector — direction to_sales; country NORAM; industry government, education, public sector → pool noram-public (fallback pool noram-enterprise)
	//  7. NORAM enterprise — direction to_sales; country NORAM; employees 1000+ → the account's owner, else pool noram-enterprise (fallback pool noram-commercial) — re-routes up to 1× on an accept breach
	//  8. NORAM commercial — direction to_sales; country NORAM → pool noram-commercial
	//  9. APAC — direction to_sales; country APAC → pool apac (fallback pool sales-general) — skips people outside working hours
	// 10. Event contacts to marketing — direction to_marketing; source event* → pool marketing-events (fallback pool marketing)
	// 11. Everything else to marketing — direction to_marketing → pool marketing
	// 12. Everything else to sales — direction to_sales → the account's owner, else pool sales-general
	// pool dach-enterprise:
	//     U01JONAS weight 2
	//     U01LENA weight 1
	// pool emea-enterprise:
	//     U01RIYA weight 2, at most 15 open
	//     U01SAM weight 1, at most 15 open
	//     U01OMAR weight 1, at most 15 open, at most 4 a day
	// pool emea-commercial:
	//     group S01EMEAREPS (each) weight 1, at most 25 open, at most 10 a day
	// pool noram-enterprise:
	//     U01DANA weight 2, at most 15 open
	//     U01FOX weight 1, at most 15 open
	// pool noram-public:
	//     U01WALTER weight 1
	// pool noram-commercial:
	//     group S01NORAMREPS (each) weight 1
	//     U01MIA weight 3
	// pool apac:
	//     U01KENJI weight 1
	//     U01PRIYA weight 1
	// pool inbound-sdr:
	//     U01ZOE weight 1, at most 30 open
	//     U01LIAM weight 1, at most 30 open
	//     U01NOAH weight 1, at most 30 open
	// pool marketing-events:
	//     U01EVA weight 1
	// pool marketing:
	//     group S01MARKETING (each) weight 1
	// pool sales-general:
	//     U01GINA weight 1
	//     U01HUGO weight 1
}
