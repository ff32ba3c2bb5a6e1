package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/sandbox"
)

// idle reports that no step runs and no run-to-token is pending.
func (l *flowLoop) idle() bool {
	r := l.flowTab().run
	return r != nil && r.running == "" && r.runTo == ""
}

func (l *flowLoop) stepStatus(id flows.StepID) flows.Status {
	return l.flowTab().run.steps[stepIndex(id)].Status
}

// startFlow opens the Flow tab and starts a flow with the form's defaults
// after adjust (keys typed into the form) has run.
func (l *flowLoop) startFlow(adjust func()) {
	l.t.Helper()
	l.send(switchTabMsg{screenFlow})
	l.waitScreen("Guided authorization-code flow", "Press n")
	l.key("n")
	l.waitScreen("Set up an authorization-code flow")
	if adjust != nil {
		adjust()
	}
	l.send(keyMsg("ctrl+s"))
	l.waitScreen("Flow ready")
}

// The whole guided flow against a real sandbox: options form, run to the
// token with automatic consent, then the inspector's refresh, use and
// revoke, and the cleanup step. Secrets stay masked until revealed.
func TestFlowSandboxAutoConsent(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandboxFor(t, sandbox.Options{Compat: compat})
			l := newFlowLoop(t, srv, 100, 30)
			l.startFlow(nil)
			l.key("a")
			l.waitFor("token in hand", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
			for _, id := range []flows.StepID{flows.StepDiscover, flows.StepClient, flows.StepPrepare, flows.StepAuthorize, flows.StepExchange, flows.StepInspect, flows.StepUse} {
				if st := l.stepStatus(id); st != flows.StatusPassed && st != flows.StatusWarned {
					t.Fatalf("step %s is %s:\n%s", id, st, l.screen())
				}
			}
			access := l.flowTab().run.tokens.AccessToken
			l.waitScreen("Token inspector", "✓ live", "Last action: use", "token works")
			if strings.Contains(l.screen(), access) {
				t.Fatal("the access token is on screen before reveal")
			}
			l.key("v")
			if !strings.Contains(l.screen(), access) {
				t.Fatalf("reveal does not show the access token:\n%s", l.screen())
			}
			l.key("v")

			l.key("R")
			l.waitFor("refresh", func() bool { return l.idle() && l.stepStatus(flows.StepRefresh) != flows.StatusPending })
			if st := l.stepStatus(flows.StepRefresh); st != flows.StatusPassed {
				t.Fatalf("refresh %s:\n%s", st, l.screen())
			}
			if l.flowTab().run.tokens.AccessToken == access {
				t.Fatal("refresh did not replace the access token")
			}
			l.waitScreen("Last action: refresh", "rotated")

			l.key("u")
			l.waitFor("use", func() bool { return l.idle() && l.flowTab().run.lastToken == flows.StepUse })
			l.waitScreen("Last action: use", "token works")

			l.key("x")
			l.waitFor("revoke", func() bool { return l.idle() && l.stepStatus(flows.StepRevoke) != flows.StatusPending })
			if st := l.stepStatus(flows.StepRevoke); st != flows.StatusPassed {
				t.Fatalf("revoke %s:\n%s", st, l.screen())
			}
			l.waitScreen("revoked — proven dead", "Last action: revoke")

			// A token the console revoked is refused, as it should be, and
			// said so: revoked by you, not "expired or unknown".
			l.key("R")
			l.waitFor("refresh after revoke", func() bool { return l.idle() && l.stepStatus(flows.StepRefresh) == flows.StatusRefused })
			l.waitScreen("✓ refused as it should: revoked by you", "start a new flow")

			// Cleanup deletes the app the flow created.
			l.key("G", "up")
			l.key("enter")
			l.waitFor("cleanup", func() bool { return l.idle() && l.stepStatus(flows.StepCleanup) != flows.StatusPending })
			if st := l.stepStatus(flows.StepCleanup); st != flows.StatusPassed {
				t.Fatalf("cleanup %s:\n%s", st, l.screen())
			}
		})
	}
}

