package ui

import "testing"

// The command line in a real terminal: ':audit', ':fl' completed with tab,
// then [ back to the Audit tab; q quits and the terminal is restored.
func TestE2ECommandLine(t *testing.T) {
	t.Parallel()
	bin := oauthdeckBinary(t)
	tm := startTmux(t, 100, 30, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, bin, "demo")
	tm.waitFor("1 Deployments")
	tm.keys(":")
	tm.text("audit")
	tm.keys("Enter")
	tm.waitFor("r audits every app and secret")
	tm.keys(":")
	tm.text("fl")
	tm.keys("Tab")
	tm.waitFor(":flow")
	tm.keys("Enter")
	tm.waitFor("Guided authorization-code flow")
	tm.keys("[")
	tm.waitFor("r audits every app and secret")
	tm.keys("q")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s; screen:\n%s", code, tm.capture())
	}
	tm.requireRestored()
}
