package flows

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows/internal/fositeas"
)

const (
	fositeClientID = "oauthdeck-test"
	fositeSession  = "fosite-admin-session"
)

// fositeSecret is built at run time so no literal secret sits in the source.
var fositeSecret = strings.Repeat("s3cr3t-", 4)

func startFosite(t *testing.T, autoApprove bool) (*fositeas.Server, *client.Client) {
	t.Helper()
	as, err := fositeas.Start(fositeas.Options{ClientID: fositeClientID, ClientSecret: fositeSecret,
		RedirectURI: "http://127.0.0.1/callback", SessionToken: fositeSession, AutoApprove: autoApprove})
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

// The engine against an independent authorization server (ory/fosite):
// discovery, PKCE-enforcing authorization through the real loopback
// listener, exchange, use, refresh, revoke — with both client authentication
// methods and both consent paths.
func TestFlowFosite(t *testing.T) {
	for _, tc := range []struct {
		name    string
		method  AuthMethod
		consent ConsentMode
	}{
		{"post+auto-consent", AuthAuto, ConsentAuto},
		{"basic+browser", AuthBasic, ConsentBrowser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := startFosite(t, tc.consent == ConsentBrowser)
			// The stand-in browser follows the authorization server's redirect to the listener.
			browse := func(u string) error {
				go func() {
					resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(u)
					if err == nil {
						resp.Body.Close()
					}
				}()
				return nil
			}
			f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
				AuthMethod: tc.method, Consent: tc.consent, OpenBrowser: browse, CallbackURL: "http://127.0.0.1:0/callback",
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
			if f.Result(StepUse).Status != StatusPassed || !fieldIs(f.Result(StepUse).Fields, "User", "fosite-user") {
				t.Fatalf("use step: %+v", f.Result(StepUse))
			}
			for _, id := range []string{"refresh.old-access", "refresh.old-refresh", "revoke.refresh", "revoke.access", "listener.state"} {
				if !hasFinding(results, id, SeverityPass) {
					t.Errorf("no passing %s", id)
				}
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
	_, c := startFosite(t, false)
	f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
		CallbackURL: "http://127.0.0.1:0/callback", NoResource: true})
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
	_ = f.EditRequest(StepExchange, func(r *Request) { r.Params.Del("code_verifier") })
	r := f.Run(ctx, StepExchange)
	var oe *client.OAuth2Error
	if !errors.As(r.Err, &oe) || oe.Code != "invalid_grant" && oe.Code != "invalid_request" {
		t.Fatalf("exchange err = %v", r.Err)
	}
	if r.Explain == nil || !strings.Contains(r.Explain.Cause+r.Explain.Fix, "PKCE") {
		t.Fatalf("explanation %+v", r.Explain)
	}
}

// Revocation on fosite, run right after use (before any refresh), so the
// proofs are about the revoke itself.
func TestFlowFositeRevoke(t *testing.T) {
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
	_, c := startFosite(t, false)
	f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
		CallbackURL: "http://127.0.0.1:0/callback"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := testCtx(t)
	for _, id := range []StepID{StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange} {
		if r := f.Run(ctx, id); r.Status == StatusFailed {
			t.Fatalf("%s: %v", id, r.Err)
		}
	}
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
