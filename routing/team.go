package routing

import (
	"fmt"
	"strings"
)

// Default is the routing used without a rules file, and for leads that
// match no rule of one: each team (SALES_TEAM, MARKETING_TEAM: user and
// user-group IDs) is one pool with equal weights and no caps, so handoffs
// to it go round its members in turn, as they always have.
func Default(sales, marketing []string) (*Rules, error) {
	r := &Rules{File: "(teams)", pools: map[string]*Pool{}}
	for _, team := range []struct {
		name, dir string
		ids       []string
	}{{"sales", dirSales, sales}, {"marketing", dirMarketing, marketing}} {
		pool := &Pool{Name: team.name}
		for _, id := range team.ids {
			m := Member{Weight: 1}
			switch id = strings.TrimSpace(id); {
			case userIDShape.MatchString(id):
				m.Person = id
			case groupIDShape.MatchString(id):
				m.Group = id
			default:
				return nil, fmt.Errorf("routing: %s team: %q is neither a user (U…) nor a user group (S…) ID", team.name, id)
			}
			pool.Members = append(pool.Members, m)
		}
		r.Pools = append(r.Pools, pool)
		r.pools[team.name] = pool
		r.List = append(r.List, &Rule{
			Name: "Handoffs " + strings.ReplaceAll(team.dir, "_", " "), Pool: pool, OnReturn: HoldPlace,
			when: []*condition{{field: "direction", kind: kindEnum, shown: []string{team.dir}, exact: map[string]bool{team.dir: true}}},
		})
	}
	return r, nil
}
