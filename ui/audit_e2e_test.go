package ui

import "testing"

// The demo's Audit tab as a person uses it in a real terminal: run the
// audit, read a finding, prune the unused dynamically registered app after
// the confirmation, quit; the terminal is restored.
func TestE2EAuditAndPrune(t *testing.T) {
	t.Parallel()
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

// The rotation wizard in a real terminal, on the demo's cli-tool: create
// (masked), prove, finish after the confirmation; the app is left with one
// secret.
func TestE2ERotationWizard(t *testing.T) {
	t.Parallel()
	bin := oauthdeckBinary(t)
	tm := startTmux(t, 100, 30, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, bin, "demo")
	tm.waitFor("1 Deployments")
	tm.keys("2")
	tm.waitFor("16 of 16")
	tm.keys("/")
	tm.text("cli-tool")
	tm.keys("Enter")
	tm.waitFor("1 of 16")
	tm.keys("Enter")
	tm.waitFor("cli-tool  OAuth2 app", "Client secrets")
	tm.keys("R")
	tm.waitFor("Rotate the client secret of cli-tool")
	tm.keys("Enter")
	tm.waitFor("✓ 1 create", "New secret", "••••")
	tm.keys("Enter")
	tm.waitFor("✓ 2 prove", "revoke with the new secret was accepted", "LAST USED")
	tm.keys("f")
	tm.waitFor("Delete the old secrets of cli-tool?")
	tm.keys("y")
	tm.waitFor("Rotation done: 1 old secret deleted")
	tm.keys("Escape")
	tm.waitFor("cli-tool  OAuth2 app")
	tm.keys("q")
	tm.waitFor("1 of 16")
	tm.keys("q") // clears the filter
	tm.waitFor("16 of 16")
	tm.keys("q")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s; screen:\n%s", code, tm.capture())
	}
	tm.requireRestored()
}
