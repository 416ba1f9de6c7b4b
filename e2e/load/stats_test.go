package load

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
)

// loadResult is what one run measured.
type loadResult struct {
	rate  int
	dur   time.Duration
	start time.Time // the first envelope
	flows []*flow
	// sendEnd is when the last envelope was sent.
	sendEnd time.Time
	drain   time.Duration // last flow ended → outbox empty; -1: never
	sample

	sent, ackedInTime, acked, late, dupAcks int
	ackLatencies                            []time.Duration
	submitted, saved, carded, accepted      int
	cardsSeen, cardsDoubled, leftInOutbox   int
	flowErrors                              map[string]int
	envErrors, logErrors, busyFlows         int
	poolWaits                               int
	poolWait                                time.Duration
	peakRSS                                 int            // kB
	calls                                   map[string]int // Web API calls by method
	xacts                                   int            // database transactions committed
	problems                                []string
}

// collect reads the acks, the database and the bot's metrics after a run.
func (res *loadResult) collect(r *loadRun) {
	res.flowErrors = map[string]int{}
	var last time.Time
	for _, f := range res.flows {
		res.sent += f.sent
		if f.lastSent.After(last) {
			last = f.lastSent
		}
		for _, a := range f.acks {
			if a > 0 {
				res.ackedInTime++
			}
		}
		if f.saved {
			res.submitted++
		}
		switch {
		case f.err == busyPrefix:
			res.busyFlows++
		case f.err != "":
			res.flowErrors[errorClass(f.err)]++
		}
	}
	res.sendEnd = last
	for _, a := range r.fs.Acks() {
		switch {
		case a.Invalid != "":
			res.problems = append(res.problems, "invalid ack: "+a.Invalid)
		case a.Duplicate:
			res.dupAcks++
		default:
			res.acked++
			res.ackLatencies = append(res.ackLatencies, a.Latency)
			if a.Late {
				res.late++
			}
		}
	}
	slices.Sort(res.ackLatencies)
	if res.dupAcks > 0 {
		res.problems = append(res.problems, fmt.Sprintf("%d envelopes acked twice", res.dupAcks))
	}
	res.cardsSeen, res.cardsDoubled = r.w.doubled()
	err := r.db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE h.card_ts <> ''), count(*) FILTER (WHERE h.state = 'accepted'),
			count(*) - count(DISTINCT l.email)
		FROM handoffs h JOIN leads l ON l.id = h.lead_id WHERE l.email LIKE '%@bench.example'`).
		Scan(&res.saved, &res.carded, &res.accepted, new(int))
	if err != nil {
		res.problems = append(res.problems, "count handoffs: "+err.Error())
	}
	if err := r.db.QueryRow(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(&res.leftInOutbox); err != nil {
		res.problems = append(res.problems, "count outbox: "+err.Error())
	}
	res.calls = map[string]int{}
	for _, c := range r.fs.Calls("") {
		res.calls[c.Method]++
	}
	if err := r.db.QueryRow(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&res.xacts); err != nil {
		res.problems = append(res.problems, "count transactions: "+err.Error())
	}
	res.scrape(r.httpURL + "/metrics")
}

// perHandoff says how many Web API calls and database transactions one
// saved handoff cost, all work included, for the profile's reader.
func (res *loadResult) perHandoff() string {
	if res.saved == 0 {
		return ""
	}
	var parts []string
	for _, m := range slices.Sorted(maps.Keys(res.calls)) {
		parts = append(parts, fmt.Sprintf("%s %.1f", m, float64(res.calls[m])/float64(res.saved)))
	}
	return fmt.Sprintf("ack p99 by kind: %s; per saved handoff: %.0f transactions; Web API calls: %s",
		res.ackByKind(), float64(res.xacts)/float64(res.saved), strings.Join(parts, ", "))
}

// ackByKind is the p99 ack of the envelopes acked within 3 s, by kind.
func (res *loadResult) ackByKind() string {
	var parts []string
	for i, kind := range []string{"command", "submission", "click"} {
		var ds []time.Duration
		for _, f := range res.flows {
			if f.acks[i] > 0 {
				ds = append(ds, f.acks[i])
			}
		}
		slices.Sort(ds)
		parts = append(parts, kind+" "+fmtD(pct(ds, 99)))
	}
	return strings.Join(parts, ", ")
}

// scrape reads envelope outcomes and database pool waits from /metrics.
func (res *loadResult) scrape(url string) {
	resp, err := http.Get(url)
	if err != nil {
		res.problems = append(res.problems, "metrics: "+err.Error())
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, value, ok := metricLine(line)
		switch {
		case !ok:
		case name == "handoffbot_envelopes_total" && (strings.Contains(line, `outcome="error"`) || strings.Contains(line, `outcome="panic"`)):
			res.envErrors += int(value)
		case name == "go_sql_wait_count_total":
			res.poolWaits = int(value)
		case name == "go_sql_wait_duration_seconds_total":
			res.poolWait = time.Duration(value * float64(time.Second))
		}
	}
}

func metricLine(line string) (name string, value float64, ok bool) {
	if strings.HasPrefix(line, "#") {
		return "", 0, false
	}
	i := strings.LastIndexByte(line, ' ')
	if i < 0 {
		return "", 0, false
	}
	v, err := strconv.ParseFloat(line[i+1:], 64)
	if err != nil {
		return "", 0, false
	}
	name = line[:i]
	if j := strings.IndexByte(name, '{'); j >= 0 {
		name = name[:j]
	}
	return name, v, true
}

// errorClass shortens a flow's failure to what kind it was.
func errorClass(err string) string {
	err = refRe.ReplaceAllString(err, "(ref …)")
	switch {
	case strings.Contains(err, "did not ack"):
		return strings.SplitN(err, ":", 2)[0] + ": not acked within 3 s"
	case len(err) > 80:
		return err[:80] + "…"
	}
	return err
}

var refRe = regexp.MustCompile(`\(ref [0-9a-f]+\)`)

// lost is handoffs the people were told were saved but that have no card,
// or whose card was never seen, after the outbox drained.
func (res *loadResult) lost() int {
	return max(res.submitted-res.carded, res.submitted-res.cardsSeen, 0) + res.cardsDoubled
}

func (res *loadResult) report(b *testing.B) {
	b.ReportMetric(float64(res.sent)/res.sendEnd.Sub(res.start).Seconds(), "envelopes/s")
	b.ReportMetric(ms(pct(res.ackLatencies, 99)), "ack-p99-ms")
	b.ReportMetric(ms(pct(res.cardTimes(), 50)), "card-p50-ms")
	b.ReportMetric(float64(res.peakRSS)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(res.lost()), "lost+doubled")
	for _, p := range res.problems {
		b.Log(p)
	}
	for e, n := range res.flowErrors {
		b.Logf("%d flows: %s", n, e)
	}
}

func (res *loadResult) cardTimes() []time.Duration {
	var ds []time.Duration
	for _, f := range res.flows {
		if f.card > 0 {
			ds = append(ds, f.card)
		}
	}
	slices.Sort(ds)
	return ds
}

func (res *loadResult) updateTimes() []time.Duration {
	var ds []time.Duration
	for _, f := range res.flows {
		if f.update > 0 {
			ds = append(ds, f.update)
		}
	}
	slices.Sort(ds)
	return ds
}

// completed is handoffs whose card was updated after Accept, per second
// from the first envelope to the last update.
func (res *loadResult) completed() (n int, perSec float64) {
	var last time.Time
	for _, f := range res.flows {
		if f.update > 0 {
			n++
			if f.done.After(last) {
				last = f.done
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return n, float64(n) / last.Sub(res.start).Seconds()
}

// pct is the p-th percentile (nearest rank) of sorted durations.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fmtD prints a duration for the table: ms below 10 s, else seconds.
func fmtD(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", ms(d))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", ms(d))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// printLoadTable writes the results as Markdown tables, for the README.
func printLoadTable(w io.Writer, results []*loadResult) {
	fmt.Fprintln(w, "| offered | sent | acked in 3 s (late, never) | ack p50 / p99 / max | submit → card p50 / p99 | click → update p50 / p99 | handoffs done | told busy | errors | peak RSS | DB conns |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		acks, cards, updates := r.ackLatencies, r.cardTimes(), r.updateTimes()
		n, perSec := r.completed()
		errs := 0
		for _, c := range r.flowErrors {
			errs += c
		}
		fmt.Fprintf(w, "| %d/s × %s | %d (%.0f/s) | %d of %d (%d, %d) | %s / %s / %s | %s / %s | %s / %s | %d (%.0f/s) | %d | %d flows, %d envelopes, %d log lines | %.0f MB | %d (%d busy) |\n",
			r.rate, r.dur, r.sent, float64(r.sent)/r.sendEnd.Sub(r.start).Seconds(),
			r.ackedInTime, r.sent, r.late, r.sent-r.acked,
			fmtD(pct(acks, 50)), fmtD(pct(acks, 99)), fmtD(pct(acks, 100)),
			fmtD(pct(cards, 50)), fmtD(pct(cards, 99)), fmtD(pct(updates, 50)), fmtD(pct(updates, 99)),
			n, perSec, r.busyFlows, errs, r.envErrors, r.logErrors, float64(r.peakRSS)/1024, r.maxConns, r.maxActive)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| offered | handoffs submitted / saved / carded / accepted | cards posted twice | owed messages left | outbox drained after | CPU: bot / Postgres / fake+load / machine busy | pool waits |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range results {
		fmt.Fprintf(w, "| %d/s | %d / %d / %d / %d | %d | %d | %s | %.1f s / %.1f s / %.1f s / %.0f%% | %d (%s) |\n",
			r.rate, r.submitted, r.saved, r.carded, r.accepted, r.cardsDoubled, r.leftInOutbox, fmtD(r.drain),
			r.botCPU.Seconds(), r.pgCPU.Seconds(), r.selfCPU.Seconds(), 100*r.busy, r.poolWaits, fmtD(r.poolWait))
	}
	for _, r := range results {
		fmt.Fprintf(w, "\n- %d/s: %s", r.rate, r.perHandoff())
		for e, n := range r.flowErrors {
			fmt.Fprintf(w, "\n- %d/s: %d flows stopped: %s", r.rate, n, e)
		}
		for _, p := range r.problems {
			fmt.Fprintf(w, "\n- %d/s: %s", r.rate, p)
		}
	}
	fmt.Fprintln(w)
}

// sample is what the sampler saw while the load ran.
type sample struct {
	maxConns, maxActive int
	botCPU, selfCPU     time.Duration
	pgCPU               time.Duration // the bot's Postgres backends
	busy                float64       // share of all cores busy, whole machine
}

type sampler struct {
	cancel context.CancelFunc
	done   chan sample
}

// startSampler watches the bot's database connections every 100 ms and
// notes CPU use, until stop.
func startSampler(ctx context.Context, db *sql.DB, pid int) *sampler {
	ctx, cancel := context.WithCancel(ctx)
	s := &sampler{cancel: cancel, done: make(chan sample, 1)}
	bot0, self0 := procCPU(pid), selfCPU()
	busy0, total0 := machineCPU()
	go func() {
		var smp sample
		pg := backendCPU{}
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for first := true; ; first = false {
			var pids []int64
			var active int
			err := db.QueryRowContext(ctx, `SELECT array_agg(pid), count(*) FILTER (WHERE state = 'active')
				FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).
				Scan(pq.Array(&pids), &active)
			if err == nil {
				smp.maxConns, smp.maxActive = max(smp.maxConns, len(pids)), max(smp.maxActive, active)
				pg.see(pids, first)
			}
			select {
			case <-ctx.Done():
				busy1, total1 := machineCPU()
				smp.botCPU, smp.selfCPU, smp.pgCPU = procCPU(pid)-bot0, selfCPU()-self0, pg.total()
				smp.busy = (busy1 - busy0) / (total1 - total0)
				s.done <- smp
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) stop() sample {
	s.cancel()
	return <-s.done
}

