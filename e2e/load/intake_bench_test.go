package load

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// BenchmarkIntakeAPI posts leads to the built binary's intake API at a
// steady rate (INTAKE_RATE per second, default 100, for INTAKE_SECONDS,
// default 10), from intakeKeys keys so that no key's limit (10/s, bursts
// of 50) is what is measured, each lead new and routed by the rotation.
// It prints the latency of the answers and checks that every lead became
// exactly one handoff with one card. Run it with
//
//	go test -run '^$' -bench IntakeAPI -benchtime 1x ./e2e/load/
func BenchmarkIntakeAPI(b *testing.B) {
	rate, seconds := envInts(b, "INTAKE_RATE", "100")[0], envInts(b, "INTAKE_SECONDS", "10")[0]
	var res intakeResult
	for range b.N {
		res = runIntake(b, rate, time.Duration(seconds)*time.Second)
	}
	b.ReportMetric(res.p(0.99).Seconds()*1000, "p99-ms")
	fmt.Printf("\nIntake API: %d leads/s for %d s; %d × %s, %s, Go %s; bot, load generator and PostgreSQL on the same machine\n\n",
		rate, seconds, runtime.NumCPU(), cpuModel(), memTotal(), strings.TrimPrefix(runtime.Version(), "go"))
	res.print(os.Stdout)
}

// intakeKeys is how many keys the benchmark spreads its calls over.
const intakeKeys = 12

type intakeResult struct {
	sent      int
	latencies []time.Duration
	statuses  map[int]int
	handoffs  int
	distinct  int
	cards     int
	drain     time.Duration
}

func runIntake(b *testing.B, rate int, dur time.Duration) intakeResult {
	b.StopTimer()
	fs, err := fakeslack.New()
	if err != nil {
		b.Fatal(err)
	}
	defer fs.Close()
	populateLoad(fs)
	go newWatcher(fs).dispatch(b.Context())
	dbURL := storagetest.URL(b)
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	api := loadAddr(b)
	r := &loadRun{b: b, rate: rate, dur: dur, fs: fs, db: db, env: []string{"INTAKE_ADDR=" + api}}
	bin := e2etest.Binary(b)
	keys := make([]string, intakeKeys)
	for i := range keys {
		keys[i] = createKey(b, bin, dbURL, fmt.Sprintf("load-%02d", i))
	}
	r.start(bin, dbURL)
	res := intakeResult{statuses: map[int]int{}}
	b.StartTimer()
	res.latencies, res.statuses = postLeads(b, "http://"+api, keys, rate, dur)
	b.StopTimer()
	res.sent = len(res.latencies)
	res.drain = r.waitOutbox(2 * time.Minute)
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT external_id), count(card_ts) FROM handoffs`).
		Scan(&res.handoffs, &res.distinct, &res.cards); err != nil {
		b.Fatal(err)
	}
	var lr loadResult
	r.stop(&lr)
	return res
}

// createKey runs `handoffbot keys create NAME` and returns the key.
func createKey(b *testing.B, bin, dbURL, name string) string {
	cmd := exec.Command(bin, "keys", "create", name)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "DATABASE_URL=" + dbURL}
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("keys create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// postLeads posts rate new leads a second for dur, each on time whatever
// the earlier ones are doing, and returns each answer's latency and the
// count of each status.
func postLeads(b *testing.B, url string, keys []string, rate int, dur time.Duration) ([]time.Duration, map[int]int) {
	n := rate * int(dur/time.Second)
	interval := time.Second / time.Duration(rate)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	latencies := make([]time.Duration, n)
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		wg.Go(func() {
			body := fmt.Sprintf(`{"external_id": "bench-%05d", "lead": {"name": "API Lead %05d", "email": "lead%05d@bench.example"}, "source": "benchmark"}`, i, i, i)
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url+"/v1/handoffs", bytes.NewBufferString(body))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+keys[i%len(keys)])
			req.Header.Set("Content-Type", "application/json")
			began := time.Now()
			resp, err := client.Do(req)
			status := 0
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			mu.Lock()
			latencies[i] = time.Since(began)
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return latencies, statuses
}

// p is the q-quantile of the latencies.
func (r intakeResult) p(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(r.latencies))
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

func (r intakeResult) print(w io.Writer) {
	fmt.Fprintln(w, "| sent | answers | p50 / p99 / max | handoffs (distinct external_id) | cards | outbox drained after |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	var answers []string
	for _, st := range slices.Sorted(maps.Keys(r.statuses)) {
		answers = append(answers, fmt.Sprintf("%d × %d", r.statuses[st], st))
	}
	fmt.Fprintf(w, "| %d | %s | %.1f / %.1f / %.1f ms | %d (%d) | %d | %s |\n", r.sent, strings.Join(answers, ", "),
		ms(r.p(0.5)), ms(r.p(0.99)), ms(r.p(1)), r.handoffs, r.distinct, r.cards, r.drain.Round(time.Millisecond))
}
