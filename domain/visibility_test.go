package domain

import "testing"

func TestVisibilitySees(t *testing.T) {
	carded := Handoff{CreatedBy: "UANN", Assignee: "UBOB", CardChannel: "CHANDOFF", CardTS: "1.1"}
	unposted := Handoff{CreatedBy: "UANN", Assignee: "UBOB"}
	elsewhere := Handoff{CreatedBy: "UANN", Assignee: "UBOB", CardChannel: "COLD", CardTS: "1.1"}
	for _, c := range []struct {
		vis  Visibility
		h    Handoff
		want bool
	}{
		{Visibility{UserID: "UANN"}, unposted, true},                      // handed it off
		{Visibility{UserID: "UBOB"}, unposted, true},                      // owns it
		{Visibility{UserID: "UCAROL"}, carded, false},                     // not in the channel
		{Visibility{UserID: "UCAROL", Channel: "CHANDOFF"}, carded, true}, // its card is there
		{Visibility{UserID: "UCAROL", Channel: "CHANDOFF"}, unposted, false},
		{Visibility{UserID: "UCAROL", Channel: "CHANDOFF"}, elsewhere, false},
		{Visibility{}, Handoff{}, false}, // nobody sees a handoff of nobody's
	} {
		if got := c.vis.Sees(c.h); got != c.want {
			t.Errorf("%+v sees %+v = %v, want %v", c.vis, c.h, got, c.want)
		}
	}
}
