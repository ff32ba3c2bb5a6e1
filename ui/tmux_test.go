package ui

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"oauthdeck/sandbox/testenv"
)

// End-to-end helpers: the real binary in a private tmux server, driven as a
// person would (test-infra.md §2). Flow and Check tests use them too:
//
//	tm := startTmux(t, 100, 30, nil, oauthdeckBinary(t), "demo")
//	tm.waitFor("cli-tool")
//	tm.keys("2"); tm.text("my-app"); tm.keys("Enter")
//	tm.quit()  // q, exit code 0, terminal restored

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// requireTmux skips without tmux, except in CI where it must be there.
func requireTmux(t testing.TB) {
	t.Helper()
	testenv.Tool(t, "tmux", "tmux")
}

// oauthdeckBinary builds the oauthdeck command once per test run.
func oauthdeckBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "oauthdeck-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "oauthdeck")
		cmd := exec.Command("go", "build", "-o", builtBin, "oauthdeck")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			builtBin = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building oauthdeck: %v\n%s", buildErr, builtBin)
	}
	return builtBin
}

type tmuxSession struct {
	poll   time.Duration // capture-pane interval; 50 ms unless a test needs finer timing
	t      testing.TB
	sock   string
	dir    string
	exitAt string
}

// startTmux runs argv in a w×h pane of a private tmux server. The pane runs
// `argv; echo $? > exit; exec sh`, so the exit code is recorded (P2) and a
// shell is left to prove the terminal still works afterwards.
func startTmux(t testing.TB, w, h int, env []string, argv ...string) *tmuxSession {
	t.Helper()
	requireTmux(t)
	dir, err := os.MkdirTemp("", "tmx") // short: AF_UNIX path limit (P7)
	if err != nil {
		t.Fatal(err)
	}
	tm := &tmuxSession{t: t, sock: filepath.Join(dir, "s"), dir: dir, exitAt: filepath.Join(dir, "exit")}
	t.Cleanup(func() {
		_ = exec.Command("tmux", "-S", tm.sock, "kill-server").Run()
		_ = os.RemoveAll(dir)
	})
	args := []string{"new-session", "-d", "-s", "e2e", "-x", itoa(w), "-y", itoa(h)}
	for _, e := range append([]string{"PS1=$ ", "HOME=" + dir}, env...) {
		args = append(args, "-e", e)
	}
	script := `"$@"; echo $? > "` + tm.exitAt + `"; exec sh`
	args = append(args, "sh", "-c", script, "sh")
	args = append(args, argv...)
	tm.run(args...)
	return tm
}

func (tm *tmuxSession) run(args ...string) string {
	tm.t.Helper()
	full := append([]string{"-S", tm.sock, "-f", "/dev/null"}, args...)
	out, err := exec.Command("tmux", full...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// capture returns the visible pane text.
func (tm *tmuxSession) capture() string { return tm.run("capture-pane", "-p", "-t", "e2e") }

// waitFor polls the pane until it shows every string in want (P1).
func (tm *tmuxSession) waitFor(want ...string) string {
	tm.t.Helper()
	return tm.waitForWithin(10*time.Second, want...)
}

func (tm *tmuxSession) waitForWithin(d time.Duration, want ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := tm.capture()
		ok := true
		for _, w := range want {
			if !strings.Contains(s, w) {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("timed out waiting for %q; screen:\n%s", want, s)
		}
		if tm.poll > 0 {
			time.Sleep(tm.poll)
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// keys sends key names (Enter, Escape, C-s, Down…), one call each, with a
// short pause after Escape so it is not read as alt+key (P6).
func (tm *tmuxSession) keys(names ...string) {
	for _, k := range names {
		tm.run("send-keys", "-t", "e2e", k)
		if k == "Escape" {
			time.Sleep(120 * time.Millisecond)
		}
	}
}

// text types literal text.
func (tm *tmuxSession) text(s string) { tm.run("send-keys", "-t", "e2e", "-l", s) }

// paste pastes secret through a tmux buffer loaded from stdin, so it never
// appears in any process's arguments.
func (tm *tmuxSession) paste(secret string) {
	tm.t.Helper()
	cmd := exec.Command("tmux", "-S", tm.sock, "load-buffer", "-b", "secret", "-")
	cmd.Stdin = strings.NewReader(secret)
	if out, err := cmd.CombinedOutput(); err != nil {
		tm.t.Fatalf("tmux load-buffer: %v\n%s", err, out)
	}
	tm.run("paste-buffer", "-p", "-d", "-b", "secret", "-t", "e2e")
}

// exitCode waits for the program to end and returns its exit code.
func (tm *tmuxSession) exitCode() string {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(tm.exitAt); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return string(bytes.TrimSpace(b))
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("program did not exit; screen:\n%s", tm.capture())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// requireRestored checks the terminal after the program ended: the alt
// screen is off and the shell left behind echoes and runs a command.
func (tm *tmuxSession) requireRestored() {
	tm.t.Helper()
	if alt := strings.TrimSpace(tm.run("display-message", "-p", "-t", "e2e", "#{alternate_on}")); alt != "0" {
		tm.t.Fatalf("alternate screen still on after exit (%q)", alt)
	}
	tm.text("echo restored-$((40+2))")
	tm.keys("Enter")
	tm.waitFor("echo restored-$((40+2))", "restored-42")
}

// e2eBinary is oauthdeckBinary under the name the Flow tests use.
func e2eBinary(t testing.TB) string { t.Helper(); return oauthdeckBinary(t) }
