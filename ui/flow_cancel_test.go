package ui

import (
	"strings"
	"testing"

	"oauthdeck/flows"
	"oauthdeck/sandbox"
)

// Esc while authorize waits for the browser cancels the step: it says
// "cancelled", never "failed … context canceled", and can run again.
// With paste consent nothing claims a browser was opened.
func TestFlowCancelledStepSaysCancelled(t *testing.T) {
	prev := openBrowser
	openBrowser = func(string) error { return nil } // a browser that never comes back
	t.Cleanup(func() { openBrowser = prev })
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 120, 34)
	l.startFlow(func() {
		l.key("tab", "right")
		l.waitScreen("(●) browser")
	})
	l.key("a")
	l.waitScreen("waiting for the callback")
	l.key("esc")
	l.waitFor("authorize cancelled", func() bool {
		return l.idle() && l.flowTab().run.running == "" && l.stepStatus(flows.StepAuthorize) == flows.StatusPending
	})
	l.waitScreen("cancelled at")
	if s := l.screen(); strings.Contains(s, "context canceled") || strings.Contains(s, "✗") || strings.Contains(s, "failed") {
		t.Fatalf("a cancelled step reads as a failure:\n%s", s)
	}
	if got := l.flowTab().run.steps[stepIndex(flows.StepAuthorize)].Verdict; !strings.HasPrefix(got, "cancelled at ") {
		t.Fatalf("verdict %q", got)
	}

	l.key("n")                                                       // a new flow, with paste consent
	l.waitScreen("Set up an authorization-code flow", "(●) browser") // the last flow's choice
	l.key("tab", "right")
	l.waitScreen("(●) paste redirect URL")
	l.send(keyMsg("ctrl+s"))
	l.waitScreen("paste consent")
	l.key("a")
	l.waitScreen("redirect URL ›", "paste the URL it lands on")
	if s := l.screen(); strings.Contains(s, "system browser") {
		t.Fatalf("paste consent claims a browser was opened:\n%s", s)
	}
}

// A flow set up from Apps (f, :flow) while a step runs does not replace
// the running flow, as n on the Flow tab does not.
func TestFlowOptionsWhileAStepRuns(t *testing.T) {
	t.Parallel()
	s, _ := newUnitFlowScreen(t)
	run := s.run
	s.run.running = flows.StepAuthorize
	cmd := s.Update(flowOptionsMsg{flowOptions{Mode: flows.ClientCreate, Consent: consentAuto}})
	if s.run != run {
		t.Fatal("the running flow was replaced")
	}
	if n, ok := cmd().(noticeMsg); !ok || !strings.Contains(n.text, "step is running") {
		t.Fatalf("no notice: %#v", cmd())
	}
}
