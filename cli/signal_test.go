package cli_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"oauthdeck/sandbox"
)

// TestBinaryCheckSignalsCleanUp interrupts a running `oauthdeck check` the
// ways a process ends (SIGTERM, SIGHUP when the terminal closes, two
// SIGINTs in a row) while its test apps exist: each time it exits with
// them removed.
func TestBinaryCheckSignalsCleanUp(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, c := range []struct {
		name string
		sigs []syscall.Signal
	}{
		{"SIGTERM", []syscall.Signal{syscall.SIGTERM}},
		{"SIGHUP", []syscall.Signal{syscall.SIGHUP}},
		{"SIGINT twice", []syscall.Signal{syscall.SIGINT, syscall.SIGINT}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{})
			suiteApps := func() []string { return srv.AppNames("oauthdeck-check-") }
			dir := t.TempDir()
			// A slow path to the sandbox keeps the suite running long enough
			// to be interrupted (verdicts do not matter here, cleanup does).
			target, _ := url.Parse(srv.URL())
			proxy := httputil.NewSingleHostReverseProxy(target)
			slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(40 * time.Millisecond)
				proxy.ServeHTTP(w, r)
			}))
			t.Cleanup(slow.Close)
			cmd := exec.Command(bin, "check")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(dir, "home"),
				"OAUTHDECK_CONFIG_DIR=" + filepath.Join(dir, "config"), "NO_COLOR=1",
				"CODER_URL=" + slow.URL, "CODER_SESSION_TOKEN=" + srv.AdminSessionToken()}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			deadline := time.Now().Add(20 * time.Second)
			for len(suiteApps()) == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("check never created its test apps\n%s", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			for _, sig := range c.sigs {
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				t.Fatal("check did not exit after the signal")
			}
			if left := suiteApps(); len(left) > 0 {
				t.Fatalf("%s left the suite's apps: %v\n%s", c.name, left, stderr.String())
			}
		})
	}
}
