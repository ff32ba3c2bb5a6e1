package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"oauthdeck/cli"
	"oauthdeck/flows"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

type flowOutput struct {
	Deployment string `json:"deployment"`
	Issuer     string `json:"issuer"`
	ClientID   string `json:"client_id"`
	Tokens     struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		TokenType    string `json:"token_type"`
		Masked       bool   `json:"masked"`
	} `json:"tokens"`
}

func TestFlowAutoConsentAllSteps(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat})
			h := newHarness(t)
			h.loginEnv(srv)
			r := h.run("", "flow", "--create-app", "--auto-consent", "--all", "--cleanup", "--port", testenv.LoopbackPort(t), "-o", "json")
			if r.code != 0 {
				t.Fatalf("flow: exit %d\n%s", r.code, r.stderr)
			}
			for _, step := range flows.StepIDs() {
				mustContain(t, r.stderr, "PASSED "+string(step))
			}
			mustContain(t, r.stderr, "[1/10] discover", "[10/10] cleanup")
			var out flowOutput
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("flow -o json: %v\n%s", err, r.stdout)
			}
			if out.Deployment != srv.URL() || out.Issuer != srv.URL() {
				t.Fatalf("flow -o json: deployment %q, issuer %q; want %q for both", out.Deployment, out.Issuer, srv.URL())
			}
			if !out.Tokens.Masked || out.Tokens.TokenType != "Bearer" || out.Tokens.AccessToken == "" || strings.Contains(out.Tokens.AccessToken, "-") && len(out.Tokens.AccessToken) == 33 {
				t.Fatalf("tokens not masked: %+v", out.Tokens)
			}
			var apps []appJSON
			json.Unmarshal([]byte(h.ok("", "apps", "list", "-o", "json")), &apps)
			if len(apps) != 0 {
				t.Fatalf("--cleanup left %d apps", len(apps))
			}
		})
	}
}

func TestFlowKeepsTokensForLater(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.ok(srv.AdminSessionToken(), "login", srv.URL())
	r := h.run("", "flow", "--create-app", "--auto-consent", "--port", testenv.LoopbackPort(t), "-o", "json", "--reveal")
	if r.code != 0 {
		t.Fatalf("flow: %s", r.stderr)
	}
	var out flowOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Tokens.Masked || out.ClientID == "" {
		t.Fatalf("flow --reveal -o json: %v %+v", err, out)
	}
	kept, err := flows.LoadTokens(context.Background(), h.store, srv.URL(), out.ClientID)
	if err != nil || kept.AccessToken != out.Tokens.AccessToken {
		t.Fatalf("flow did not keep its tokens: %v", err)
	}
	mustContain(t, h.ok("", "token", "use", "--client-id", out.ClientID), "admin <admin@example.com>")
	h.ok("", "token", "refresh", "--client-id", out.ClientID) // with the secret the flow kept
}

func TestFlowExistingClient(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	h := newHarness(t)
	h.loginEnv(srv)
	port := testenv.LoopbackPort(t)
	callback := "http://127.0.0.1:" + port + "/callback"
	var app appJSON
	json.Unmarshal([]byte(h.ok("", "apps", "create", "--name", "existing", "--callback-url", callback, "-o", "json")), &app)
	secret := strings.TrimSpace(h.ok("", "apps", "secrets", "create", app.ID))

	r := h.run(secret+"\n", "flow", "--client-id", app.ID, "--client-secret-stdin", "--auto-consent", "--port", port)
	if r.code != 0 {
		t.Fatalf("flow: %s", r.stderr)
	}
	mustContain(t, r.stdout, "access_token:", "masked")
	mustNotContain(t, r.stdout+r.stderr, secret)

	// A wrong secret fails at the exchange with the reason, on one line.
	line := h.fail(1, "coder_aaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n", "flow", "--client-id", app.ID, "--client-secret-stdin", "--auto-consent", "--port", port)
	mustContain(t, line, "exchange step failed", "invalid_client")
}

// Ctrl-C while the listener waits for the browser is an interruption (exit
// 130), not a failed authorize step.
func TestFlowInterrupted(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(500*time.Millisecond, cancel)
	r := h.runCtx(ctx, "", "flow", "--create-app", "--no-browser", "--cleanup", "--port", testenv.LoopbackPort(t))
	if r.code != 130 || !strings.Contains(r.stderr, "oauthdeck: interrupted") {
		t.Fatalf("exit %d, stderr:\n%s\nwant 130 and 'interrupted'", r.code, r.stderr)
	}
	var apps []appJSON
	json.Unmarshal([]byte(h.ok("", "apps", "list", "-o", "json")), &apps)
	if len(apps) != 0 {
		t.Fatalf("the interrupted flow left %d apps behind despite --cleanup", len(apps))
	}
}

