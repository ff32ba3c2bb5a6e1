package flows

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox"
)

// A flow with PKCE dropped from the authorize request, saved: the edits are
// kept as changes (no secret, no deployment-specific value), the file reads
// back, a replay on the same kind of server gives the same outcomes, and
// on v2.30 (PKCE optional) the replay names the authorize step as the one
// that differs.
func TestSavedFlowReplays(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare)
	if err := f.EditRequest(StepAuthorize, func(r *Request) {
		r.Params.Del("code_challenge")
		r.Params.Del("code_challenge_method")
	}); err != nil {
		t.Fatal(err)
	}
	if r := f.Run(ctx, StepAuthorize); r.Status != StatusRefused {
		t.Fatalf("authorize without PKCE on 2.38: %s", r.Status)
	}
	f.ResetRequest(StepAuthorize)
	runSteps(t, ctx, f, StepAuthorize, StepExchange)
	if err := f.EditRequest(StepExchange, func(r *Request) { r.Params.Set("client_secret", "wrong") }); err != nil {
		t.Fatal(err)
	}
	// The code was redeemed a moment ago: the refusal (invalid_grant) is
	// about the code, not the edited secret, so it is no verdict on the edit.
	if r := f.Run(ctx, StepExchange); r.Status != StatusFailed || r.Explain == nil || r.Explain.Code != "invalid_grant" {
		t.Fatalf("exchange with a wrong secret and a used code: %s %+v", r.Status, r.Explain)
	}
	saved, ok := f.Saved(time.Now())
	if !ok {
		t.Fatal("nothing to save")
	}
	var buf bytes.Buffer
	if err := WriteSaved(&buf, saved); err != nil {
		t.Fatal(err)
	}
	_, secret := f.Credentials()
	if text := buf.String(); strings.Contains(text, secret) || strings.Contains(text, "wrong") || !strings.Contains(text, `"op": "delete"`) || !strings.Contains(text, `"junk": true`) {
		t.Fatalf("saved file:\n%s", text)
	}
	back, err := ReadSaved(&buf)
	if err != nil {
		t.Fatal(err)
	}
	wantSteps := []StepID{StepDiscover, StepClient, StepPrepare, StepAuthorize, StepAuthorize, StepExchange, StepExchange}
	if len(back.Steps) != len(wantSteps) {
		t.Fatalf("steps %+v", back.Steps)
	}
	for i, st := range back.Steps {
		if st.Step != wantSteps[i] {
			t.Fatalf("step %d is %s, want %s", i, st.Step, wantSteps[i])
		}
	}

	replay := func(compat sandbox.Compat) []Replayed {
		t.Helper()
		e := startSandbox(t, compat)
		g, err := New(Config{Client: e.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true, ClientMode: back.Setup.ClientMode, Consent: back.Setup.Consent})
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		return g.Replay(ctx, back, nil)
	}
	for _, r := range replay(sandbox.CompatMain) {
		if !r.Same {
			t.Errorf("same server kind, %s differs: recorded %s, now %s (%s)", r.Step, r.Expected, r.Got, r.Verdict)
		}
	}
	var differs []StepID
	for _, r := range replay(sandbox.CompatV230) {
		if !r.Same {
			differs = append(differs, r.Step)
		}
	}
	if len(differs) == 0 || differs[0] != StepAuthorize {
		t.Fatalf("on v2.30 the steps that differ: %v", differs)
	}
}

func TestReadSavedRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{}`, `{"format":"oauthdeck-flow/9"}`, `{"format":"oauthdeck-flow/1","steps":[{"step":"nope"}]}`,
		`{"format":"oauthdeck-flow/1","steps":[{"step":"authorize","edits":[{"op":"exec","where":"param","name":"x"}]}]}`, `<html>`} {
		if _, err := ReadSaved(strings.NewReader(in)); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}

// An edited endpoint is saved and replayed like a parameter.
func TestSavedURLEdit(t *testing.T) {
	t.Parallel()
	base := Request{URL: "https://a.example/oauth2/tokens", Params: map[string][]string{"grant_type": {"authorization_code"}}}
	edited := base.Clone()
	edited.URL = "https://a.example/other"
	edits := diffRequest(base, edited)
	if len(edits) != 1 || edits[0].Where != "url" {
		t.Fatalf("edits %+v", edits)
	}
	again := base.Clone()
	applyEdits(&again, edits)
	if again.URL != edited.URL {
		t.Fatalf("applied: %s", again.URL)
	}
}

// A saved edit that points a step at another host is refused at replay:
// the request would carry the client's credentials there.
func TestReplayRefusesAForeignURLEdit(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	env := startSandbox(t, sandbox.CompatMain)
	f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	defer f.Close()
	sf := SavedFlow{Format: SavedFormat, Setup: SavedSetup{ClientMode: ClientCreate, Consent: ConsentAuto}, Steps: []SavedStep{
		{Step: StepDiscover, Expect: Outcome{Status: StatusPassed}},
		{Step: StepClient, Expect: Outcome{Status: StatusPassed}},
		{Step: StepPrepare, Expect: Outcome{Status: StatusPassed}},
		{Step: StepAuthorize, Expect: Outcome{Status: StatusPassed}},
		{Step: StepExchange, Edits: []Edit{{Op: "set", Where: "url", Name: "url", Values: []string{"https://evil.example/steal"}}}, Expect: Outcome{Status: StatusPassed}},
	}}
	res := f.Replay(ctx, sf, nil)
	last := res[len(res)-1]
	if last.Step != StepExchange || last.Same || !strings.Contains(last.Verdict, "refusing") {
		t.Fatalf("replay %+v", res)
	}
	if f.Result(StepExchange).Status != StatusPending {
		t.Fatal("the exchange ran with the foreign URL")
	}
}
