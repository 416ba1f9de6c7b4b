package domain

// Claim is what claiming an envelope or event before handling it found.
type Claim int

// The outcomes of a claim.
const (
	ClaimNew  Claim = iota // the first delivery: handle it
	ClaimDone              // handled before: a redelivery to acknowledge and drop
	ClaimBusy              // being handled by another delivery right now
)
