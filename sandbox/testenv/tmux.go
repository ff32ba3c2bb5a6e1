package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tmux is a private tmux server for tests that need a real terminal: the
// one driver the console's and the CLI's end-to-end tests share. It is
// killed, and its directory removed, when the test ends.
type Tmux struct {
	t    testing.TB
	sock string
	dir  string
	// Poll is how often WaitFor captures the pane (default 50 ms).
	Poll time.Duration
}

// NewTmux starts nothing yet: Run("new-session", …) opens the first pane.
func NewTmux(t testing.TB) *Tmux {
	t.Helper()
	Tool(t, "tmux", "tmux")
	dir, err := os.MkdirTemp("", "tmx") // short: AF_UNIX paths are limited
	if err != nil {
		t.Fatal(err)
	}
	m := &Tmux{t: t, sock: filepath.Join(dir, "s"), dir: dir}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = exec.CommandContext(ctx, "tmux", "-S", m.sock, "kill-server").Run()
		_ = os.RemoveAll(dir)
	})
	return m
}

// Dir is a private directory that lives as long as the server.
func (m *Tmux) Dir() string { return m.dir }

// Run runs a tmux command on this server and returns its output.
func (m *Tmux) Run(args ...string) string { m.t.Helper(); return m.RunInput("", args...) }

// RunInput is Run with stdin (load-buffer -: secrets never go in arguments).
func (m *Tmux) RunInput(stdin string, args ...string) string {
	m.t.Helper()
	// Bounded: a tmux that hangs fails the test instead of holding it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "tmux", append([]string{"-S", m.sock, "-f", "/dev/null"}, args...)...)
	c.Stdin = strings.NewReader(stdin)
	out, err := c.CombinedOutput()
	if err != nil {
		m.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// WaitFor captures the pane with capture (e.g. m.Run("capture-pane", …))
// until it shows every string in want, or fails the test after d.
func (m *Tmux) WaitFor(capture func() string, d time.Duration, want ...string) string {
	m.t.Helper()
	poll := m.Poll
	if poll <= 0 {
		poll = 50 * time.Millisecond
	}
	deadline := time.Now().Add(d)
	for {
		s := capture()
		if containsAll(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("timed out waiting for %q; screen:\n%s", want, s)
		}
		time.Sleep(poll) // polling the pane for a condition
	}
}

func containsAll(s string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
