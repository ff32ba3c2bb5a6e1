package flows

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/sandbox/fositeas"
)

const (
	fositeClientID = "oauthdeck-test"
	fositeSession  = "fosite-admin-session"
)

// fositeSecret is built at run time so no literal secret sits in the source.
var fositeSecret = strings.Repeat("s3cr3t-", 4)

func startFosite(t *testing.T, autoApprove bool) (*fositeas.Server, *client.Client) {
	return startFositeWith(t, fositeas.Options{AutoApprove: autoApprove, Introspection: true})
}

// startFositeWith starts fosite with opts; the first client is always
// fositeClientID/fositeSecret, with opts.AuthMethod.
func startFositeWith(t *testing.T, opts fositeas.Options) (*fositeas.Server, *client.Client) {
	t.Helper()
	opts.ClientID, opts.ClientSecret = fositeClientID, fositeSecret
	opts.RedirectURI, opts.SessionToken = "http://127.0.0.1/callback", fositeSession
	as, err := fositeas.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = as.Close() })
	c, err := client.New(as.URL, fositeSession, client.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return as, c
}

// standInBrowser follows the authorization server's redirect to the listener.
func standInBrowser(u string) error {
	go func() {
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(u)
		if err == nil {
			resp.Body.Close()
		}
	}()
	return nil
}

// The engine against an independent authorization server (ory/fosite),
// which is not Coder: discovery, PKCE-enforcing authorization through the
// real loopback listener, exchange, use, refresh and revoke, for a client
// registered for each auth method (fosite refuses any other), with the use
// step going to introspection, userinfo, a named URL, or nowhere.
func TestFlowFositeGeneric(t *testing.T) {
	t.Parallel()
	const publicID = "oauthdeck-public"
	for _, tc := range []struct {
		name       string
		registered string // the first client's method at the server
		method     AuthMethod
		publicOnly bool
		consent    ConsentMode
		opts       fositeas.Options
		scope      string
		useURL     bool
		wantMethod string // Client authentication field
		wantUse    string // use step verdict prefix; "" = skipped
		proofs     Severity
	}{
		{name: "basic by default, introspection", registered: "client_secret_basic", consent: ConsentAuto,
			opts: fositeas.Options{Introspection: true}, wantMethod: "client_secret_basic", wantUse: "token is active (RFC 7662 introspection)", proofs: SeverityPass},
		{name: "post, userinfo with openid", registered: "client_secret_post", method: AuthPost, consent: ConsentBrowser,
			opts: fositeas.Options{Userinfo: true, Introspection: true, AutoApprove: true}, scope: "openid",
			wantMethod: "client_secret_post", wantUse: "token works at the userinfo endpoint: fosite-user", proofs: SeverityPass},
		{name: "public client, userinfo", method: AuthNone, publicOnly: true, consent: ConsentBrowser,
			opts: fositeas.Options{Userinfo: true, AutoApprove: true}, wantMethod: "none", wantUse: "token works at the userinfo endpoint", proofs: SeverityPass},
		{name: "named resource wins", registered: "client_secret_basic", consent: ConsentAuto, useURL: true,
			opts: fositeas.Options{Userinfo: true, Introspection: true}, wantMethod: "client_secret_basic", wantUse: "token works at http://", proofs: SeverityPass},
		{name: "nothing to call", registered: "client_secret_basic", consent: ConsentAuto,
			wantMethod: "client_secret_basic", proofs: SeverityInfo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.AuthMethod = tc.registered
			opts.Clients = []fositeas.Client{{ID: publicID, AuthMethod: "none"}}
			as, c := startFositeWith(t, opts)
			id, secret := fositeClientID, fositeSecret
			if tc.publicOnly {
				id, secret = publicID, ""
			}
			cfg := Config{Client: c, ClientMode: ClientExisting, ClientID: id, ClientSecret: secret,
				AuthMethod: tc.method, Consent: tc.consent, OpenBrowser: standInBrowser, CallbackURL: "http://127.0.0.1:0/callback",
				ListenTimeout: 10 * time.Second, Scope: tc.scope}
			if tc.useURL {
				cfg.UseURL = as.URL + "/userinfo"
			}
			f, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			results := f.RunAll(testCtx(t))
			for _, r := range results {
				t.Logf("%-9s %-7s %s", r.Step, r.Status, r.Verdict)
				if r.Status == StatusFailed {
					t.Fatalf("%s failed: %v %+v", r.Step, r.Err, r.Explain)
				}
			}
			if cl := f.Result(StepClient); !fieldIs(cl.Fields, "Client authentication", describeAuth(AuthMethod(tc.wantMethod))) {
				t.Errorf("client step fields %+v, want method %s", cl.Fields, tc.wantMethod)
			}
			use := f.Result(StepUse)
			switch {
			case tc.wantUse == "" && (use.Status != StatusSkipped || !strings.Contains(use.Verdict, "nothing to call")):
				t.Errorf("use = %s %q, want skipped with its reason", use.Status, use.Verdict)
			case tc.wantUse != "" && (use.Status != StatusPassed || !strings.HasPrefix(use.Verdict, tc.wantUse)):
				t.Errorf("use = %s %q, want passed %q", use.Status, use.Verdict, tc.wantUse)
			}
			if tc.useURL && !fieldIs(use.Fields, "Called", cfg.UseURL) {
				t.Errorf("use fields %+v, want Called %s", use.Fields, cfg.UseURL)
			}
			if !hasFinding(results, "refresh.old-access", tc.proofs) {
				t.Errorf("no %s refresh.old-access finding", tc.proofs)
			}
			// fosite revokes the whole family when a rotated refresh token is
			// replayed: where that can be seen, revoke has nothing left to prove.
			if tc.proofs == SeverityPass {
				if !hasFinding(results, "refresh.reuse-detection", SeverityInfo) || !hasFinding(results, "revoke.already-dead", SeverityInfo) {
					t.Errorf("the family revocation is not reported: %+v", f.Result(StepRevoke))
				}
			} else if !hasFinding(results, "revoke.access", SeverityInfo) || !hasFinding(results, "revoke.refresh", SeverityPass) {
				t.Errorf("revoke findings %+v", f.Result(StepRevoke).Findings)
			}
			for _, id := range []string{"refresh.old-refresh", "listener.state"} {
				if !hasFinding(results, id, SeverityPass) {
					t.Errorf("no passing %s", id)
				}
			}
			if tc.proofs == SeverityInfo && strings.Contains(f.Result(StepRevoke).Verdict, "access token proven dead") {
				t.Errorf("revoke verdict claims a proof it did not make: %q", f.Result(StepRevoke).Verdict)
			}
			if hasFinding(results, "client.lookup", SeverityInfo) {
				t.Error("the client step asked a server that is not Coder for a Coder app")
			}
		})
	}
}

