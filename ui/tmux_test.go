package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
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

// oauthdeckBinary is the oauthdeck binary, built once per test process.
func oauthdeckBinary(t testing.TB) string { t.Helper(); return testenv.Binary(t) }

// tmuxSession is the console in a pane of testenv's tmux server, with the
// keys, paste and exit helpers a person's session needs.
type tmuxSession struct {
	*testenv.Tmux
	t      testing.TB
	exitAt string
}

// startTmux runs argv in a w×h pane of a private tmux server. The pane runs
// `argv; echo $? > exit; exec sh`, so the exit code is recorded (P2) and a
// shell is left to prove the terminal still works afterwards.
func startTmux(t testing.TB, w, h int, env []string, argv ...string) *tmuxSession {
	t.Helper()
	srv := testenv.NewTmux(t)
	tm := &tmuxSession{Tmux: srv, t: t, exitAt: filepath.Join(srv.Dir(), "exit")}
	args := []string{"new-session", "-d", "-s", "e2e", "-x", itoa(w), "-y", itoa(h)}
	for _, e := range append([]string{"PS1=$ ", "HOME=" + srv.Dir()}, env...) {
		args = append(args, "-e", e)
	}
	script := `"$@"; echo $? > "` + tm.exitAt + `"; exec sh`
	args = append(args, "sh", "-c", script, "sh")
	args = append(args, argv...)
	tm.run(args...)
	return tm
}

func (tm *tmuxSession) run(args ...string) string { tm.t.Helper(); return tm.Run(args...) }

// capture returns the visible pane text.
func (tm *tmuxSession) capture() string { return tm.run("capture-pane", "-p", "-t", "e2e") }

// waitFor polls the pane until it shows every string in want (P1).
func (tm *tmuxSession) waitFor(want ...string) string {
	tm.t.Helper()
	return tm.waitForWithin(10*time.Second, want...)
}

func (tm *tmuxSession) waitForWithin(d time.Duration, want ...string) string {
	tm.t.Helper()
	return tm.WaitFor(tm.capture, d, want...)
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
	tm.RunInput(secret, "load-buffer", "-b", "secret", "-")
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

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBinary() // the end-to-end tests' binary
	os.Exit(code)
}
