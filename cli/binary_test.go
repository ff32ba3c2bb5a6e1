package cli_test

import (
	"bufio"
	"bytes"
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

func sandboxThenStatus(t *testing.T, compat, version, era string) {
	dir := t.TempDir()
	bin := buildBinary(t)
	baseEnv := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"OAUTHDECK_CONFIG_DIR=" + filepath.Join(dir, "config"),
		"NO_COLOR=1",
	}

	sb := exec.Command(bin, "sandbox", "--compat", compat)
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
	var env []string
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

	status := exec.Command(bin, "status", "-o", "json")
	status.Env = append(append([]string{}, baseEnv...), env...)
	out, err := status.CombinedOutput()
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	mustContain(t, string(out), `"token_source": "environment CODER_SESSION_TOKEN"`, `"version": "`+version+`"`, era, `"username": "admin"`)

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
	mustContain(t, sbErr.String(), "listening on", "sandbox stopped")
}

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBinary()
	os.Exit(code)
}
