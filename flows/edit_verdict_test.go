package flows

import (
	"errors"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// Where PKCE is optional (v2.30), a request without it is accepted: the
// flow goes on, and the step says the server accepted what it should refuse.
func TestEditAcceptedWithoutPKCEIsFlagged(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare)
	if err := f.EditRequest(StepAuthorize, func(r *Request) { r.Params.Del("code_challenge"); r.Params.Del("code_challenge_method") }); err != nil {
		t.Fatal(err)
	}
	r := f.Run(ctx, StepAuthorize)
	if r.Status != StatusWarned || r.Err != nil {
		t.Fatalf("authorize = %s %v", r.Status, r.Err)
	}
	if !strings.HasPrefix(r.Verdict, "accepted an authorization request without PKCE (PKCE required;") {
		t.Fatalf("verdict %q", r.Verdict)
	}
	if r.Explain == nil || r.Explain.Code != "accepted" || !strings.Contains(r.Explain.Fix, "Require PKCE") {
		t.Fatalf("explanation %+v", r.Explain)
	}
}

// A MUST edit that is accepted fails the step with the edit's own
// explanation; a refusal that is not the server's (a transport failure)
// is left as the failure it is; an edit no rule covers is not judged.
func TestJudgeEdits(t *testing.T) {
	t.Parallel()
	wrongVerifier := []Edit{{Op: "set", Where: "param", Name: "code_verifier", Values: []string{"x"}}}
	res := StepResult{Step: StepExchange}
	err, judged := judgeEdits(&res, nil, wrongVerifier, flowState{})
	if err == nil || !judged || res.Explain == nil || !strings.Contains(res.Explain.Cause, "must refuse") || !strings.Contains(res.Verdict, "RFC 7636 §4.6") {
		t.Fatalf("accepted wrong verifier: %v %v %+v %q", err, judged, res.Explain, res.Verdict)
	}

	res = StepResult{Step: StepExchange}
	transport := errors.New("connection refused")
	if err, judged := judgeEdits(&res, transport, wrongVerifier, flowState{}); !errors.Is(err, transport) || judged || res.Status == StatusRefused {
		t.Fatalf("transport failure judged: %v %v %s", err, judged, res.Status)
	}

	res = StepResult{Step: StepExchange}
	refusal := &client.OAuth2Error{StatusCode: 400, Code: "invalid_grant"}
	if err, judged := judgeEdits(&res, refusal, wrongVerifier, flowState{}); err != nil || !judged || res.Status != StatusRefused || !errors.Is(res.Refusal, refusal) {
		t.Fatalf("refusal: %v %v %s", err, judged, res.Status)
	}
	if res.Verdict != "refused as it should (PKCE verifier checked): invalid_grant (HTTP 400)" {
		t.Fatalf("verdict %q", res.Verdict)
	}

	res = StepResult{Step: StepAuthorize}
	scope := []Edit{{Op: "set", Where: "param", Name: "scope", Values: []string{"all"}}}
	if err, judged := judgeEdits(&res, refusal, scope, flowState{}); !errors.Is(err, refusal) || judged {
		t.Fatal("a scope edit was judged")
	}
}

// A redirect_uri that only changes a loopback port is not a negative edit
// (RFC 8252 §7.3); another path or host is, for a client the flow
// registered; for an existing app the registered list is unknown.
func TestUnregisteredRedirect(t *testing.T) {
	t.Parallel()
	created := flowState{createdAppID: "app", callbackURL: "http://127.0.0.1:4000/callback"}
	set := func(v string) Edit { return Edit{Op: "set", Where: "param", Name: "redirect_uri", Values: []string{v}} }
	for v, want := range map[string]bool{
		"http://127.0.0.1:5000/callback":     false,
		"http://127.0.0.1:4000/other":        true,
		"https://evil.example/callback":      true,
		"http://127.0.0.1:4000/callback?x=1": true,
	} {
		if got := unregistered(set(v), created); got != want {
			t.Errorf("%s: unregistered = %v", v, got)
		}
	}
	if unregistered(set("https://evil.example/callback"), flowState{callbackURL: created.callbackURL}) {
		t.Error("judged for an existing app, whose registered URIs are not known")
	}
}

