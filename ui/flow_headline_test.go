package ui

import (
	"testing"

	"oauthdeck/sandbox"
)

// The header follows the flow as run: an edited scope of the
// authorization request shows there, with the step marked edited.
func TestFlowHeaderFollowsEdits(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 140, 34)
	l.startFlow(nil)
	l.waitScreen("new app · auto consent · resource deployment URL")
	for range 3 { // discover, client, prepare
		l.key("enter")
		l.waitFor("step", func() bool { return l.idle() && l.flowTab().run.running == "" })
	}
	l.key("e")
	l.waitScreen("Edit the authorize request")
	l.key("a")
	l.typeText("scope=user:read_personal")
	l.key("enter")
	l.send(keyMsg("ctrl+s"))
	l.waitScreen("· ✎ authorize")
	l.key("enter")
	l.waitFor("authorize", func() bool { return l.idle() && l.flowTab().run.running == "" })
	l.waitScreen("scope user:read_personal (edited)")
}
