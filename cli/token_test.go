package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/keyring"
	"oauthdeck/pkce"
	"oauthdeck/sandbox"
)

// keepFlowTokens makes an app with a kept secret (through the CLI), runs an
// authorization-code grant with the flows primitives and keeps the tokens,
// as 'oauthdeck flow' does.
func keepFlowTokens(t *testing.T, h *harness, srv *sandbox.Server) (clientID string, tok flows.Tokens) {
	t.Helper()
	ctx := context.Background()
	var app appJSON
	json.Unmarshal([]byte(h.ok("", "apps", "create", "--name", "tok", "--callback-url", flows.DefaultCallbackURL, "-o", "json")), &app)
	secret := strings.TrimSpace(h.ok("", "apps", "secrets", "create", app.ID, "--save"))

	admin, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := pkce.New()
	state, _ := flows.NewState()
	authURL, err := flows.AuthorizationURL(srv.URL()+"/oauth2/authorize", flows.AuthParams{
		ClientID: app.ID, RedirectURI: flows.DefaultCallbackURL, State: state,
		CodeChallenge: p.Challenge, Resource: srv.URL(),
	}.Values())
	if err != nil {
		t.Fatal(err)
	}
	cb, err := flows.AutoConsent(ctx, admin, authURL, flows.Expect{})
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	tc := flows.TokenClient{HTTP: admin.WithSessionToken(""), TokenURL: srv.URL() + "/oauth2/tokens",
		ClientID: app.ID, ClientSecret: secret, Method: flows.AuthPost}
	tok, err = tc.Exchange(ctx, cb.Code, flows.DefaultCallbackURL, p.Verifier, srv.URL())
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if err := flows.SaveTokens(ctx, h.store, srv.URL(), app.ID, tok); err != nil {
		t.Fatal(err)
	}
	return app.ID, tok
}

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat})
			h := newHarness(t)
			h.ok(srv.AdminSessionToken(), "login", srv.URL())
			id, first := keepFlowTokens(t, h, srv)
			ctx := context.Background()
			anon, _ := client.New(srv.URL(), "", client.Options{})

			out := h.ok("", "token", "show", "--client-id", id)
			mustContain(t, out, "access_token:", "masked")
			mustNotContain(t, out, first.AccessToken, first.RefreshToken)
			mustContain(t, h.ok("", "token", "show", "--client-id", id, "--reveal"), first.AccessToken)

			mustContain(t, h.ok("", "token", "use", "--client-id", id), "Token works for", "admin <admin@example.com>")

			r := h.run("", "token", "refresh", "--client-id", id, "-o", "json")
			if r.code != 0 {
				t.Fatalf("refresh: %s", r.stderr)
			}
			mustNotContain(t, r.stdout, first.AccessToken)
			second, err := flows.LoadTokens(ctx, h.store, srv.URL(), id)
			if err != nil || second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken {
				t.Fatalf("refresh did not keep new tokens: %v", err)
			}
			if _, err := anon.MeWithBearer(ctx, first.AccessToken); err == nil {
				t.Fatal("the old access token still works after refresh")
			}
			if _, err := anon.MeWithBearer(ctx, second.AccessToken); err != nil {
				t.Fatalf("the new access token does not work: %v", err)
			}

			h.ok("", "token", "revoke", "--client-id", id)
			if _, err := flows.LoadTokens(ctx, h.store, srv.URL(), id); !errors.Is(err, keyring.ErrNotFound) {
				t.Fatalf("tokens still kept after revoke: %v", err)
			}
			if _, err := anon.MeWithBearer(ctx, second.AccessToken); err == nil {
				t.Fatal("the access token still works after revoke")
			}
			mustContain(t, h.fail(1, "", "token", "use", "--client-id", id), "no tokens kept", "oauthdeck flow")
		})
	}
	h := newHarness(t)
	mustContain(t, h.fail(2, "", "token", "refresh", "--url", "http://127.0.0.1:1"), "--client-id is required")
	mustContain(t, h.fail(2, "", "token", "refresh", "--client-id", "x", "--client-secret", "s", "--url", "http://127.0.0.1:1"), "refusing --client-secret")
}

// TestTokenShowExpired: kept tokens past their expiry say so, rather than
// "in -1h0m0s"; and they stay masked.
func TestTokenShowExpired(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const url = "https://coder.example.com"
	expired := flows.Tokens{AccessToken: "abcdefghij-abcdefghijabcdefghij12", TokenType: "Bearer",
		Expiry: time.Now().Add(-time.Hour)}
	if err := flows.SaveTokens(context.Background(), h.store, url, "app-1", expired); err != nil {
		t.Fatal(err)
	}
	out := h.ok("", "token", "show", "--client-id", "app-1", url)
	mustContain(t, out, "(expired 1h0m", "tokens masked")
	mustNotContain(t, out, "in -", expired.AccessToken)
}
