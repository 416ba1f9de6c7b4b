package load

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// BenchmarkLoad is the load benchmark of issue 9: the built binary, the
// fake Slack on loopback and a real Postgres, under bursts of slash
// commands, modal submissions and button clicks at each rate for a while,
// then a table of what happened. Run it with
//
//	go test -run '^$' -bench Load -benchtime 1x -timeout 30m .
//
// LOAD_RATES (envelopes/s, default 50,200,1000) and LOAD_SECONDS (default
// 10) change the runs; LOAD_PROFILE=dir saves the bot's CPU and heap
// profiles of each run there (pprof on HTTP_ADDR, PPROF=true); LOAD_BIN
// runs another build instead of this tree's (e.g. the last release, for a
// before and after on the same machine).
func BenchmarkLoad(b *testing.B) {
	rates, seconds := envInts(b, "LOAD_RATES", "50,200,1000"), envInts(b, "LOAD_SECONDS", "10")[0]
	bin := os.Getenv("LOAD_BIN")
	if bin == "" {
		bin = e2etest.Binary(b)
	}
	var results []*loadResult
	for _, rate := range rates {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			var r *loadResult
			for range b.N {
				r = runLoad(b, bin, rate, time.Duration(seconds)*time.Second)
			}
			r.report(b)
			results = append(results, r)
		})
	}
	fmt.Printf("\nLoad benchmark: %d × %s, %s, Go %s; bot, fake Slack + load generator and PostgreSQL on the same machine\n\n",
		runtime.NumCPU(), cpuModel(), memTotal(), strings.TrimPrefix(runtime.Version(), "go"))
	printLoadTable(os.Stdout, results)
}

// loadRun is one run's moving parts.
type loadRun struct {
	b       *testing.B
	rate    int
	dur     time.Duration
	fs      *fakeslack.Server
	w       *watcher
	db      *sql.DB // the bot's database, for counting and sampling
	proc    *exec.Cmd
	exited  chan error
	httpURL string
	logs    *os.File
	env     []string // besides what start sets, e.g. INTAKE_ADDR
}

// runLoad starts a fresh bot on a fresh database, loads it, lets it finish
// what it owes, checks that nothing was lost or doubled, and stops it.
func runLoad(b *testing.B, bin string, rate int, dur time.Duration) *loadResult {
	b.Helper()
	b.StopTimer()
	r := &loadRun{b: b, rate: rate, dur: dur}
	fs, err := fakeslack.New()
	if err != nil {
		b.Fatal(err)
	}
	defer fs.Close()
	r.fs = fs
	marketers := populateLoad(fs)
	r.w = newWatcher(fs)
	dbURL := storagetest.URL(b)
	r.db, err = sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer r.db.Close()
	r.db.SetMaxOpenConns(2)
	r.start(bin, dbURL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.w.dispatch(ctx)
	res := &loadResult{rate: rate, dur: dur}
	smp := startSampler(ctx, r.db, r.proc.Process.Pid)
	profDone := r.profileCPU()
	b.StartTimer()
	res.flows, res.start = r.drive(ctx, marketers)
	b.StopTimer()
	res.drain = r.waitOutbox(2 * time.Minute)
	<-profDone
	res.sample = smp.stop()
	res.collect(r)
	r.stop(res)
	return res
}

// start runs the built binary against the fake and the database.
func (r *loadRun) start(bin, dbURL string) {
	b := r.b
	addr := loadAddr(b)
	r.httpURL = "http://" + addr
	logs, err := os.CreateTemp("", fmt.Sprintf("handoffbot-load-%d-*.log", r.rate))
	if err != nil {
		b.Fatal(err)
	}
	r.logs = logs
	r.proc = exec.Command(bin, "serve")
	r.proc.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"SLACK_APP_TOKEN=" + r.fs.AppToken(), "SLACK_BOT_TOKEN=" + r.fs.BotToken(), "SLACK_API_URL=" + r.fs.APIURL(),
		"DATABASE_URL=" + dbURL, "HANDOFF_CHANNEL=" + handoffChannel,
		"SALES_TEAM=SSALES", "MARKETING_TEAM=SMARKETING", "MANAGERS=" + loadManager, "BUSINESS_HOURS=always",
		"HTTP_ADDR=" + addr, "PPROF=true",
	}
	r.proc.Env = append(r.proc.Env, r.env...)
	r.proc.Stdout, r.proc.Stderr = logs, logs
	// The bot dies with the benchmark, even if the benchmark crashes.
	r.proc.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.proc.Start(); err != nil {
		b.Fatal(err)
	}
	r.exited = make(chan error, 1)
	go func() { r.exited <- r.proc.Wait() }()
	b.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			_ = r.proc.Process.Kill()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := r.fs.WaitConnections(ctx, 1); err != nil {
		_ = r.proc.Process.Kill()
		b.Fatalf("bot did not connect: %v (logs in %s)", err, logs.Name())
	}
}

