package businesstime

import (
	"math/rand/v2"
	"testing"
	"time"
)

// benchInputs are handoff-like clocks: starts spread over two years in
// Berlin (so across DST changes and holidays), SLAs of 4h and 24h, and
// decisions from minutes to two weeks later.
func benchInputs(b *testing.B) (*Calendar, []time.Time, []time.Duration, []time.Time) {
	c := mustCalendar(b, weekdays, "2026-01-01,2026-04-03,2026-04-06,2026-05-01,2026-12-25,2026-12-26,2027-01-01", "Europe/Berlin")
	r := rand.New(rand.NewPCG(1, 2))
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	const n = 1024
	starts, ds, ends := make([]time.Time, n), make([]time.Duration, n), make([]time.Time, n)
	for i := range n {
		starts[i] = time.Unix(from+r.Int64N(2*365*24*3600), 0)
		ds[i] = []time.Duration{4 * time.Hour, 24 * time.Hour}[i%2]
		ends[i] = starts[i].Add(time.Duration(r.Int64N(int64(14 * 24 * time.Hour))))
	}
	return c, starts, ds, ends
}

func BenchmarkAdd(b *testing.B) {
	c, starts, ds, _ := benchInputs(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Add(starts[i%len(starts)], ds[i%len(ds)])
		i++
	}
}

func BenchmarkBetween(b *testing.B) {
	c, starts, _, ends := benchInputs(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Between(starts[i%len(starts)], ends[i%len(ends)])
		i++
	}
}
