package ui

import "testing"

// The demo's Audit tab as a person uses it in a real terminal: run the
// audit, read a finding, prune the unused dynamically registered app after
// the confirmation, quit; the terminal is restored.
func TestE2EAuditAndPrune(t *testing.T) {
	bin := oauthdeckBinary(t)
	tm := startTmux(t, 100, 30, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, bin, "demo")
	tm.waitFor("1 Deployments", "7 Audit")
	tm.keys("7")
	tm.waitFor("r audits every app and secret")
	tm.keys("r")
	tm.waitFor("1 high", "redirect.http-remote", "legacy-portal", "fix: use https")
	tm.keys("j")
	tm.waitFor("app.dcr-unused", "registered itself (DCR)")
	tm.keys("p")
	tm.waitFor("Prune 1 unused dynamically registered app?", "claude-code")
	tm.keys("y")
	tm.waitFor("Audit done", "15 apps")
	tm.keys("2")
	tm.waitFor("15 of 15")
	tm.keys("q")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s; screen:\n%s", code, tm.capture())
	}
	tm.requireRestored()
}
