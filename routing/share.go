package routing

// Share compares what one person received from a pool over a period with
// what their weight entitles them to, for /handoff routing: the check a
// manager makes that "twice the weight" really meant twice the leads.
type Share struct {
	User     string
	Weight   int
	Count    int     // handoffs they received from the pool in the period
	Share    float64 // Count over the pool's total, 0–1
	Expected float64 // Weight over the pool's total weight, 0–1
}

// Shares computes each seat's share of counts (handoffs per user from the
// pool's assignment events over the period) against its weight. Counts of
// people no longer in the pool are left out of both sides. Shares come in
// seat order; with no handoffs every Share is 0.
func Shares(seats []Seat, counts map[string]int) []Share {
	total, weights := 0, 0
	for _, s := range seats {
		total += counts[s.User]
		weights += s.Weight
	}
	out := make([]Share, 0, len(seats))
	for _, s := range seats {
		sh := Share{User: s.User, Weight: s.Weight, Count: counts[s.User]}
		if total > 0 {
			sh.Share = float64(sh.Count) / float64(total)
		}
		if weights > 0 {
			sh.Expected = float64(s.Weight) / float64(weights)
		}
		out = append(out, sh)
	}
	return out
}
