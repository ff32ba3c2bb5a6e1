package flows

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// Discovery from a protected resource (the MCP endpoint): its 401 names the
// resource metadata, which names the authorization server.
func TestFlowSandboxDiscoverFromResource(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	f, err := New(Config{Client: env.c, Target: env.srv.URL() + "/api/experimental/mcp/http"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := f.Run(testCtx(t), StepDiscover)
	if r.Status == StatusFailed {
		t.Fatalf("discover: %v", r.Err)
	}
	if f.Snapshot().Issuer != env.srv.URL() {
		t.Fatalf("issuer %q", f.Snapshot().Issuer)
	}
	// Coder names its access URL as the resource of its MCP endpoint: a
	// warning (RFC 9728 §3.3 wants the URL requested), not a failure.
	if !hasFinding([]StepResult{r}, "pr.authorization_servers", SeverityPass) || !hasFinding([]StepResult{r}, "pr.resource", SeverityWarn) {
		t.Fatalf("findings %+v", r.Findings)
	}
}

// Dynamic client registration where the server offers it, then the whole flow.
func TestFlowSandboxRegister(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]sandbox.Options{
		"v2.30":       {Compat: sandbox.CompatV230},
		"main+dcr-on": {Compat: sandbox.CompatMain, EnableDCR: true},
	} {
		t.Run(name, func(t *testing.T) {
			env := startSandboxWith(t, opts)
			f, err := New(Config{Client: env.c, ClientMode: ClientRegister, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, r := range f.RunAll(testCtx(t)) {
				if r.Status == StatusFailed {
					t.Fatalf("%s: %v", r.Step, r.Err)
				}
			}
			if r := f.Result(StepCleanup); r.Status != StatusPassed {
				t.Fatalf("cleanup %s %s", r.Status, r.Verdict)
			}
		})
	}
}

// On main with DCR off there is no registration_endpoint: the client step
// says so instead of guessing a URL.
func TestFlowSandboxRegisterOff(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c, ClientMode: ClientRegister})
	defer f.Close()
	ctx := testCtx(t)
	f.Run(ctx, StepDiscover)
	if r := f.Run(ctx, StepClient); r.Status != StatusFailed || !strings.Contains(r.Err.Error(), "registration") {
		t.Fatalf("client = %s %v", r.Status, r.Err)
	}
}

// The SSH path: the browser is elsewhere, the user pastes the redirect URL.
func TestFlowSandboxPasteRedirect(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	var f *Flow
	// The "other machine" completes consent and hands back the address bar's URL.
	open := func(authURL string) error {
		go func() {
			loc, err := ConsentRedirect(context.Background(), env.c, authURL)
			if err != nil {
				t.Errorf("consent: %v", err)
				return
			}
			if err := f.PasteRedirect("http://evil.example/callback?" + loc.RawQuery); !errors.Is(err, ErrWrongHost) {
				t.Errorf("foreign paste: %v", err)
			}
			if err := f.PasteRedirect(loc.String()); err != nil {
				t.Errorf("paste: %v", err)
			}
		}()
		return nil
	}
	var err error
	f, err = New(Config{Client: env.c, Consent: ConsentBrowser, OpenBrowser: open, CallbackURL: "http://127.0.0.1:0/callback",
		ListenTimeout: 10 * time.Second, Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange, StepUse)
}

// Cancelling the context while the flow waits for the browser closes the
// listener; Close then deletes the app the flow created.
func TestFlowCancelClosesEverything(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	ctx, cancel := context.WithCancel(context.Background())
	opened := make(chan struct{})
	var f *Flow
	f, err := New(Config{Client: env.c, Consent: ConsentBrowser, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true,
		OpenBrowser: func(string) error { close(opened); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare)
	done := make(chan StepResult)
	go func() { done <- f.Run(ctx, StepAuthorize) }()
	<-opened
	addr := f.Snapshot().Listener.Addr
	cancel()
	r := <-done
	// Cancelled, not failed: the step can run again, and a saved flow
	// leaves the stopped attempt out.
	if r.Status != StatusPending || r.Err != nil || !strings.HasPrefix(r.Verdict, "cancelled at ") {
		t.Fatalf("authorize after cancel = %s %v %q", r.Status, r.Err, r.Verdict)
	}
	if saved, _ := f.Saved(time.Now()); len(saved.Steps) != 3 {
		t.Fatalf("the saved flow has %d steps, want the 3 that ran", len(saved.Steps))
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("listener still open after cancel")
	}
	appID, _ := f.Credentials()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	assertAppGone(t, env, appID)
}

// Config.Context bounds the whole flow: when it ends, the created app goes.
func TestFlowContextEndsFlow(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	life, end := context.WithCancel(context.Background())
	f, err := New(Config{Client: env.c, Context: life, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient)
	appID, _ := f.Credentials()
	end()
	deadline := time.Now().Add(5 * time.Second)
	for !f.isClosed() || !f.state().cleaned {
		if time.Now().After(deadline) {
			t.Fatal("the flow did not close itself")
		}
		time.Sleep(10 * time.Millisecond)
	}
	assertAppGone(t, env, appID)
}

func assertAppGone(t *testing.T, env sandboxEnv, appID string) {
	t.Helper()
	_, err := env.c.App(context.Background(), appID)
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 {
		t.Fatalf("app after Close: %v", err)
	}
}

// v2.30 ignores HTTP Basic: forcing client_secret_basic gives "Missing
// client_id parameter", which the explainer attributes to Basic.
func TestFlowSandboxBasicOnV230(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	f, _ := New(Config{Client: env.c, AuthMethod: AuthBasic, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare, StepAuthorize)
	r := f.Run(ctx, StepExchange)
	if r.Status != StatusFailed || r.Explain == nil || !strings.Contains(r.Explain.Cause, "Basic") {
		t.Fatalf("exchange = %s %v %+v", r.Status, r.Err, r.Explain)
	}
}

// Steps refuse to run out of order, and a closed flow runs nothing.
func TestFlowOrderAndClose(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c})
	if r := f.Run(context.Background(), StepExchange); !errors.Is(r.Err, ErrStepOrder) {
		t.Fatalf("out of order: %v", r.Err)
	}
	if _, err := f.Request(StepExchange); !errors.Is(err, ErrStepOrder) {
		t.Fatalf("preview out of order: %v", err)
	}
	if err := f.EditRequest(StepPrepare, func(*Request) {}); err == nil {
		t.Fatal("prepare has no editable request")
	}
	_ = f.Close()
	if r := f.Run(context.Background(), StepDiscover); r.Err == nil {
		t.Fatal("a closed flow ran a step")
	}
	if _, err := New(Config{Client: env.c, CallbackURL: "http://example.com:9876/cb"}); !errors.Is(err, ErrNotLoopback) {
		t.Fatalf("non-loopback callback: %v", err)
	}
}

// AutoConsent without a session is "not logged in" (303 to /login), and the
// provider switched off is explained as such.
func TestAutoConsentOutcomes(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	for _, id := range []StepID{StepDiscover, StepClient, StepPrepare} {
		f.Run(ctx, id)
	}
	authURL := f.Snapshot().AuthURL
	_, err := AutoConsent(ctx, env.c.WithSessionToken(""), authURL, Expect{})
	if !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("no session: %v", err)
	}
	if e := Explain(err); e.Code != "session" {
		t.Fatalf("explain %+v", e)
	}
	cb, err := AutoConsent(ctx, env.c, authURL, Expect{State: "wrong"})
	if !errors.Is(err, ErrStateMismatch) || cb.Code != "" {
		t.Fatalf("state mismatch: %v", err)
	}

	off, err := sandbox.Start(ctx, sandbox.Options{ProviderDisabled: true})
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	oc, _ := client.New(off.URL(), off.AdminSessionToken(), client.Options{Timeout: 5 * time.Second})
	_, err = AutoConsent(ctx, oc, off.URL()+"/oauth2/authorize?client_id=x&response_type=code", Expect{})
	var pd *client.ProviderDisabledError
	if !errors.As(err, &pd) || Explain(err).Code != "provider-disabled" {
		t.Fatalf("disabled provider: %v", err)
	}
}

// Running the client step twice deletes the first app instead of orphaning it.
func TestFlowRepeatClientStep(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	f.Run(ctx, StepDiscover)
	f.Run(ctx, StepClient)
	first, _ := f.Credentials()
	if r := f.Run(ctx, StepClient); r.Status != StatusPassed {
		t.Fatalf("second client step: %s %v", r.Status, r.Err)
	}
	second, _ := f.Credentials()
	if first == second {
		t.Fatal("no new app")
	}
	assertAppGone(t, env, first)
	_ = f.Close()
	assertAppGone(t, env, second)
}

// A public client (RFC 7591 with auth method none) on newer Coder: no
// secret anywhere, PKCE carries the exchange, refresh and revoke still work.
func TestFlowSandboxPublicClient(t *testing.T) {
	t.Parallel()
	env := startSandboxWith(t, sandbox.Options{Compat: sandbox.CompatMain, EnableDCR: true})
	f, _ := New(Config{Client: env.c, ClientMode: ClientRegister, AuthMethod: AuthNone, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	for _, r := range f.RunAll(testCtx(t)) {
		if r.Status == StatusFailed {
			t.Fatalf("%s: %v %+v", r.Step, r.Err, r.Explain)
		}
	}
	if _, secret := f.Credentials(); secret != "" {
		t.Fatal("a public client got a secret")
	}
	if req := f.Result(StepExchange).Request; req == nil || req.Params.Has("client_secret") || req.Params.Get("client_id") == "" {
		t.Fatalf("exchange request %+v", req)
	}
}