// Editing the exchange request before sending it: dropping code_verifier
// makes the server refuse the code, which is what the edit tests: the step
// says "refused as it should" and why.
func TestFlowSandboxEditRequest(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 100, 30)
	l.startFlow(nil)
	for _, want := range []flows.StepID{flows.StepClient, flows.StepPrepare, flows.StepAuthorize, flows.StepExchange} {
		l.key("enter")
		l.waitFor(string(want)+" next", func() bool { return l.idle() && l.flowTab().run.current == want })
	}
	if got := flowSteps[l.flowTab().list.cursor]; got != flows.StepExchange {
		t.Fatalf("selection did not walk on to exchange: %s", got)
	}
	l.key("e")
	l.waitScreen("Edit the exchange request", "code_verifier")
	ed, ok := l.m.top().(*flowEditor)
	if !ok {
		t.Fatalf("editor not on top: %T", l.m.top())
	}
	for ed.rows[ed.list.cursor].key != "code_verifier" {
		l.key("down")
	}
	l.key("d")
	// Add a parameter too, to see it sent.
	l.key("a")
	l.typeText("extra=1")
	l.key("enter")
	l.key("s")
	l.waitScreen("exchange ✎", "Request to send (edited)", "extra = 1")
	if strings.Contains(l.screen(), "code_verifier") {
		t.Fatalf("code_verifier still in the edited request:\n%s", l.screen())
	}
	l.key("enter")
	// A deliberate negative test, refused as it should: not a failure.
	l.waitFor("exchange result", func() bool { return l.idle() && l.stepStatus(flows.StepExchange) == flows.StatusRefused })
	l.waitScreen("✓ exchange", "refused as it should (PKCE verifier checked)", "Missing required parameter: code_verifier")
	l.waitScreen("4 passed", "1 refused as asked", "1 sent edited") // the run's tally under the steps
	if strings.Contains(l.screen(), "✗") {
		t.Fatalf("a refusal the edit asked for is shown as a failure:\n%s", l.screen())
	}
	l.send(tea.KeyPressMsg{Code: tea.KeyPgDown})
	l.waitScreen("Cause", "Fix")

	// The edit stays until reset; a bad URL is refused in the editor.
	l.key("e")
	l.waitScreen("Edit the exchange request")
	if strings.Contains(l.screen(), "code_verifier") {
		t.Fatal("the edit did not persist")
	}
	l.key("g", "enter")
	for range 80 {
		l.key("backspace")
	}
	l.typeText("not a url")
	l.key("enter")
	l.waitScreen("the URL must be absolute")
	l.key("esc")
	l.key("R")
	l.waitScreen("request is back to its default")
	detail := ansi.Strip(l.flowTab().vp.GetContent())
	if next := detail[strings.Index(detail, "Next run sends"):]; !strings.Contains(next, "code_verifier") || strings.Contains(next, "extra") {
		t.Fatalf("the next request is not the default one:\n%s", detail)
	}
	if strings.Contains(l.screen(), "exchange ✎") {
		t.Fatalf("reset left the step marked edited:\n%s", l.screen())
	}
	// A fresh code is needed now (the failed exchange consumed it on newer
	// Coder): authorize again, then the default exchange works.
	l.key("up", "enter")
	l.waitFor("authorize again", func() bool { return l.idle() && l.flowTab().run.current == flows.StepExchange })
	l.key("enter")
	l.waitFor("exchange", func() bool { return l.idle() && l.stepStatus(flows.StepExchange) == flows.StatusPassed })
}

// Paste mode (SSH): nothing opens a browser; the authorize step waits with
// the listener's countdown, a wrong URL is refused without ending the wait,
// and the real redirect URL completes it.
func TestFlowSandboxPasteRedirect(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatV230})
	l := newFlowLoop(t, srv, 100, 30)
	l.startFlow(func() {
		l.key("tab", "right", "right")
		l.waitScreen("(●) paste redirect URL")
	})
	l.key("a")
	l.waitFor("paste prompt", func() bool { return l.flowTab().pasting })
	l.waitScreen("redirect URL ›", "waiting for the callback", "left", "bound 127.0.0.1:")
	l.typeText("http://example.com/elsewhere?code=abc&state=x")
	l.key("enter")
	l.waitFor("refusal", func() bool { return strings.Contains(l.screen(), "Pasted URL refused") })
	if l.flowTab().run.running != flows.StepAuthorize {
		t.Fatal("a refused paste ended the authorize step")
	}

	cl, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := flows.ConsentRedirect(context.Background(), cl, l.flowTab().run.authURL)
	if err != nil {
		t.Fatal(err)
	}
	l.key("p")
	l.send(tea.PasteMsg{Content: loc.String()})
	l.key("enter")
	l.waitFor("token in hand", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
	l.waitScreen("✓ authorize", "✓ exchange", "Token inspector")
}

// The deployment going away mid-flow gives a clear message on the step.
func TestFlowSandboxServerDies(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 100, 30)
	l.startFlow(nil)
	for _, want := range []flows.StepID{flows.StepClient, flows.StepPrepare} {
		l.key("enter")
		l.waitFor(string(want)+" next", func() bool { return l.idle() && l.flowTab().run.current == want })
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	l.key("enter") // prepare: local only
	l.waitFor("prepare", func() bool { return l.idle() && l.flowTab().run.current == flows.StepAuthorize })
	l.key("enter")
	l.waitFor("authorize fails", func() bool { return l.idle() && l.stepStatus(flows.StepAuthorize) == flows.StatusFailed })
	l.waitScreen("✗ authorize", "Cannot reach the deployment")
}

// TestFlowCreatedAppShowsInAppsTab: the app a flow creates is in the Apps
// tab without a refresh (the console trial needed r).
func TestFlowCreatedAppShowsInAppsTab(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{})
	l := newFlowLoop(t, srv, 120, 36)
	l.send(switchTabMsg{screenApps})
	l.waitScreen("OAuth2 apps")
	if n := len(l.m.top().(*appsScreen).idx.rows); n != 0 {
		t.Fatalf("%d apps before the flow", n)
	}
	l.startFlow(nil) // a new app, deleted at the end
	l.key("a")
	l.waitFor("token in hand", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
	l.send(switchTabMsg{screenApps})
	l.waitFor("the flow's app in the list", func() bool { return l.idle() && len(l.m.top().(*appsScreen).idx.rows) == 1 })
	if id := l.m.top().(*appsScreen).idx.rows[0].app.ID; id != l.flowTab().run.flow.Snapshot().ClientID {
		t.Fatalf("listed %s, the flow's client is %s", id, l.flowTab().run.flow.Snapshot().ClientID)
	}
}
