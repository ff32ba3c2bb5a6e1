package check_test

import (
	"context"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/flows/check"
	"oauthdeck/sandbox/fositeas"
	"oauthdeck/sandbox/testenv"
)

const curlConsent = `curl -s -o /dev/null -L --max-time 10 "$OAUTHDECK_AUTH_URL"`

// runGenericWith runs the suite in generic mode against fosite, with the
// client given and the consent command.
func runGenericWith(t *testing.T, opts fositeas.Options, given check.GivenClient, command string) check.Report {
	t.Helper()
	opts.RedirectURI, opts.AutoApprove = "http://127.0.0.1/callback", true
	as, err := fositeas.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = as.Close() })
	given.RedirectURI = "http://127.0.0.1:" + testenv.LoopbackPort(t) + "/callback"
	given.ConsentCommand, given.ConsentTimeout = command, 5*time.Second
	rec := client.NewRecorder(10000)
	c, err := client.New(as.URL, "", client.Options{Recorder: rec, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	rep, err := check.Run(ctx, check.Config{Client: c, Recorder: rec, Given: &given})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// runGeneric runs the suite in generic mode against fosite with one
// client, consent by curl, and logs every verdict.
func runGeneric(t *testing.T, opts fositeas.Options, given check.GivenClient) check.Report {
	t.Helper()
	rep := runGenericWith(t, opts, given, curlConsent)
	for _, r := range rep.Checks {
		t.Logf("%-4s %-28s %s", r.Status, r.ID, r.Detail)
	}
	return rep
}

// The suite in generic mode against an independent authorization server
// (ory/fosite), no Coder session: each check's verdict by name, for a
// client registered for each auth method. What needs Coder is skipped with
// its reason; fosite's one real deviation (password grant answered
// invalid_request, not unsupported_grant_type) is the one warning.
func TestCheckGenericFosite(t *testing.T) {
	t.Parallel()
	common := map[string]check.Status{
		"discovery.as-metadata": check.Pass, "discovery.issuer": check.Pass, "discovery.pkce-methods": check.Pass,
		"discovery.protected-resource": check.Skip, "token.www-authenticate": check.Skip, "setup.apps": check.Pass,
		"flow.pkce": check.Pass, "authorize.state": check.Pass, "authorize.iss": check.Skip, "token.cache-control": check.Pass,
		"flow.resource": check.Skip, "token.bearer-use": check.Skip, "mcp.www-authenticate": check.Skip, "mcp.bearer-use": check.Skip,
		"mcp.tools-list": check.Skip, "mcp.prm-discovery": check.Skip, "mcp.wrong-audience": check.Skip, "mcp.client-registration": check.Skip, "mcp.unknown-token": check.Skip,
		"mcp.expired-token": check.Skip, "mcp.scope-challenge": check.Skip, "mcp.scope-step-up": check.Skip,
		"flow.pkce-wrong-verifier": check.Pass, "authorize.pkce-required": check.Pass, "token.pkce-downgrade": check.Pass,
		"authorize.plain-refused": check.Pass, "authorize.response-type": check.Pass, "authorize.redirect-mismatch": check.Pass,
		"authorize.error-state": check.Pass, "authorize.loopback-port": check.Pass, "token.redirect-mismatch": check.Pass,
		"token.resource-mismatch": check.Skip, "token.audience-binding": check.Skip, "code.single-use": check.Pass,
		"code.client-binding": check.Skip, "token.bad-client-secret": check.Pass, "token.secret-in-query": check.Skip,
		"token.auth-methods": check.Skip, "token.unsupported-grant": check.Warn, "refresh.rotation": check.Pass,
		"refresh.client-auth": check.Pass, "revoke.client-auth": check.Pass, "revoke.rfc7009": check.Pass, "dcr.redirect-rules": check.Skip,
		"transport.no-store": check.Skip, "discovery.cacheable": check.Pass, "token.body-limit": check.Warn,
	}
	public := map[string]check.Status{"token.bad-client-secret": check.Skip,
		"refresh.client-auth": check.Skip, "revoke.client-auth": check.Skip}
	for _, tc := range []struct {
		name, method string
		given        check.GivenClient
		differs      map[string]check.Status
	}{
		{"basic by default", "client_secret_basic", check.GivenClient{ID: "c", Secret: "basic-secret-value"}, nil},
		{"post", "client_secret_post", check.GivenClient{ID: "c", Secret: "post-secret-value", Method: flows.AuthPost}, nil},
		{"public", "none", check.GivenClient{ID: "c", Method: flows.AuthNone}, public},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := runGeneric(t, fositeas.Options{ClientID: "c", ClientSecret: tc.given.Secret, AuthMethod: tc.method}, tc.given)
			if len(rep.Checks) != len(check.Checks()) {
				t.Fatalf("%d results for %d checks", len(rep.Checks), len(check.Checks()))
			}
			for _, r := range rep.Checks {
				want, ok := tc.differs[r.ID]
				if !ok {
					want = common[r.ID]
				}
				if r.Status != want {
					t.Errorf("%s: %s, want %s (%s)", r.ID, r.Status, want, r.Detail)
				}
			}
			if rep.Server.Kind != "oauth2" || rep.Failed() {
				t.Errorf("server %+v, failed %v", rep.Server, rep.Failed())
			}
		})
	}
}

// Generic mode's verdicts can fail: a server that hands a code to an
// unregistered redirect URI, and takes requests without PKCE, is caught.
func TestCheckGenericCatchesALenientServer(t *testing.T) {
	t.Parallel()
	rep := runGeneric(t, fositeas.Options{ClientID: "c", ClientSecret: "s3cret-value", AuthMethod: "client_secret_basic",
		Lenient: true}, check.GivenClient{ID: "c", Secret: "s3cret-value"})
	for id, want := range map[string]check.Status{"authorize.redirect-mismatch": check.Fail, "authorize.pkce-required": check.Warn} {
		if got := statuses(rep)[id]; got.Status != want {
			t.Errorf("%s: %s, want %s (%s)", id, got.Status, want, got.Detail)
		}
	}
}

// A consent command that never brings a user agent anywhere makes no
// refusal check pass: a missing redirect proves nothing until the command
// has delivered one in the run.
func TestCheckGenericBrokenConsentCommand(t *testing.T) {
	t.Parallel()
	rep := runGenericWith(t, fositeas.Options{ClientID: "c", ClientSecret: "s3cret-value", AuthMethod: "client_secret_basic"},
		check.GivenClient{ID: "c", Secret: "s3cret-value"}, "exit 127")
	st := statuses(rep)
	for _, id := range []string{"flow.pkce", "authorize.pkce-required", "authorize.plain-refused", "authorize.redirect-mismatch",
		"token.pkce-downgrade", "authorize.response-type", "authorize.loopback-port", "code.single-use", "revoke.rfc7009"} {
		if st[id].Status == check.Pass {
			t.Errorf("%s passed with a consent command that delivers nothing: %s", id, st[id].Detail)
		}
	}
	if !rep.Failed() {
		t.Error("the run did not fail")
	}
}
