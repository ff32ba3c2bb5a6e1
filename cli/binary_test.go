package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"oauthdeck/sandbox/testenv"
)

// buildBinary is the oauthdeck binary, built once per test process.
func buildBinary(t *testing.T) string { t.Helper(); return testenv.Binary(t) }

// TestBinarySandboxThenStatus builds oauthdeck, runs `oauthdeck sandbox`,
// takes the two lines it prints, uses them (through the environment, never
// arguments) with `oauthdeck status`, then interrupts the sandbox.
func TestBinarySandboxThenStatus(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, c := range []struct{ compat, version, era string }{
		{"v2.30", "v2.30.0", `"era": "v2.30"`},
		{"v2.36", "v2.36.0", `"era": "experiment"`},
		{"v2.37", "v2.36.0", `"era": "experiment"`}, // the alias until a real v2.37 is measured
	} {
		t.Run(c.compat, func(t *testing.T) { sandboxThenStatus(t, c.compat, c.version, c.era) })
	}
}

// startSandboxBinary runs the built binary's sandbox with args until the
// test ends and returns the environment of a fresh home and the CODER_URL
// and CODER_SESSION_TOKEN lines it printed.
// stop interrupts it as Ctrl-C would and returns its stderr once it exited cleanly.
func startSandboxBinary(t *testing.T, bin string, args ...string) (baseEnv, env []string, stop func() string) {
	t.Helper()
	dir := t.TempDir()
	baseEnv = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"OAUTHDECK_CONFIG_DIR=" + filepath.Join(dir, "config"),
		"NO_COLOR=1",
	}

	sb := exec.Command(bin, append([]string{"sandbox"}, args...)...)
	sb.Env = baseEnv
	var sbErr bytes.Buffer
	sb.Stderr = &sbErr
	stdout, err := sb.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sb.Wait() }()
	t.Cleanup(func() { _ = sb.Process.Kill() }) // harmless once it has exited

	lines := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(stdout)
		for i := 0; i < 2 && sc.Scan(); i++ {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	for len(env) < 2 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("sandbox printed fewer than two lines; stderr:\n%s", sbErr.String())
			}
			env = append(env, l)
		case <-timeout:
			t.Fatal("sandbox did not print its two lines")
		}
	}
	if !strings.HasPrefix(env[0], "CODER_URL=http://127.0.0.1:") || !strings.HasPrefix(env[1], "CODER_SESSION_TOKEN=") {
		t.Fatalf("sandbox printed %q", env)
	}
	stop = func() string {
		t.Helper()
		if err := sb.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("sandbox did not exit cleanly on SIGINT: %v\nstderr:\n%s", err, sbErr.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatal("sandbox ignored SIGINT")
		}
		return sbErr.String()
	}
	return baseEnv, env, stop
}

func sandboxThenStatus(t *testing.T, compat, version, era string) {
	bin := buildBinary(t)
	baseEnv, env, stop := startSandboxBinary(t, bin, "--compat", compat)

	status := exec.Command(bin, "status", "-o", "json")
	status.Env = append(append([]string{}, baseEnv...), env...)
	out, err := status.CombinedOutput()
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	mustContain(t, string(out), `"token_source": "environment CODER_SESSION_TOKEN"`, `"version": "`+version+`"`, era, `"username": "admin"`)

	mustContain(t, stop(), "listening on", "sandbox stopped")
}

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBinary()
	os.Exit(code)
}

// `sandbox --seed-apps N` serves N apps for scale tests.
func TestBinarySandboxSeedApps(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	baseEnv, env, stop := startSandboxBinary(t, bin, "--seed-apps", "250")
	list := exec.Command(bin, "apps", "list", "-o", "json")
	list.Env = append(append([]string{}, baseEnv...), env...)
	out, err := list.Output()
	if err != nil {
		t.Fatalf("apps list: %v", err)
	}
	var apps []struct{ Name string }
	if err := json.Unmarshal(out, &apps); err != nil || len(apps) != 250 || apps[0].Name != "seed-00001" {
		t.Fatalf("%d apps (%v), first %+v", len(apps), err, apps[:min(1, len(apps))])
	}
	mustContain(t, stop(), "seeded 250 apps", "rate limits: 60 requests a minute")
}
