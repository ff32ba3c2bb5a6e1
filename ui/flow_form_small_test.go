package ui

import (
	"strings"
	"testing"

	"oauthdeck/sandbox"
)

// At 80×24 the flow setup form still says how to start it, on the form and
// in the status bar (where ? types: a form has the keys), and the focused field stays in view as focus moves.
func TestFlowFormFitsAt80x24(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 80, 24)
	l.send(switchTabMsg{screenFlow})
	l.key("n")
	l.waitScreen("Set up an authorization-code flow", "▸ Client", "more field(s) below", "enter on the last field: start", "ctrl+s start")
	for _, field := range []string{"Consent", "Resource (RFC 8707)", "Scope", "Redirect URI", "Client authentication", "Delete the created client", "Start discovery at"} {
		l.key("tab")
		l.waitScreen("▸ "+field, "enter on the last field: start", "ctrl+s start")
	}
	s := l.screen()
	if !strings.Contains(s, "more field(s) above") {
		t.Fatalf("the window did not move with the focus:\n%s", s)
	}
	if n := strings.Count(s, "\n") + 1; n > 24 {
		t.Fatalf("%d lines on a 24-line terminal", n)
	}
}
