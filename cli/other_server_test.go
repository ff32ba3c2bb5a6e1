package cli_test

import (
	"strings"
	"testing"

	"oauthdeck/keyring"
	"oauthdeck/sandbox/fositeas"
	"oauthdeck/sandbox/testenv"
)

const curlConsent = `curl -sf -o /dev/null -L "$OAUTHDECK_AUTH_URL"`

// startIndependent is an authorization server that is not Coder (ory/fosite):
// a client for each auth method, userinfo and introspection as asked.
func startIndependent(t *testing.T, opts fositeas.Options) *fositeas.Server {
	t.Helper()
	opts.ClientID, opts.ClientSecret, opts.AuthMethod = "basic-app", "basic-secret-value", "client_secret_basic"
	opts.Clients = []fositeas.Client{{ID: "post-app", Secret: "post-secret-value", AuthMethod: "client_secret_post"},
		{ID: "public-app", AuthMethod: "none"}}
	opts.RedirectURI, opts.AutoApprove = "http://127.0.0.1/callback", true
	as, err := fositeas.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = as.Close() })
	return as
}

// `flow --all` against another standards-following server, with no Coder
// session: each client authenticates its own way, the use step goes to
// introspection or userinfo, refresh and revoke prove from real answers.
func TestFlowOtherServerAllMethods(t *testing.T) {
	t.Parallel()
	as := startIndependent(t, fositeas.Options{Introspection: true, Userinfo: true})
	for _, tc := range []struct {
		name, id, secret, method, wantAuth, wantUse string
	}{
		{"basic by default", "basic-app", "basic-secret-value", "", "client_secret_basic", "PASSED use: token is active (RFC 7662 introspection)"},
		{"post", "post-app", "post-secret-value", "post", "client_secret_post", "PASSED use: token is active (RFC 7662 introspection)"},
		// A public client cannot authenticate to introspection: userinfo it is.
		{"public", "public-app", "", "none", "none", "PASSED use: token works at the userinfo endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			args := []string{"flow", as.URL, "--client-id", tc.id, "--all", "--port", testenv.LoopbackPort(t), "--consent-command", curlConsent}
			if tc.secret != "" {
				args = append(args, "--client-secret-stdin")
			}
			if tc.method != "" {
				args = append(args, "--auth-method", tc.method)
			}
			r := h.run(tc.secret+"\n", args...)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			mustContain(t, r.stderr, "Client authentication: "+tc.wantAuth, tc.wantUse, "Server: not Coder",
				"PASSED refresh: refreshed; the old access token and the old refresh token proven dead",
				// fosite revokes the family on the replay that proves rotation:
				"PASSED revoke: revocation accepted (200); the tokens were already dead")
			mustNotContain(t, r.stderr, "/api/v2/users/me", "/api/v2/oauth2-provider", "FAILED")
			mustContain(t, r.stdout, "access_token:")
		})
	}
}

// A client registered for client_secret_post, run with the default
// (client_secret_basic): the failure names the other advertised methods
// and the flag that picks the client's.
func TestFlowOtherServerWrongMethodExplained(t *testing.T) {
	t.Parallel()
	as := startIndependent(t, fositeas.Options{})
	h := newHarness(t)
	r := h.run("post-secret-value\n", "flow", as.URL, "--client-id", "post-app", "--client-secret-stdin",
		"--port", testenv.LoopbackPort(t), "--consent-command", curlConsent)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	mustContain(t, r.stderr, "FAILED exchange", "authenticated with client_secret_basic", "--auth-method post")
	for _, line := range strings.Split(r.stderr, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "cause:") || strings.HasPrefix(l, "fix:") || strings.HasPrefix(l, "basis:") {
			mustNotContain(t, l, "Coder", "v2.3")
		}
	}
	mustNotContain(t, r.stderr, "--auth-method none")
}

// With nothing to call, the use step is skipped with its reason, and no
// refresh or revoke verdict claims the access token dead.
func TestFlowOtherServerNothingToUse(t *testing.T) {
	t.Parallel()
	as := startIndependent(t, fositeas.Options{})
	h := newHarness(t)
	r := h.run("basic-secret-value\n", "flow", as.URL, "--client-id", "basic-app", "--client-secret-stdin", "--all",
		"--port", testenv.LoopbackPort(t), "--consent-command", curlConsent)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	mustContain(t, r.stderr, "SKIPPED use: nothing to call with the token", "the old access token not checked", "the access token not checked")
	mustNotContain(t, r.stderr, "access token proven dead", "access token is dead")
}