// Using a token the flow itself revoked is refused as it should be, and
// the verdict says who revoked it and when.
func TestUseAfterRevokeSaysRevokedByYou(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange, StepRevoke)
	if !f.Snapshot().TokensDead {
		t.Fatal("the revoke did not prove the tokens dead")
	}
	for _, id := range []StepID{StepUse, StepRefresh} {
		r := f.Run(ctx, id)
		if r.Status != StatusRefused || r.Refusal == nil || !strings.Contains(r.Verdict, "revoked by you (the revoke step) at ") {
			t.Fatalf("%s after revoke: %s %q %v", id, r.Status, r.Verdict, r.Err)
		}
		if r.Explain == nil || r.Explain.Code != "revoked" {
			t.Fatalf("%s explanation %+v", id, r.Explain)
		}
	}
}

// An edited request's headers are sent as written: an added header
// reaches the server, and a wrong Basic credential is refused as it
// should (client authentication).
func TestEditedHeadersAreSent(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c, Recorder: env.rec, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true, AuthMethod: AuthBasic})
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare, StepAuthorize)
	if err := f.EditRequest(StepExchange, func(r *Request) {
		r.Header.Set("X-Oauthdeck-Probe", "1")
		r.Header.Set("Authorization", "Basic "+BasicAuth("someone", "wrong"))
	}); err != nil {
		t.Fatal(err)
	}
	r := f.Run(ctx, StepExchange)
	if r.Status != StatusRefused || !strings.Contains(r.Verdict, "client authentication") {
		t.Fatalf("exchange = %s %q %v", r.Status, r.Verdict, r.Err)
	}
	sent := false
	for _, ex := range r.Exchanges {
		if ex.Phase == "token" && ex.RequestHeader.Get("X-Oauthdeck-Probe") == "1" {
			sent = true
		}
	}
	if !sent {
		t.Fatalf("the added header never reached the token endpoint: %+v", r.Exchanges)
	}
}

// Only an answer about the edit is "refused as it should": the user's Deny,
// a rate limit or a server error proves nothing, and the same client_id
// added again or resource left out is no negative edit.
func TestJudgeEditsOnlyTheEditsRefusal(t *testing.T) {
	t.Parallel()
	noPKCE := []Edit{{Op: "delete", Where: "param", Name: "code_challenge"}}
	for _, err := range []error{
		&CallbackError{Err: ErrAuthorization, Code: "access_denied"},
		&CallbackError{Err: ErrAuthorization, Code: "server_error"},
		&client.OAuth2Error{StatusCode: 429, Code: "temporarily_unavailable"},
		&client.APIError{StatusCode: 429},
		&client.APIError{StatusCode: 502},
	} {
		res := StepResult{Step: StepAuthorize}
		if _, judged := judgeEdits(&res, err, noPKCE, flowState{}); judged || res.Status == StatusRefused {
			t.Errorf("%v judged as the PKCE refusal", err)
		}
	}
	st := flowState{clientID: "cid", clientSecret: "sec", sentResource: "https://coder.example.com"}
	sameID := []Edit{{Op: "set", Where: "param", Name: "client_id", Values: []string{"cid"}}}
	noResource := []Edit{{Op: "delete", Where: "param", Name: "resource"}}
	for name, edits := range map[string][]Edit{"the same client_id": sameID, "no resource": noResource} {
		if rules := matchedRules(StepExchange, edits, st); len(rules) != 0 {
			t.Errorf("%s is judged a negative edit: %+v", name, rules[0].what)
		}
	}
	otherID := []Edit{{Op: "set", Where: "param", Name: "client_id", Values: []string{"someone"}}}
	if rules := matchedRules(StepExchange, otherID, st); len(rules) != 1 || rules[0].rule != "client authentication" {
		t.Error("another client_id is not judged")
	}
}

// A created app's redirect_uri edited at authorize is refused as it
// should, judged against what the flow registered (the run itself records
// the edited URI); RunAll stops there instead of running it again.
func TestAuthorizeUnregisteredRedirectRefused(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare)
	if err := f.EditRequest(StepAuthorize, func(r *Request) { r.Params.Set("redirect_uri", "https://evil.example/callback") }); err != nil {
		t.Fatal(err)
	}
	out := f.RunAll(ctx)
	if len(out) != 1 || out[0].Status != StatusRefused || !strings.Contains(out[0].Verdict, "exact redirect URI matching") {
		t.Fatalf("RunAll: %+v", out)
	}
}