// A client registered for client_secret_post is refused with the default
// (client_secret_basic); the explanation names the methods the server
// advertises and the flag that picks the client's.
func TestFlowFositeWrongAuthMethod(t *testing.T) {
	t.Parallel()
	_, c := startFositeWith(t, fositeas.Options{AuthMethod: "client_secret_post"})
	f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
		Consent: ConsentAuto, CallbackURL: "http://127.0.0.1:0/callback"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ex StepResult
	for _, r := range f.RunAll(testCtx(t)) {
		if r.Status == StatusFailed {
			ex = r
		}
	}
	var oe *client.OAuth2Error
	if ex.Step != StepExchange || !errors.As(ex.Err, &oe) || oe.Code != "invalid_client" {
		t.Fatalf("failed step %s: %v", ex.Step, ex.Err)
	}
	if ex.Explain == nil || !strings.Contains(ex.Explain.Cause, "authenticated with client_secret_basic") ||
		!strings.Contains(ex.Explain.Cause, "also advertises client_secret_post;") || strings.Contains(ex.Explain.Fix, "none") || !strings.Contains(ex.Explain.Fix, "--auth-method post") {
		t.Fatalf("explanation %+v", ex.Explain)
	}
}

// The engine against fosite with both consent paths and an explicit method.
func TestFlowFosite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		method  AuthMethod
		consent ConsentMode
	}{
		{"default+auto-consent", AuthAuto, ConsentAuto},
		{"basic+browser", AuthBasic, ConsentBrowser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := startFosite(t, tc.consent == ConsentBrowser)
			f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
				AuthMethod: tc.method, Consent: tc.consent, OpenBrowser: standInBrowser, CallbackURL: "http://127.0.0.1:0/callback",
				ListenTimeout: 10 * time.Second, NoResource: true})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			results := f.RunAll(testCtx(t))
			for _, r := range results {
				t.Logf("%-9s %-7s %s", r.Step, r.Status, r.Verdict)
				for _, fd := range r.Findings {
					if fd.Severity != SeverityPass {
						t.Logf("    %s %s: %s", fd.Severity, fd.ID, fd.Message)
					}
				}
				if r.Status == StatusFailed {
					t.Fatalf("%s failed: %v %+v", r.Step, r.Err, r.Explain)
				}
			}
			if u := f.Result(StepUse); u.Status != StatusPassed || !fieldIs(u.Fields, "Subject", "fosite-user") {
				t.Fatalf("use step: %+v", u)
			}
			for _, id := range []string{"refresh.old-access", "refresh.old-refresh", "listener.state"} {
				if !hasFinding(results, id, SeverityPass) {
					t.Errorf("no passing %s", id)
				}
			}
			if !hasFinding(results, "revoke.already-dead", SeverityInfo) {
				t.Errorf("revoke after fosite's family revocation: %+v", f.Result(StepRevoke))
			}
			if f.Result(StepCleanup).Status != StatusSkipped {
				t.Errorf("cleanup should have nothing to delete for an existing client")
			}
		})
	}
}

