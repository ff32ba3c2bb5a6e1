package flows

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

type sandboxEnv struct {
	srv *sandbox.Server
	c   *client.Client
	rec *client.Recorder
}

func startSandbox(t *testing.T, compat sandbox.Compat) sandboxEnv {
	t.Helper()
	return startSandboxWith(t, sandbox.Options{Compat: compat})
}

func startSandboxWith(t *testing.T, opts sandbox.Options) sandboxEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sandbox.Start(ctx, opts)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	rec := client.NewRecorder(0)
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Timeout: 5 * time.Second, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	return sandboxEnv{srv: srv, c: c, rec: rec}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The whole flow with auto-consent in both compatibility modes: every step
// passes, the old tokens are proven dead, and the app is gone at the end.
func TestFlowSandboxFull(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatV230, sandbox.CompatMain} {
		t.Run(string(compat), func(t *testing.T) {
			env := startSandbox(t, compat)
			store := keyring.NewMemory()
			var events []Event
			f, err := New(Config{Client: env.c, Recorder: env.rec, CallbackURL: "http://127.0.0.1:0/callback",
				Cleanup: true, Store: store, OnEvent: func(e Event) { events = append(events, e) }})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// A UI reads snapshots while the flow runs (checked by -race).
			stop, readerDone := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(readerDone)
				for {
					select {
					case <-stop:
						return
					default:
						s := f.Snapshot()
						for _, r := range s.Steps {
							_ = len(r.Fields) + len(r.Findings)
						}
					}
				}
			}()
			results := f.RunAll(testCtx(t))
			close(stop)
			<-readerDone
			var tokensSeen []string
			for _, r := range results {
				t.Logf("%-9s %-7s %s", r.Step, r.Status, r.Verdict)
				for _, fd := range r.Findings {
					t.Logf("    %s %s: %s", fd.Severity, fd.ID, fd.Message)
				}
				if r.Status == StatusFailed {
					t.Fatalf("step %s failed: %v (%+v)", r.Step, r.Err, r.Explain)
				}
			}
			if len(results) != len(StepIDs()) {
				t.Fatalf("ran %d steps, want %d", len(results), len(StepIDs()))
			}
			for _, want := range []string{"refresh.old-access", "refresh.old-refresh", "revoke.refresh", "revoke.access", "cleanup.gone", "use.audience", "listener.state", "listener.single"} {
				if !hasFinding(results, want, SeverityPass) {
					t.Errorf("no passing finding %s", want)
				}
			}
			use := f.Result(StepUse)
			if !fieldIs(use.Fields, "User", "admin") {
				t.Errorf("use step fields %+v", use.Fields)
			}
			ex := f.Result(StepExchange)
			if len(ex.Exchanges) == 0 {
				t.Error("exchange step recorded no HTTP exchange")
			}
			toks, _ := f.Tokens()
			tokensSeen = append(tokensSeen, toks.AccessToken, toks.RefreshToken)
			// Nothing secret in events, verdicts, findings or field values.
			for _, r := range results {
				text := r.Verdict
				for _, fd := range r.Findings {
					text += fd.Message
				}
				for _, fl := range r.Fields {
					text += fl.Value
				}
				for _, s := range tokensSeen {
					if s != "" && strings.Contains(text, s) {
						t.Fatalf("step %s shows a token in clear", r.Step)
					}
				}
				if r.Request != nil {
					red := r.Request.Redacted()
					for _, k := range []string{"code", "client_secret", "code_verifier", "refresh_token", "token"} {
						if v := red.Params.Get(k); v != "" && !strings.Contains(v, "••") {
							t.Fatalf("redacted %s request shows %s", r.Step, k)
						}
					}
				}
			}
			// Revoked tokens were removed from the store.
			if _, err := LoadTokens(context.Background(), store, env.c.BaseURL(), f.Snapshot().ClientID); !errors.Is(err, keyring.ErrNotFound) {
				t.Errorf("tokens still stored after revoke: %v", err)
			}
			snap := f.Snapshot()
			if snap.Current != "" || snap.Listener == nil || !snap.Listener.Closed {
				t.Errorf("snapshot: current %q listener %+v", snap.Current, snap.Listener)
			}
			if !hasEvent(events, EventListener) || !hasEvent(events, EventStepFinished) {
				t.Error("missing listener or step events")
			}
		})
	}
}

// Dropping code_verifier from the exchange makes the step fail with
// invalid_grant, and the explainer names PKCE.
func TestFlowSandboxEditDropVerifier(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatV230, sandbox.CompatMain} {
		t.Run(string(compat), func(t *testing.T) {
			env := startSandbox(t, compat)
			f, err := New(Config{Client: env.c, Recorder: env.rec, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ctx := testCtx(t)
			for _, id := range []StepID{StepDiscover, StepClient, StepPrepare, StepAuthorize} {
				if r := f.Run(ctx, id); r.Status == StatusFailed {
					t.Fatalf("%s: %v", id, r.Err)
				}
			}
			if err := f.EditRequest(StepExchange, func(r *Request) { r.Params.Del("code_verifier") }); err != nil {
				t.Fatal(err)
			}
			r := f.Run(ctx, StepExchange)
			var oe *client.OAuth2Error
			// v2.30 answers invalid_grant "The PKCE code verifier is invalid"; the
			// main-mode sandbox refuses the missing parameter as invalid_request.
			want := map[sandbox.Compat]string{sandbox.CompatV230: "invalid_grant", sandbox.CompatMain: "invalid_request"}[compat]
			if r.Status != StatusRefused || !errors.As(r.Refusal, &oe) || oe.Code != want {
				t.Fatalf("exchange = %s, %v %v; want refused with %s", r.Status, r.Err, r.Refusal, want)
			}
			if r.Explain == nil || !strings.Contains(r.Explain.Cause+r.Explain.Fix, "PKCE") {
				t.Fatalf("explanation %+v does not name PKCE", r.Explain)
			}
			if r.Request == nil || r.Request.Params.Has("code_verifier") {
				t.Fatal("the result does not show the edited request")
			}
			if _, ok := f.Tokens(); ok {
				t.Fatal("tokens despite a failed exchange")
			}
		})
	}
}

// An audience for another resource: the token is refused by the API (403),
// which the use step reports as the audience check working.
func TestFlowSandboxAudience(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	f, err := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true, Resource: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := testCtx(t)
	for _, id := range []StepID{StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange, StepUse} {
		r := f.Run(ctx, id)
		if r.Status == StatusFailed {
			t.Fatalf("%s: %v", id, r.Err)
		}
		if id == StepUse && !strings.Contains(r.Verdict, "audience enforced") {
			t.Fatalf("use verdict %q", r.Verdict)
		}
	}
}

func hasFinding(rs []StepResult, id string, sev Severity) bool {
	for _, r := range rs {
		for _, f := range r.Findings {
			if f.ID == id && f.Severity == sev {
				return true
			}
		}
	}
	return false
}

func fieldIs(fs []Field, label, value string) bool {
	for _, f := range fs {
		if f.Label == label && f.Value == value {
			return true
		}
	}
	return false
}

func hasEvent(es []Event, k EventKind) bool {
	for _, e := range es {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// runSteps runs ids in order and stops the test at the first that fails.
func runSteps(t *testing.T, ctx context.Context, f *Flow, ids ...StepID) {
	t.Helper()
	for _, id := range ids {
		if r := f.Run(ctx, id); r.Status == StatusFailed {
			t.Fatalf("%s: %v", id, r.Err)
		}
	}
}
