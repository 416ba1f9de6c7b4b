package domain

import (
	"slices"
	"testing"
)

func TestEmailKey(t *testing.T) {
	for in, want := range map[string]string{
		"Jane.Doe@Acme.example":   "jane.doe@acme.example",
		"jane.doe+x@acme.example": "jane.doe@acme.example",
		" JANE+a+b@ACME.example ": "jane@acme.example",
		"not-an-email":            "not-an-email",
		"":                        "",
	} {
		if got := EmailKey(in); got != want {
			t.Errorf("EmailKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAllowedMoves(t *testing.T) {
	want := map[State][]Move{
		StatePending:   {MoveAccept, MoveReject},
		StateAccepted:  {MoveTouch, MoveReturn, MoveLose},
		StateContacted: {MoveQualify, MoveReturn, MoveLose},
		StateQualified: {MoveWin, MoveLose},
		StateWon:       nil, StateLost: nil, StateRejected: nil, StateReturned: nil,
	}
	for s, moves := range want {
		if got := s.Moves(); !slices.Equal(got, moves) {
			t.Errorf("%s.Moves() = %v, want %v", s, got, moves)
		}
		if s.Open() != (len(moves) > 0) {
			t.Errorf("%s.Open() = %v", s, s.Open())
		}
	}
}

func TestValidEmail(t *testing.T) {
	for in, want := range map[string]bool{
		"jane@acme.example": true, "jane.doe+x@acme.example": true,
		"jane@": false, "Jane <jane@acme.example>": false, "jane@acme": false, "jane@acme.": false, "": false,
	} {
		if got := ValidEmail(in); got != want {
			t.Errorf("ValidEmail(%q) = %v", in, got)
		}
	}
}

func TestValidWebURL(t *testing.T) {
	for in, want := range map[string]bool{
		"https://crm.example/x": true, "http://crm.example": true,
		"javascript:alert(1)": false, "slack://open": false, "crm.example/x": false, "https://": false,
	} {
		if got := ValidWebURL(in); got != want {
			t.Errorf("ValidWebURL(%q) = %v", in, got)
		}
	}
}