// A public client runs on a machine without a keyring: one notice, the
// tokens stay in memory, and every step passes.
func TestFlowPublicClientWithoutKeyring(t *testing.T) {
	t.Parallel()
	as := startIndependent(t, fositeas.Options{Userinfo: true})
	h := newHarness(t)
	h.store = unavailableStore{}
	r := h.run("", "flow", as.URL, "--client-id", "public-app", "--auth-method", "none", "--all",
		"--port", testenv.LoopbackPort(t), "--consent-command", curlConsent)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, string(keyring.ReasonNoSecretService)); n != 1 {
		t.Fatalf("the keyring problem is reported %d times, want once:\n%s", n, r.stderr)
	}
	mustContain(t, r.stderr, "stay in memory for this run only", "PASSED use", "PASSED revoke")
	mustNotContain(t, r.stderr, "no kept client secret is read")
}

func TestFlowOtherServerUsage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mustContain(t, h.fail(2, "", "flow", "--client-id", "x", "--auth-method", "jwt"), "--auth-method", "basic", "post", "none")
	mustContain(t, h.fail(2, "", "flow", "--client-id", "x", "--auth-method", "none", "--client-secret-stdin"), "public client")
	mustContain(t, h.fail(2, "", "flow", "--client-id", "x", "--use-url", "ftp://x"), "--use-url", "http or https")
	mustContain(t, h.fail(2, "", "flow", "--client-id", "x", "--use-url", "http://api.example.com/mcp"), "--use-url", "in clear")
	mustContain(t, h.fail(2, "", "flow", "--client-id", "x", "--consent-command", "true", "--auto-consent"), "--consent-command")
}

// `check` in generic mode from the command line: no Coder session, the
// client registered at the other server, consent by curl; exit 0, and the
// Coder-only checks skipped with their reason.
func TestCheckOtherServer(t *testing.T) {
	t.Parallel()
	as := startIndependent(t, fositeas.Options{})
	h := newHarness(t)
	r := h.run("basic-secret-value\n", "check", as.URL, "--client-id", "basic-app", "--client-secret-stdin",
		"--redirect-uri", "http://127.0.0.1:"+testenv.LoopbackPort(t)+"/callback", "--consent-command", curlConsent, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, r.stdout, `"kind": "oauth2"`, `"id": "flow.pkce"`, "using the given client basic-app (client_secret_basic)",
		"needs a second client, which only Coder's apps API creates")
	mustNotContain(t, r.stdout, `"status": "fail"`)

	// A client registered for post, run as basic: the flow fails, named.
	r = h.run("post-secret-value\n", "check", as.URL, "--client-id", "post-app", "--client-secret-stdin", "--auth-method", "basic",
		"--redirect-uri", "http://127.0.0.1:"+testenv.LoopbackPort(t)+"/callback", "--consent-command", curlConsent, "-o", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	mustContain(t, r.stderr, "flow.pkce")

	mustContain(t, h.fail(2, "", "check", as.URL, "--client-id", "x"), "--consent-command")
	mustContain(t, h.fail(2, "", "check", as.URL, "--consent-command", "true"), "go with --client-id")
	mustContain(t, h.fail(2, "", "check", as.URL, "--client-id", "x", "--consent-command", "true", "--redirect-uri", "https://example.com/cb"), "--redirect-uri")
	mustContain(t, h.fail(2, "", "check", as.URL, "--client-id", "x", "--consent-command", "true", "--redirect-uri", "http://127.0.0.1/cb"), "port")
}

// `token use` on a server that is not Coder calls what the flow's use step
// would (here userinfo), and says so when there is nothing to call.
func TestTokenUseOtherServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		userinfo bool
	}{{"userinfo", true}, {"nothing to call", false}} {
		t.Run(tc.name, func(t *testing.T) {
			as := startIndependent(t, fositeas.Options{Userinfo: tc.userinfo})
			h := newHarness(t)
			h.ok("", "flow", as.URL, "--client-id", "public-app", "--auth-method", "none",
				"--port", testenv.LoopbackPort(t), "--consent-command", curlConsent)
			r := h.run("", "token", "use", "--client-id", "public-app", as.URL)
			if tc.userinfo {
				if r.code != 0 {
					t.Fatalf("exit %d\n%s", r.code, r.stderr)
				}
				mustContain(t, r.stdout, "Token works at:", "the userinfo endpoint", "fosite-user")
				return
			}
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
			}
			mustContain(t, r.stderr, "nothing to call with the token")
		})
	}
}
