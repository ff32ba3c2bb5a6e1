package ui

import (
	"bufio"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// End-to-end tests of the Flow screen: the real binary in a real terminal
// (tmux), driven by keystrokes, asserting on what the user sees.

// openFlowForm goes to the Flow tab of a connected console and opens the form.
func openFlowForm(p *tmuxSession) {
	p.t.Helper()
	p.waitFor("4 Flow", "admin@")
	p.keys("4")
	p.waitFor("Guided authorization-code flow", "Press n")
	p.keys("n")
	p.waitFor("Set up an authorization-code flow")
}

// requireNoFrame checks the console's frame left the terminal with it.
func requireNoFrame(t *testing.T, p *tmuxSession) {
	t.Helper()
	if screen := p.capture(); strings.Contains(screen, "Token inspector") || strings.Contains(screen, "1 Deployments") {
		t.Fatalf("the console's frame is still on the terminal:\n%s", screen)
	}
}

// The demo, start to finish: the guided flow with automatic consent, the
// token in the inspector, refresh, use, revoke, quit; terminal restored.
func TestFlowE2EDemoAutoConsent(t *testing.T) {
	t.Parallel()
	bin := e2eBinary(t)
	p := startTmux(t, 100, 30, nil, bin, "demo")
	openFlowForm(p)
	p.keys("C-s")
	p.waitFor("new app · auto consent")
	p.keys("a")
	p.waitFor("Token inspector", "✓ live", "Last action: use", "token works")
	p.keys("R")
	p.waitFor("Last action: refresh", "rotated")
	p.keys("u")
	p.waitFor("Last action: use")
	p.keys("x")
	p.waitFor("revoked — proven dead", "Last action: revoke")
	p.keys("q")
	if code := p.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	p.requireRestored()
	requireNoFrame(t, p)
}

// Resizing the terminal while the authorize step waits (paste mode, so no
// browser is started): the layout follows, too small shows a notice, and
// the flow survives; esc then cancels the waiting step.
func TestFlowE2EResizeDuringFlow(t *testing.T) {
	t.Parallel()
	bin := e2eBinary(t)
	p := startTmux(t, 100, 30, nil, bin, "demo")
	openFlowForm(p)
	p.keys("Tab", "Right", "Right")
	p.waitFor("(●) paste redirect URL")
	p.keys("C-s")
	p.waitFor("new app · paste consent")
	p.keys("a")
	p.waitFor("redirect URL ›", "waiting for the callback", "left")
	for _, size := range [][2]string{{"80", "24"}, {"61", "17"}, {"40", "10"}, {"120", "40"}} {
		p.run("resize-window", "-t", "e2e", "-x", size[0], "-y", size[1])
		if size[0] == "40" {
			p.waitFor("Terminal too small")
		} else {
			p.waitFor("Flow", "authorize")
		}
	}
	p.waitFor("waiting for the callback")
	p.keys("Escape") // leaves the paste prompt
	p.keys("Escape") // cancels the step: cancelled, not failed
	p.waitFor("authorize cancelled at")
	p.keys("q")
	if code := p.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	p.requireRestored()
	requireNoFrame(t, p)
}

// The deployment dies between two steps: the next step that needs it fails
// with a clear message, and the console stays usable.
func TestFlowE2EServerDiesMidFlow(t *testing.T) {
	t.Parallel()
	bin := e2eBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "sandbox")
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	env := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(env) < 2 && sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	if env["CODER_URL"] == "" || env["CODER_SESSION_TOKEN"] == "" {
		t.Fatalf("sandbox printed %v", env)
	}
	dir := t.TempDir()
	// The session token travels in the environment, never in arguments.
	p := startTmux(t, 100, 30, []string{"CODER_URL=" + env["CODER_URL"], "CODER_SESSION_TOKEN=" + env["CODER_SESSION_TOKEN"]},
		bin, "--keyring-file", filepath.Join(dir, "secrets"))
	openFlowForm(p)
	p.keys("C-s")
	p.waitFor("new app · auto consent")
	p.keys("Enter")
	p.waitFor("✓ discover")
	p.keys("Enter")
	p.waitFor("✓ client")
	_ = srv.Process.Kill()
	_ = srv.Wait()
	p.keys("Enter") // prepare: local only
	p.waitFor("✓ prepare")
	p.keys("Enter")
	p.waitFor("✗ authorize", "Cannot reach the deployment")
	p.keys("Down")
	p.waitFor("Exchange the code")
	p.keys("q")
	if code := p.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	p.requireRestored()
	requireNoFrame(t, p)
}

// The conformance suite from the Check tab of the demo: results fill the
// table, enter shows a check's evidence, the console quits cleanly.
func TestCheckE2EDemoSuite(t *testing.T) {
	t.Parallel()
	bin := e2eBinary(t)
	p := startTmux(t, 100, 30, nil, bin, "demo")
	p.waitFor("5 Check", "admin@")
	p.keys("5")
	p.waitFor("Conformance suite", "r runs")
	p.keys("r")
	p.waitForWithin(60*time.Second, "Suite done")
	p.waitFor("✓ pass")
	p.keys("Enter")
	p.waitFor("Evidence 1", "Basis")
	p.keys("Escape")
	p.waitFor("Conformance suite")
	p.keys("q")
	if code := p.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	p.requireRestored()
	requireNoFrame(t, p)
}
