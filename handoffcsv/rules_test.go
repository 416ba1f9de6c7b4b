package handoffcsv

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
)

// TestStateRules pins what the domain's moves allow: for each state, the
// sets of times a handoff in it can have (in the order they are set) and
// the move that entered it.
func TestStateRules(t *testing.T) {
	want := map[domain.State][]string{
		domain.StatePending:   {""},
		domain.StateAccepted:  {"accept: accepted_at"},
		domain.StateRejected:  {"reject: rejected_at"},
		domain.StateContacted: {"touch: accepted_at first_touch_at"},
		domain.StateQualified: {"qualify: accepted_at first_touch_at qualified_at"},
		domain.StateWon:       {"win: accepted_at first_touch_at qualified_at closed_at"},
		domain.StateLost: {
			"lose: accepted_at closed_at",
			"lose: accepted_at first_touch_at closed_at",
			"lose: accepted_at first_touch_at qualified_at closed_at",
		},
		domain.StateReturned: {
			"return: accepted_at closed_at",
			"return: accepted_at first_touch_at closed_at",
		},
	}
	got := map[domain.State][]string{}
	for st, r := range stateRules {
		for _, h := range r.histories {
			var names []string
			for _, c := range h.times {
				names = append(names, columns[c])
			}
			s := ""
			if h.enter != "" {
				s = string(h.enter) + ": " + strings.Join(names, " ")
			}
			got[st] = append(got[st], s)
		}
		slices.Sort(got[st])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state rules:\n%v\nwant:\n%v", got, want)
	}
}

// TestStateTimeCombinations: for every state and every combination of the
// five decision times, Read accepts exactly the combinations the domain's
// moves can produce.
func TestStateTimeCombinations(t *testing.T) {
	times := map[string]string{"accepted_at": t1, "rejected_at": t1, "first_touch_at": t2, "qualified_at": t3, "closed_at": t4}
	names := []string{"accepted_at", "rejected_at", "first_touch_at", "qualified_at", "closed_at"}
	allowed := map[domain.State][][]string{
		domain.StatePending:   {{}},
		domain.StateAccepted:  {{"accepted_at"}},
		domain.StateRejected:  {{"rejected_at"}},
		domain.StateContacted: {{"accepted_at", "first_touch_at"}},
		domain.StateQualified: {{"accepted_at", "first_touch_at", "qualified_at"}},
		domain.StateWon:       {{"accepted_at", "first_touch_at", "qualified_at", "closed_at"}},
		domain.StateLost:      {{"accepted_at", "closed_at"}, {"accepted_at", "first_touch_at", "closed_at"}, {"accepted_at", "first_touch_at", "qualified_at", "closed_at"}},
		domain.StateReturned:  {{"accepted_at", "closed_at"}, {"accepted_at", "first_touch_at", "closed_at"}},
	}
	reasons := map[domain.State][]string{
		domain.StateRejected: {"reject_reason", "not_a_fit"},
		domain.StateLost:     {"close_reason", "timing"},
		domain.StateReturned: {"close_reason", "no_response"},
	}
	for _, st := range domain.States {
		for mask := range 1 << len(names) {
			var set []string
			row := with("state", string(st))
			for i, n := range names {
				if mask&(1<<i) != 0 {
					set = append(set, n)
					row[n] = times[n]
				}
			}
			if r := reasons[st]; r != nil {
				row[r[0]] = r[1]
			}
			ok := slices.ContainsFunc(allowed[st], func(a []string) bool { return slices.Equal(a, set) || len(a) == 0 && len(set) == 0 })
			_, _, err := Read(strings.NewReader(csvFile(t, nil, row)))
			if ok != (err == nil) {
				t.Errorf("state %s with %v: error %v, want accepted %v", st, set, err, ok)
			}
		}
	}
}
