package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// flowFixture is an app with a secret and helpers to run the code flow by hand.
type flowFixture struct {
	t      *testing.T
	admin  *client.Client
	app    client.App
	secret string
}

func newFlowFixture(t *testing.T, compat sandbox.Compat) *flowFixture {
	t.Helper()
	_, admin := startSandbox(t, sandbox.Options{Compat: compat})
	ctx := context.Background()
	app, err := admin.CreateApp(ctx, client.AppRequest{Name: "errs", CallbackURL: "http://127.0.0.1:9876/callback"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := admin.CreateAppSecret(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &flowFixture{t: t, admin: admin, app: app, secret: s.ClientSecretFull}
}

const fixtureVerifier = "fixture-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"

func (f *flowFixture) authorizeQuery(extra url.Values) url.Values {
	sum := sha256.Sum256([]byte(fixtureVerifier))
	q := url.Values{"client_id": {f.app.ID}, "response_type": {"code"}, "redirect_uri": {f.app.CallbackURL}, "state": {"s"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	return q
}

func (f *flowFixture) authorize(extra url.Values) *client.Response {
	f.t.Helper()
	resp, err := f.admin.Do(context.Background(), client.Request{Method: "POST", URL: "/oauth2/authorize", Query: f.authorizeQuery(extra), WithSession: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return resp
}

// token runs a full authorize + exchange; extra goes to both steps.
func (f *flowFixture) token(extra url.Values) client.TokenResponse {
	f.t.Helper()
	loc, err := f.authorize(extra).Location()
	if err != nil {
		f.t.Fatal(err)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "client_id": {f.app.ID},
		"client_secret": {f.secret}, "code_verifier": {fixtureVerifier}, "redirect_uri": {f.app.CallbackURL}}
	for k, v := range extra {
		form[k] = v
	}
	resp, err := f.admin.Do(context.Background(), client.Request{URL: "/oauth2/tokens", Form: form})
	if err != nil || resp.StatusCode != 200 {
		f.t.Fatalf("token: %v %v", resp.Error(200), err)
	}
	var tok client.TokenResponse
	if err := jsonDecode(resp.Body, &tok); err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func (f *flowFixture) post(path string, form url.Values) *client.Response {
	f.t.Helper()
	resp, err := f.admin.Do(context.Background(), client.Request{URL: path, Form: form})
	if err != nil {
		f.t.Fatal(err)
	}
	return resp
}

// TestSandboxErrorShapes checks how the client surfaces the error bodies of
// coder-v2.30-observed.md §5 and §7–§10 that the other tests do not reach.
func TestSandboxErrorShapes(t *testing.T) {
	t.Parallel()
	forEachCompat(t, func(t *testing.T, compat sandbox.Compat) {
		f := newFlowFixture(t, compat)
		ctx := context.Background()

		// §5: apps a user holds tokens for; none is [] on main and null on v2.30, both an empty list here.
		me, err := f.admin.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held, err := f.admin.AppsAuthorizedBy(ctx, me.ID)
		if err != nil || held == nil || len(held) != 0 {
			t.Fatalf("no tokens yet: %#v %v", held, err)
		}
		_, err = f.admin.AppsAuthorizedBy(ctx, "bad")
		if api := wantAs[*client.APIError](t, err); api.StatusCode != 400 || api.Message != "Invalid user UUID" {
			t.Errorf("bad user id: %+v", api)
		}

		// §7 (v2.30): a redirect_uri on another port stays on Coder as a
		// 400 and plain PKCE is a JSON error. main accepts any loopback port
		// (RFC 8252) and sends authorize errors to the callback instead.
		resp := f.authorize(url.Values{"redirect_uri": {"http://127.0.0.1:9999/callback"}})
		plain := f.authorize(url.Values{"code_challenge_method": {"plain"}})
		if compat == sandbox.CompatV230 {
			if oe := wantAs[*client.OAuth2Error](t, resp.Error(http.StatusFound)); oe.StatusCode != 400 || !strings.Contains(oe.Description, "redirect_uri") {
				t.Errorf("wrong redirect_uri: %+v", oe)
			}
			if oe := wantAs[*client.OAuth2Error](t, plain.Error(http.StatusFound)); oe.Code != "invalid_request" || !strings.Contains(oe.Description, "plain") {
				t.Errorf("plain PKCE: %+v", oe)
			}
		} else {
			if loc, err := resp.Location(); err != nil || resp.StatusCode != 302 || loc.Port() != "9999" || loc.Query().Get("code") == "" {
				t.Errorf("loopback port variance: %d %v %v", resp.StatusCode, loc, err)
			}
			if loc, err := plain.Location(); err != nil || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "s" {
				t.Errorf("plain PKCE on main: %v %v", loc, err)
			}
			// Through a typed path this would be a refused redirect, never followed.
			wantAs[*client.RedirectError](t, plain.Error(http.StatusOK))
		}
		// unknown client.
		resp = f.authorize(url.Values{"client_id": {"00000000-0000-0000-0000-000000000000"}})
		if oe := wantAs[*client.OAuth2Error](t, resp.Error(http.StatusFound)); oe.StatusCode != 401 || oe.Code != "invalid_client" {
			t.Errorf("unknown client: %+v", oe)
		}

		// §8: a wrong client secret is 401 invalid_client; a missing grant type is unsupported_grant_type.
		loc, _ := f.authorize(nil).Location()
		resp = f.post("/oauth2/tokens", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"client_id": {f.app.ID}, "client_secret": {"coder_aaaaaaaaaa_" + strings.Repeat("b", 40)}, "code_verifier": {fixtureVerifier}})
		if oe := resp.OAuth2Error(); oe == nil || oe.StatusCode != 401 || oe.Code != "invalid_client" {
			t.Errorf("wrong secret: %+v", oe)
		}
		resp = f.post("/oauth2/tokens", url.Values{"client_id": {f.app.ID}, "client_secret": {f.secret}})
		if oe := resp.OAuth2Error(); oe == nil || oe.Code != "unsupported_grant_type" {
			t.Errorf("no grant type: %+v", oe)
		}

		// §9: a token whose audience is another resource gets 403 with insufficient_scope.
		tok := f.token(url.Values{"resource": {"https://api.example.com"}})
		_, err = f.admin.WithSessionToken("").MeWithBearer(ctx, tok.AccessToken)
		api := wantAs[*client.APIError](t, err)
		if api.StatusCode != 403 || api.Message != "Token audience validation failed" || !strings.Contains(api.WWWAuthenticate, "insufficient_scope") {
			t.Errorf("audience: %+v", api)
		}
		held, err = f.admin.AppsAuthorizedBy(ctx, me.ID)
		if err != nil || len(held) != 1 || held[0].ID != f.app.ID {
			t.Errorf("apps held after a token: %+v %v", held, err)
		}

		// §10: revoking garbage is invalid_request "Invalid token format".
		resp = f.post("/oauth2/revoke", url.Values{"token": {"garbage"}, "client_id": {f.app.ID}, "client_secret": {f.secret}})
		if oe := resp.OAuth2Error(); oe == nil || oe.Code != "invalid_request" || oe.Description != "Invalid token format" {
			t.Errorf("revoke garbage: %+v", oe)
		}
	})
}
