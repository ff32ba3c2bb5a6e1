package ui

import "testing"

// In a real terminal with the demo: the demo sandbox is a row of the
// Deployments tab; ':flow cli-' completed with tab opens the flow form with
// cli-tool, which reaches a token; f on the Apps tab does the same for the
// selected app.
//
// Not parallel: the flows with cli-tool listen on its registered callback,
// 127.0.0.1:9876, which another such test would hold.
func TestE2EStartFlowWithApp(t *testing.T) {
	p := startTmux(t, 110, 32, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, oauthdeckBinary(t), "demo")
	p.waitFor("unsaved · demo sandbox", "In use: ")
	p.keys(":")
	p.text("flow cli-")
	p.keys("Tab")
	p.waitFor(":flow cli-tool")
	p.keys("Enter")
	p.waitFor("Set up an authorization-code flow", "(●) app cli-tool")
	p.keys("C-s")
	p.waitFor("app cli-tool · auto consent")
	p.keys("a")
	p.waitFor("Token inspector", "✓ live", "token works")

	p.keys("2")
	p.waitFor("16 of 16")
	p.keys("/")
	p.text("ci-runner")
	p.keys("Enter")
	p.waitFor("1 of 16")
	p.keys("f")
	p.waitFor("Set up an authorization-code flow", "(●) app ci-runner")
	p.keys("Escape")
	p.keys("q")
	if code := p.exitCode(); code != "0" {
		t.Fatalf("exit code %s; screen:\n%s", code, p.capture())
	}
	p.requireRestored()
}