func TestFlowUsage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mustContain(t, h.fail(2, "", "flow"), "--client-id ID, --create-app or --register")
	mustContain(t, h.fail(2, "", "flow", "--create-app", "--register"), "exclude each other")
	mustContain(t, h.fail(2, "", "flow", "--create-app", "--listen-timeout", "-1s"), "--listen-timeout must be positive")
	mustContain(t, h.fail(2, "", "flow", "--client-id", "x", "--client-secret", "y"), "refusing --client-secret")
	mustContain(t, h.fail(1, "", "flow", "--create-app", "--url", "http://127.0.0.1:1"), "need an admin session")
}

func TestFlowProviderDisabled(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{ProviderDisabled: true})
	h := newHarness(t)
	h.loginEnv(srv)
	mustContain(t, h.fail(1, "", "flow", "--create-app", "--auto-consent", "--port", testenv.LoopbackPort(t)), "CODER_OAUTH2_PROVIDER_ENABLE")
}

// TestFlowBrowserConsent plays the browser: it reads the authorization URL
// the flow prints, consents with the admin session as the consent page's form
// would, and follows the redirect to the flow's loopback listener.
func TestFlowBrowserConsent(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)

	errR, errW := io.Pipe()
	var out strings.Builder
	done := make(chan int, 1)
	go func() {
		code := cli.Main(context.Background(), []string{"flow", "--create-app", "--no-browser", "--cleanup", "--port", testenv.LoopbackPort(t), "--listen-timeout", "30s"},
			cli.IO{In: strings.NewReader(""), Out: &out, Err: errW, Env: func(k string) string { return h.env[k] }, Keyring: h.store})
		errW.Close()
		done <- code
	}()
	var stderr strings.Builder
	sc := bufio.NewScanner(errR)
	consented := false
	browserDone := make(chan struct{})
	for sc.Scan() {
		line := sc.Text()
		stderr.WriteString(line + "\n")
		if u := strings.TrimSpace(line); !consented && strings.HasPrefix(u, srv.URL()+"/oauth2/authorize?") {
			consented = true
			go func() { defer close(browserDone); browserConsent(t, u, srv.AdminSessionToken()) }()
		}
	}
	if consented {
		<-browserDone
	}
	select {
	case code := <-done:
		if code != 0 || !consented {
			t.Fatalf("flow exit %d (consented %v)\n%s", code, consented, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("flow did not finish")
	}
	mustContain(t, stderr.String(), "waiting for the callback on 127.0.0.1:", "PASSED authorize", "PASSED use")
	mustContain(t, out.String(), "access_token:")
}

func browserConsent(t *testing.T, authURL, session string) {
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, authURL, nil)
	req.Header.Set("Coder-Session-Token", session)
	resp, err := hc.Do(req)
	if err != nil {
		t.Errorf("consent: %v", err)
		return
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Errorf("consent answered %d %q", resp.StatusCode, loc)
		return
	}
	cb, err := http.Get(loc) // the browser lands on the loopback listener
	if err != nil {
		t.Errorf("callback: %v", err)
		return
	}
	cb.Body.Close()
}

// A keyring that cannot be used costs the flow nothing but the keeping of
// its tokens: one notice up front, and every protocol step still passes
// (not "warned" because a side service failed).
func TestFlowKeyringUnavailableWarnsOnce(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.store = unavailableStore{}
	h.loginEnv(srv)
	r := h.run("", "flow", "--create-app", "--auto-consent", "--all", "--cleanup", "--port", testenv.LoopbackPort(t))
	if r.code != 0 {
		t.Fatalf("flow: exit %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, string(keyring.ReasonNoSecretService)); n != 1 {
		t.Fatalf("the keyring problem is reported %d times, want once:\n%s", n, r.stderr)
	}
	mustContain(t, r.stderr, "not kept for 'oauthdeck token'")
	for _, step := range flows.StepIDs() {
		mustContain(t, r.stderr, "PASSED "+string(step))
	}

	// Without --cleanup the created app stays, and its secret is not offered
	// to the unusable keyring a second time either.
	r = h.run("", "flow", "--create-app", "--auto-consent", "--port", testenv.LoopbackPort(t))
	if r.code != 0 {
		t.Fatalf("flow: exit %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, string(keyring.ReasonNoSecretService)); n != 1 {
		t.Fatalf("the keyring problem is reported %d times, want once:\n%s", n, r.stderr)
	}
	mustNotContain(t, r.stderr, "could not keep the new client secret")

	// An existing client's kept secret cannot be read: the flow goes on as
	// for a public client, and the one notice says so and the way round it.
	r = h.run("", "flow", "--client-id", "some-app", "--auto-consent", "--port", testenv.LoopbackPort(t))
	if n := strings.Count(r.stderr, string(keyring.ReasonNoSecretService)); n != 1 {
		t.Fatalf("the keyring problem is reported %d times, want once:\n%s", n, r.stderr)
	}
	mustContain(t, r.stderr, "no kept client secret is read (pipe one with --client-secret-stdin)", "PASSED client")
}
