package domain

import "testing"

func TestRatioString(t *testing.T) {
	for _, c := range []struct {
		r    Ratio
		want string
	}{
		{Ratio{31, 50}, "62% (31 of 50)"},
		{Ratio{0, 0}, "— (0 of 0)"},
		{Ratio{0, 7}, "0% (0 of 7)"},
		{Ratio{2, 3}, "67% (2 of 3)"},
		{Ratio{199, 200}, "99% (199 of 200)"}, // not a perfect score it did not earn
		{Ratio{1, 1000}, "1% (1 of 1000)"},
		{Ratio{5, 5}, "100% (5 of 5)"},
	} {
		if got := c.r.String(); got != c.want {
			t.Errorf("%+v = %q, want %q", c.r, got, c.want)
		}
	}
	if p := (Ratio{1, 4}).Percent(); p != 25 {
		t.Errorf("percent %v", p)
	}
}
