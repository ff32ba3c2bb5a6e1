package ui

import (
	"strings"
	"testing"

	"oauthdeck/flows"
	"oauthdeck/sandbox"
)

// The exchange request's headers can be edited: Basic's Authorization is
// a masked row, an added "Name: value" row is a header, and esc on a
// changed request asks before the change is lost.
func TestFlowEditorHeadersAndDiscard(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 120, 34)
	l.startFlow(nil)
	for range 4 { // discover, client, prepare, authorize
		l.key("enter")
		l.waitFor("step", func() bool { return l.idle() && l.flowTab().run.running == "" })
	}
	l.key("e")
	l.waitScreen("Edit the exchange request", "Authorization:")
	if strings.Contains(l.screen(), "Basic ") && !strings.Contains(l.screen(), "Basic ••") {
		t.Fatalf("the Basic credential is not masked:\n%s", l.screen())
	}
	// A change, then esc: asked, kept on n, lost on y.
	l.key("a")
	l.typeText("X-Oauthdeck-Probe: 1")
	l.key("enter")
	l.waitScreen("X-Oauthdeck-Probe:")
	l.key("esc")
	l.waitScreen("Discard your changes?")
	l.key("n")
	l.waitScreen("X-Oauthdeck-Probe:")
	l.key("esc")
	l.waitScreen("Discard your changes?")
	l.key("y")
	l.waitFor("editor closed", func() bool { _, open := l.m.top().(*flowEditor); return !open })
	if l.flowTab().run.edited[flows.StepExchange] {
		t.Fatal("a discarded edit was kept")
	}

	// Saved, the header is sent with the exchange.
	l.key("e")
	l.waitScreen("Edit the exchange request")
	l.key("a")
	l.typeText("X-Oauthdeck-Probe: 1")
	l.key("enter")
	l.send(keyMsg("ctrl+s"))
	l.waitScreen("exchange ✎")
	l.key("enter")
	l.waitFor("exchange", func() bool { return l.idle() && l.stepStatus(flows.StepExchange) == flows.StatusPassed })
	sent := false
	for _, ex := range l.flowTab().run.steps[stepIndex(flows.StepExchange)].Exchanges {
		sent = sent || ex.RequestHeader.Get("X-Oauthdeck-Probe") == "1"
	}
	if !sent {
		t.Fatal("the added header was not sent")
	}
}
