package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// exportPeakLimit is what `handoffbot export` may hold in memory at once,
// however many handoffs it writes: it streams them.
const exportPeakLimit = 60 << 20

// BenchmarkExportMillionHandoffs runs the built binary's `handoffbot
// export` over the million-handoff dataset (storagetest.LargeHandoffs,
// built on first use in a minute or two) and reports its peak resident
// memory, the kernel's high-water mark (VmHWM) read from /proc as the
// process exits; it fails at 60 MB or more. The CSV goes to a pipe whose
// reader only counts the rows (as /dev/null would, but the count shows
// the export is whole). Run it with
//
//	go test ./e2e/ -run '^$' -bench BenchmarkExportMillionHandoffs -benchtime 1x
func BenchmarkExportMillionHandoffs(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc and uses ptrace")
	}
	url := storagetest.Large(b, storagetest.LargeHandoffs)
	bin := e2etest.Binary(b)
	var peak int64
	started := time.Now()
	for b.Loop() {
		peak = max(peak, mustExportMeasured(b, bin, url))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(storagetest.LargeHandoffCount)*float64(b.N)/time.Since(started).Seconds(), "rows/s")
	if peak >= exportPeakLimit {
		b.Errorf("export of %d handoffs peaked at %.1f MB resident, want under %d MB: it does not stream",
			storagetest.LargeHandoffCount, float64(peak)/(1<<20), exportPeakLimit>>20)
	}
}

// mustExportMeasured runs one export to the end, checks that every
// handoff was written, and returns the process's peak resident memory.
func mustExportMeasured(b *testing.B, bin, dbURL string) int64 {
	b.Helper()
	out, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	logs, err := os.Create(filepath.Join(b.TempDir(), "export.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logs.Close()
	cmd := exec.Command(bin, "export")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + dbURL, "LOG_FORMAT=text"}
	cmd.Stdout, cmd.Stderr = w, logs
	lines := make(chan int, 1)
	go func() { lines <- countLines(out) }()
	peak, status, err := runToExit(cmd, func() { w.Close() })
	if err != nil {
		b.Fatal(err)
	}
	if n := <-lines; status != 0 || n != storagetest.LargeHandoffCount+1 {
		text, _ := os.ReadFile(logs.Name())
		b.Fatalf("export exited %d after %d lines, want 0 after the header and %d rows:\n%s", status, n, storagetest.LargeHandoffCount, text)
	}
	return peak
}

// countLines reads r to its end and counts its lines.
func countLines(r io.Reader) int {
	n := 0
	buf := make([]byte, 1<<16)
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			return n
		}
	}
}

// runToExit starts cmd, calls started (to close the parent's ends of its
// pipes), waits for it to exit, and returns its peak resident memory
// (VmHWM, bytes) and exit status.
//
// VmHWM is in /proc only while the process has its memory, which it gives
// up before its parent can wait for it; so the process is traced (ptrace)
// and stopped on its way out (PTRACE_O_TRACEEXIT) to read it. The exit
// status's rusage would be simpler but is wrong here: Go starts children
// with vfork, and ru_maxrss then includes the memory of this benchmark
// process, which the child shares until it execs. Every ptrace call must
// come from the thread that started the process, hence the locked thread;
// cmd.Wait is not called, since the process is reaped here.
func runToExit(cmd *exec.Cmd, started func()) (peak int64, status int, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	started()
	defer cmd.Process.Release()
	pid := cmd.Process.Pid
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil || !ws.Stopped() { // stopped at exec
		return 0, 0, fmt.Errorf("start %s traced: %v (%v)", cmd.Path, err, ws)
	}
	if err := syscall.PtraceSetOptions(pid, syscall.PTRACE_O_TRACEEXIT); err != nil {
		return 0, 0, fmt.Errorf("trace %s: %w", cmd.Path, err)
	}
	sig := 0
	for {
		if err := syscall.PtraceCont(pid, sig); err != nil {
			return 0, 0, fmt.Errorf("continue %s: %w", cmd.Path, err)
		}
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
			return 0, 0, fmt.Errorf("wait for %s: %w", cmd.Path, err)
		}
		switch {
		case ws.Exited():
			return peak, ws.ExitStatus(), nil
		case ws.Signaled():
			return peak, -1, fmt.Errorf("%s killed by %v", cmd.Path, ws.Signal())
		case ws.TrapCause() == syscall.PTRACE_EVENT_EXIT:
			if peak, err = vmHWM(pid); err != nil {
				return 0, 0, err
			}
			sig = 0
		default: // a signal on its way to the process: pass it on
			sig = int(ws.StopSignal())
			if ws.StopSignal() == syscall.SIGTRAP {
				sig = 0
			}
		}
	}
}

// vmHWM reads a process's peak resident set size from /proc.
func vmHWM(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
