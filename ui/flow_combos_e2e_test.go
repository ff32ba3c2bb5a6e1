package ui

import "testing"

// Each demo flow with automatic consent reaches a token in a real
// terminal: with the seeded app cli-tool (its secret kept by the demo),
// with a new app, and with dynamic registration.
//
// Not parallel: the flow with cli-tool listens on its registered callback,
// 127.0.0.1:9876, which another such test would hold.
func TestFlowE2EDemoClientChoices(t *testing.T) {
	for _, c := range []struct {
		name   string
		pick   func(p *tmuxSession)
		header string
	}{
		{"existing app", pickDemoCliTool, "app cli-tool · auto consent"},
		{"new app", func(p *tmuxSession) { openFlowForm(p) }, "new app · auto consent"},
		{"dynamic registration", func(p *tmuxSession) {
			openFlowForm(p)
			p.keys("Right")
			p.waitFor("(●) dynamic registration")
		}, "DCR client · auto consent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := startTmux(t, 110, 32, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, oauthdeckBinary(t), "demo")
			c.pick(p)
			p.keys("C-s")
			p.waitFor(c.header)
			p.keys("a")
			p.waitFor("Token inspector", "✓ live", "token works")
			p.keys("q")
			if code := p.exitCode(); code != "0" {
				t.Fatalf("exit code %s", code)
			}
			p.requireRestored()
		})
	}
}

// pickDemoCliTool selects the demo's cli-tool (its secret kept) on the Apps
// tab and opens the flow form with it as the client.
func pickDemoCliTool(p *tmuxSession) {
	p.keys("2")
	p.waitFor("16 of 16")
	p.keys("/")
	p.text("cli-tool")
	p.keys("Enter")
	p.waitFor("1 of 16")
	openFlowForm(p)
	p.keys("Left")
	p.waitFor("(●) app cli-tool")
}
