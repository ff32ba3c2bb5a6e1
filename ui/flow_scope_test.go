package ui

import (
	"testing"

	"oauthdeck/sandbox"
)

// The Scope field completes from the server's scopes_supported (→ takes
// the suggestion), word by word, and says which typed scope the server
// does not list.
func TestFlowFormCompletesScopes(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 140, 34)
	l.send(switchTabMsg{screenFlow})
	l.key("n")
	l.waitScreen("Set up an authorization-code flow")
	l.key("tab", "tab", "tab")
	l.waitScreen("▸ Scope", "completes from the server's scopes_supported")
	form, ok := l.m.top().(*flowOptionsForm)
	if !ok {
		t.Fatalf("form not on top: %T", l.m.top())
	}
	l.typeText("user:read_p")
	l.key("right")
	if got := form.scope.value(); got != "user:read_personal" {
		t.Fatalf("after →: %q", got)
	}
	l.typeText(" user:upd")
	l.key("right")
	if got := form.scope.value(); got != "user:read_personal user:update_personal" {
		t.Fatalf("second word after →: %q", got)
	}
	l.typeText(" no:such")
	l.waitScreen("not in scopes_supported: no:such")
}