// backendCPU adds up the CPU of the Postgres backends serving the bot:
// from when first seen for those already there, whole lives for the rest.
type backendCPU map[int]*[2]time.Duration // pid → first counted, last seen

func (b backendCPU) see(pids []int64, first bool) {
	for _, p := range pids {
		cpu := procCPU(int(p))
		if seen := b[int(p)]; seen != nil {
			seen[1] = max(seen[1], cpu)
			continue
		}
		from := time.Duration(0)
		if first {
			from = cpu
		}
		b[int(p)] = &[2]time.Duration{from, cpu}
	}
}

func (b backendCPU) total() time.Duration {
	var t time.Duration
	for _, v := range b {
		t += v[1] - v[0]
	}
	return t
}

// procCPU is a process's user+system CPU time from /proc (100 ticks/s).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// selfCPU is this process's CPU time: the fake Slack and the load.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineCPU is busy and total jiffies of all cores, from /proc/stat.
func machineCPU() (busy, total float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseFloat(f, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

// procKB reads a kB field such as VmHWM (peak RSS) from /proc/PID/status.
func procKB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// countLogErrors counts the bot's ERROR log lines.
func countLogErrors(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), `"level":"ERROR"`)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	return fmt.Sprintf("%.0f GiB RAM", float64(procMemTotal())/(1<<20))
}

func procMemTotal() int {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