// drive starts a flow every 3/rate seconds for dur (each flow sends three
// envelopes, so envelopes go out at rate on average) and waits for every
// flow to end. It returns the flows and when the first began.
func (r *loadRun) drive(ctx context.Context, marketers []string) ([]*flow, time.Time) {
	pool := make(chan string, len(marketers))
	for _, m := range marketers {
		pool <- m
	}
	n := r.rate * int(r.dur/time.Second) / 3
	interval := 3 * time.Second / time.Duration(r.rate)
	flowCtx, cancel := context.WithTimeout(ctx, r.dur+2*time.Minute)
	defer cancel()
	flows := make([]*flow, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		f := &flow{lead: fmt.Sprintf("Load Lead %05d", i)}
		flows[i] = f
		m := <-pool // 500 marketers: none waits in practice
		wg.Go(func() { f.run(flowCtx, r.fs, r.w, m, func() { pool <- m }) })
	}
	wg.Wait()
	return flows, start
}

// waitOutbox waits until every message the bot owes is sent (or given up)
// and returns how long that took after the last flow ended.
func (r *loadRun) waitOutbox(limit time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < limit {
		var unsent int
		err := r.db.QueryRow(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(&unsent)
		if err == nil && unsent == 0 {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return -1
}

// profileCPU fetches the bot's CPU profile over the load when LOAD_PROFILE
// names a directory; the returned channel closes when it is saved.
func (r *loadRun) profileCPU() <-chan struct{} {
	done := make(chan struct{})
	dir := os.Getenv("LOAD_PROFILE")
	if dir == "" {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		r.savePprof(fmt.Sprintf("profile?seconds=%d", int(r.dur/time.Second)), filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", r.rate)))
	}()
	return done
}

func (r *loadRun) savePprof(path, file string) {
	resp, err := http.Get(r.httpURL + "/debug/pprof/" + path)
	if err != nil {
		r.b.Logf("pprof %s: %v", path, err)
		return
	}
	defer resp.Body.Close()
	out, err := os.Create(file)
	if err != nil {
		r.b.Logf("pprof: %v", err)
		return
	}
	defer out.Close()
	if _, err := io.Copy(out, resp.Body); err != nil {
		r.b.Logf("pprof %s: %v", path, err)
	}
}

// stop reads the peak RSS, saves the heap profile if asked, and stops the
// bot with SIGTERM as a container runtime would.
func (r *loadRun) stop(res *loadResult) {
	res.peakRSS = procKB(r.proc.Process.Pid, "VmHWM")
	if dir := os.Getenv("LOAD_PROFILE"); dir != "" {
		r.savePprof("heap", filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", r.rate)))
	}
	_ = r.proc.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-r.exited:
		if err != nil {
			res.problems = append(res.problems, fmt.Sprintf("bot exited with %v", err))
		}
	case <-time.After(15 * time.Second):
		_ = r.proc.Process.Kill()
		res.problems = append(res.problems, "bot did not stop within 15 s of SIGTERM")
	}
	_ = r.logs.Close()
	res.logErrors = countLogErrors(r.logs.Name())
	if len(res.problems) == 0 && len(res.flowErrors) == 0 && res.lost() == 0 {
		_ = os.Remove(r.logs.Name())
	} else {
		res.problems = append(res.problems, "bot logs: "+r.logs.Name())
	}
}

func loadAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func envInts(b *testing.B, name, def string) []int {
	v := os.Getenv(name)
	if v == "" {
		v = def
	}
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q: want positive integers, comma-separated", name, v)
		}
		out = append(out, n)
	}
	return out
}