// fosite enforces PKCE: an exchange without the verifier is refused, and the
// explainer still points at PKCE.
func TestFlowFositeDropVerifier(t *testing.T) {
	t.Parallel()
	_, c := startFosite(t, false)
	f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
		CallbackURL: "http://127.0.0.1:0/callback", NoResource: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare, StepAuthorize)
	_ = f.EditRequest(StepExchange, func(r *Request) { r.Params.Del("code_verifier") })
	r := f.Run(ctx, StepExchange)
	var oe *client.OAuth2Error
	if r.Status != StatusRefused || !errors.As(r.Refusal, &oe) || oe.Code != "invalid_grant" && oe.Code != "invalid_request" {
		t.Fatalf("exchange = %s %v %v", r.Status, r.Err, r.Refusal)
	}
	if r.Explain == nil || !strings.Contains(r.Explain.Cause+r.Explain.Fix, "PKCE") {
		t.Fatalf("explanation %+v", r.Explain)
	}
}

// Revocation on fosite, run right after use (before any refresh), so the
// proofs are about the revoke itself.
func TestFlowFositeRevoke(t *testing.T) {
	t.Parallel()
	_, c := startFosite(t, false)
	f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
		CallbackURL: "http://127.0.0.1:0/callback", NoResource: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := testCtx(t)
	for _, id := range []StepID{StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange, StepUse, StepRevoke} {
		if r := f.Run(ctx, id); r.Status != StatusPassed {
			t.Fatalf("%s: %s %v", id, r.Status, r.Err)
		}
	}
	rv := f.Result(StepRevoke)
	if !hasFinding([]StepResult{rv}, "revoke.refresh", SeverityPass) || !hasFinding([]StepResult{rv}, "revoke.access", SeverityPass) {
		t.Fatalf("revoke findings %+v", rv.Findings)
	}
}

// TestFlowFositeNoResourceByDefault: fosite publishes no RFC 9728 document,
// so no resource is sent unless one is set; then the whole flow completes.
func TestFlowFositeNoResourceByDefault(t *testing.T) {
	t.Parallel()
	_, c := startFosite(t, false)
	f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
		CallbackURL: "http://127.0.0.1:0/callback"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange)
	prep := f.Result(StepPrepare)
	if !fieldIs(prep.Fields, "Resource", "(none)") {
		t.Errorf("prepare fields %+v", prep.Fields)
	}
	for _, fd := range prep.Fields {
		if fd.Label == "Authorization URL" && strings.Contains(fd.Value, "resource=") {
			t.Errorf("the authorization URL sends a resource: %s", fd.Value)
		}
	}
	if !hasFinding([]StepResult{f.Result(StepDiscover)}, "pr.fetch", SeverityInfo) {
		t.Errorf("discover does not say why no resource is sent: %+v", f.Result(StepDiscover).Findings)
	}
}

// A target that refuses every token proves nothing: the old access token is
// "not checked" after the refresh, never "dead". And an introspection answer
// without active is a malformed answer, not an inactive token.
func TestFlowNoProofFromATargetThatRefusesAll(t *testing.T) {
	t.Parallel()
	refuseAll := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer refuseAll.Close()
	_, c := startFositeWith(t, fositeas.Options{})
	f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
		Consent: ConsentAuto, CallbackURL: "http://127.0.0.1:0/callback", UseURL: refuseAll.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := testCtx(t)
	runSteps(t, ctx, f, StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange)
	if r := f.Run(ctx, StepUse); r.Status != StatusFailed || !errors.Is(r.Err, ErrTokenRejected) {
		t.Fatalf("use: %s %v", r.Status, r.Err)
	}
	r := f.Run(ctx, StepRefresh)
	if !hasFinding([]StepResult{r}, "refresh.old-access", SeverityInfo) || strings.Contains(r.Verdict, "old access token and") {
		t.Fatalf("refresh %q %+v", r.Verdict, r.Findings)
	}
	r = f.Run(ctx, StepRevoke)
	if !hasFinding([]StepResult{r}, "revoke.access", SeverityInfo) || strings.Contains(r.Verdict, "access token proven dead") {
		t.Fatalf("revoke %q %+v", r.Verdict, r.Findings)
	}

	for _, body := range []string{`{}`, `null`, `{"error":"server_error"}`} {
		intro := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		tc := TokenClient{HTTP: c, ClientID: "x", ClientSecret: "y", Method: AuthBasic}
		_, err := tc.Introspect(ctx, intro.URL, "tok")
		var ue *client.UnexpectedResponseError
		if !errors.As(err, &ue) || tokenRefused(err) {
			t.Errorf("introspection answering %s: %v", body, err)
		}
		intro.Close()
	}
}
