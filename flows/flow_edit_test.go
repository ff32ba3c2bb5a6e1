package flows

import (
	"errors"
	"strings"
	"testing"

	"oauthdeck/sandbox"
)

// Newer Coder reports authorization errors to the callback: an edited
// response_type reaches the listener as ?error=…&state=…, which the flow
// shows as the server's error and explains.
func TestFlowSandboxErrorCallback(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare)
	if err := f.EditRequest(StepAuthorize, func(r *Request) { r.Params.Set("response_type", "token") }); err != nil {
		t.Fatal(err)
	}
	r := f.Run(ctx, StepAuthorize)
	var ce *CallbackError
	// A deliberate negative edit, refused as it should: not a failure.
	if r.Status != StatusRefused || r.Err != nil || !errors.As(r.Refusal, &ce) || !errors.Is(r.Refusal, ErrAuthorization) || ce.Code != "unsupported_response_type" {
		t.Fatalf("authorize = %s %v %v", r.Status, r.Err, r.Refusal)
	}
	if !strings.HasPrefix(r.Verdict, "refused as it should (the code flow only): unsupported_response_type") {
		t.Fatalf("verdict %q", r.Verdict)
	}
	if r.Explain == nil || !strings.Contains(r.Explain.Basis, "RFC 6749 §3.1.1") || !strings.Contains(r.Explain.Cause, "response_type other than code") {
		t.Fatalf("explanation %+v", r.Explain)
	}
	if ls := f.Snapshot().Listener; ls == nil || !ls.Received || !ls.StateOK || !ls.Closed {
		t.Fatalf("listener %+v", ls)
	}
	// Undo the edit: the same step now succeeds.
	f.ResetRequest(StepAuthorize)
	if r := f.Run(ctx, StepAuthorize); r.Status != StatusPassed {
		t.Fatalf("authorize after reset = %s %v", r.Status, r.Err)
	}
}

// Every step's request can be previewed once its inputs exist, and the
// redacted form hides every secret.
func TestFlowRequestPreviews(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange)
	_, secret := f.Credentials()
	toks, _ := f.Tokens()
	secrets := []string{secret, toks.AccessToken, toks.RefreshToken, env.srv.AdminSessionToken()}
	for _, id := range StepIDs() {
		req, err := f.Request(id)
		if id == StepPrepare || id == StepInspect {
			if err == nil {
				t.Errorf("%s has no request of its own", id)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		red := req.Redacted()
		text := red.FullURL() + red.Params.Encode()
		for _, vs := range red.Header {
			text += strings.Join(vs, " ")
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("%s: redacted request shows a secret: %s", id, text)
			}
		}
	}
	ex, _ := f.Request(StepExchange)
	for _, k := range []string{"grant_type", "code", "code_verifier", "redirect_uri", "resource", "client_id", "client_secret"} {
		if !ex.Params.Has(k) {
			t.Errorf("exchange request lacks %s", k)
		}
	}
	if ex.Params.Get("redirect_uri") != f.Snapshot().RedirectURI || ex.Params.Get("resource") != env.srv.URL() {
		t.Errorf("exchange redirect_uri/resource differ from authorize: %v", ex.Params)
	}
}

// An authorize request edited to carry no resource: the exchange follows
// it (RFC 8707 wants the same at both), the snapshot says what was sent, and
// the token works on the deployment.
func TestFlowEditedResourceCarriesToExchange(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare)
	if err := f.EditRequest(StepAuthorize, func(r *Request) { r.Params.Del("resource") }); err != nil {
		t.Fatal(err)
	}
	if r := f.Run(ctx, StepAuthorize); r.Status == StatusFailed {
		t.Fatalf("authorize: %v", r.Err)
	}
	if res := f.Snapshot().Resource; res != "" {
		t.Errorf("snapshot says resource %q was sent", res)
	}
	if ex, _ := f.Request(StepExchange); ex.Params.Has("resource") {
		t.Errorf("exchange sends a resource the authorization request did not: %v", ex.Params.Get("resource"))
	}
	runSteps(t, ctx, f, StepExchange, StepUse)
}
