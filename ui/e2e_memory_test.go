package ui

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox"
)

// BenchmarkE2EMemoryTenThousandApps reports the resident memory of the real
// oauthdeck binary, run in tmux as a person would, with 10,000 apps listed
// from a sandbox and filtered (a figure, so a benchmark: the target is under
// 60 MB). The sandbox runs in this test process, so only the console's own
// memory is counted. Run it with
// go test -run '^$' -bench E2EMemory -benchtime 1x ./ui
func BenchmarkE2EMemoryTenThousandApps(b *testing.B) {
	for b.Loop() {
		rss, peak := memoryTenThousandApps(b)
		b.ReportMetric(rss, "MB-resident")
		b.ReportMetric(peak, "MB-peak")
	}
}

func memoryTenThousandApps(t testing.TB) (rss, peak float64) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := sandbox.Start(ctx, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.SeedApps(10000)

	// The session reaches the program through its environment, read from a
	// 0600 file, so it never stands in a process's arguments.
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	env := "CODER_URL=" + srv.URL() + "\nCODER_SESSION_TOKEN=" + srv.AdminSessionToken() + "\nOAUTHDECK_CONFIG_DIR=" + dir + "\n"
	if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := oauthdeckBinary(t)
	tm := startTmux(t, 120, 40, nil, "sh", "-c", `set -a; . "$0"; set +a; exec "$1"`, envFile, bin)
	tm.waitFor("1 Deployments")
	tm.keys("2")
	tm.waitForWithin(30*time.Second, "10000 of 10000")
	tm.keys("/")
	tm.text("seed-0099")
	tm.waitFor("10 of 10000")

	pid := descendantRunning(t, tm.run("display-message", "-p", "-t", "e2e", "#{pane_pid}"), bin)
	rss, peak = procMemoryMB(t, pid)

	tm.keys("Escape")
	time.Sleep(100 * time.Millisecond) // P6: Escape alone, then the next key
	tm.keys("C-c")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s; screen:\n%s", code, tm.capture())
	}
	return rss, peak
}

// descendantRunning finds the process below root whose executable is bin.
func descendantRunning(t testing.TB, root, bin string) int {
	t.Helper()
	queue := []string{strings.TrimSpace(root)}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if exe, err := os.Readlink("/proc/" + pid + "/exe"); err == nil && exe == bin {
			n, _ := strconv.Atoi(pid)
			return n
		}
		children, _ := os.ReadFile("/proc/" + pid + "/task/" + pid + "/children")
		queue = append(queue, strings.Fields(string(children))...)
	}
	t.Skipf("cannot find the oauthdeck process below pid %s (no /proc?)", root)
	return 0
}

// procMemoryMB reads VmRSS and VmHWM of pid.
func procMemoryMB(t testing.TB, pid int) (rss, peak float64) {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(value), " kB"))
		if err != nil {
			t.Fatalf("parsing %q: %v", line, err)
		}
		if name == "VmRSS" {
			rss = float64(kb) / 1024
		} else {
			peak = float64(kb) / 1024
		}
	}
	if rss == 0 {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	return rss, peak
}
