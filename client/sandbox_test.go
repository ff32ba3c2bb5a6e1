package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

var bothCompats = []sandbox.Compat{sandbox.CompatV230, sandbox.CompatMain}

// startSandbox runs a sandbox deployment and returns it with an admin client.
func startSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sandbox.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func forEachCompat(t *testing.T, fn func(t *testing.T, compat sandbox.Compat)) {
	for _, compat := range bothCompats {
		t.Run(string(compat), func(t *testing.T) { fn(t, compat) })
	}
}

func wantAs[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("want %T, got %T: %v", target, err, err)
	}
	return target
}

func TestSandboxSession(t *testing.T) {
	t.Parallel()
	forEachCompat(t, func(t *testing.T, compat sandbox.Compat) {
		srv, admin := startSandbox(t, sandbox.Options{Compat: compat})
		ctx := context.Background()

		bi, err := admin.BuildInfo(ctx)
		if err != nil || !strings.HasPrefix(bi.Version, "v2.") {
			t.Fatalf("build info %+v, %v", bi, err)
		}
		enabled, known := bi.ProviderEnabled()
		if compat == sandbox.CompatMain && (!enabled || !known) || compat == sandbox.CompatV230 && known {
			t.Errorf("ProviderEnabled() = %v, %v on %s", enabled, known, compat)
		}

		anon := admin.WithSessionToken("")
		token, err := anon.Login(ctx, srv.AdminEmail(), srv.AdminPassword())
		if err != nil || token == "" {
			t.Fatalf("login: %q %v", token, err)
		}
		me, err := anon.WithSessionToken(token).Me(ctx)
		if err != nil || me.Username != "admin" || me.ID == "" || len(me.Roles) == 0 {
			t.Fatalf("me: %+v %v", me, err)
		}

		_, err = anon.Login(ctx, srv.AdminEmail(), "wrong password")
		api := wantAs[*client.APIError](t, err)
		if api.StatusCode != http.StatusUnauthorized || api.Message != "Incorrect email or password." {
			t.Errorf("bad login: %+v", api)
		}

		// §5: no credentials, and a garbage session token.
		_, err = anon.Me(ctx)
		se := wantAs[*client.SessionError](t, err)
		if !strings.Contains(se.Detail, "must be provided") {
			t.Errorf("session error detail %q", se.Detail)
		}
		_, err = anon.WithSessionToken("abc-def").Me(ctx)
		wantAs[*client.SessionError](t, err)
		_, err = anon.Apps(ctx)
		wantAs[*client.SessionError](t, err)
	})
}

func TestSandboxApps(t *testing.T) {
	t.Parallel()
	forEachCompat(t, func(t *testing.T, compat sandbox.Compat) {
		_, admin := startSandbox(t, sandbox.Options{Compat: compat})
		ctx := context.Background()

		apps, err := admin.Apps(ctx)
		if err != nil || apps == nil || len(apps) != 0 {
			t.Fatalf("empty list: %#v %v", apps, err)
		}
		a, err := admin.CreateApp(ctx, client.AppRequest{Name: "ref-client-a", CallbackURL: "http://127.0.0.1:9876/callback"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == "" || a.CallbackURL != "http://127.0.0.1:9876/callback" || len(a.RedirectURIs) != 1 ||
			!strings.HasSuffix(a.Endpoints.Token, "/oauth2/tokens") {
			t.Errorf("created app %+v", a)
		}
		// redirect_uris only: the client fills callback_url for v2.30.
		b, err := admin.CreateApp(ctx, client.AppRequest{Name: "ref-client-a", RedirectURIs: []string{"http://127.0.0.1:9877/cb"}})
		if err != nil || b.CallbackURL != "http://127.0.0.1:9877/cb" || b.ID == a.ID {
			t.Fatalf("second app (same name) %+v %v", b, err)
		}
		if _, err := admin.CreateApp(ctx, client.AppRequest{Name: "x", CallbackURL: "http://127.0.0.1:1/a", RedirectURIs: []string{"http://127.0.0.1:1/b"}}); err == nil {
			t.Error("mismatched callback_url and redirect_uris[0] accepted")
		}

		_, err = admin.CreateApp(ctx, client.AppRequest{Name: "bad name!", CallbackURL: "not a url"})
		api := wantAs[*client.APIError](t, err)
		if api.StatusCode != 400 || api.Message != "Validation failed." || len(api.Validations) == 0 || api.Validations[0].Field != "name" {
			t.Errorf("validation error %+v", api)
		}

		got, err := admin.App(ctx, a.ID)
		if err != nil || got.ID != a.ID || got.Name != "ref-client-a" {
			t.Fatalf("get %+v %v", got, err)
		}
		_, err = admin.App(ctx, "00000000-0000-0000-0000-000000000000")
		if api := wantAs[*client.APIError](t, err); api.StatusCode != 404 || api.Message != "OAuth2 application not found." {
			t.Errorf("missing app: %+v", api)
		}
		_, err = admin.App(ctx, "not-a-uuid")
		if api := wantAs[*client.APIError](t, err); api.StatusCode != 400 || !strings.HasPrefix(api.Message, "Invalid UUID") {
			t.Errorf("bad id: %+v", api)
		}

		up, err := admin.UpdateApp(ctx, a.ID, client.AppRequest{Name: "ref-client-a-renamed", CallbackURL: "http://127.0.0.1:9876/callback", Icon: "/icon/code.svg"})
		if err != nil || up.Name != "ref-client-a-renamed" || up.Icon != "/icon/code.svg" {
			t.Fatalf("update %+v %v", up, err)
		}
		apps, err = admin.Apps(ctx)
		if err != nil || len(apps) != 2 {
			t.Fatalf("list %d %v", len(apps), err)
		}

		// §6 secrets.
		s1, err := admin.CreateAppSecret(ctx, a.ID)
		if err != nil || !strings.HasPrefix(s1.ClientSecretFull, "coder_") {
			t.Fatalf("secret %+v %v", s1, err)
		}
		secrets, err := admin.AppSecrets(ctx, a.ID)
		if err != nil || len(secrets) != 1 || secrets[0].ClientSecretTruncated != s1.ClientSecretFull[len(s1.ClientSecretFull)-6:] {
			t.Fatalf("secrets %+v %v", secrets, err)
		}
		if err := admin.DeleteAppSecret(ctx, a.ID, s1.ID); err != nil {
			t.Fatal(err)
		}
		err = admin.DeleteAppSecret(ctx, a.ID, s1.ID)
		if api := wantAs[*client.APIError](t, err); api.StatusCode != 404 {
			t.Errorf("second secret delete: %+v", api)
		}
		if secrets, err := admin.AppSecrets(ctx, b.ID); err != nil || secrets == nil || len(secrets) != 0 {
			t.Errorf("no secrets: %#v %v", secrets, err)
		}

		if err := admin.DeleteApp(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		err = admin.DeleteApp(ctx, a.ID)
		if api := wantAs[*client.APIError](t, err); api.StatusCode != 404 {
			t.Errorf("second delete: %+v", api)
		}
	})
}

func TestSandboxMemberCannotCreate(t *testing.T) {
	t.Parallel()
	srv, admin := startSandbox(t, sandbox.Options{})
	_, token, err := srv.CreateUser("member@example.com", "member", "member-password-1", false)
	if err != nil {
		t.Fatal(err)
	}
	member := admin.WithSessionToken(token)
	if _, err := member.Apps(context.Background()); err != nil {
		t.Fatalf("members may list apps: %v", err)
	}
	_, err = member.CreateApp(context.Background(), client.AppRequest{Name: "m", CallbackURL: "http://127.0.0.1:1/cb"})
	if api := wantAs[*client.APIError](t, err); api.StatusCode != http.StatusForbidden && api.StatusCode != http.StatusNotFound {
		t.Errorf("member create: %+v", api)
	}
}

func TestSandboxProviderDisabled(t *testing.T) {
	t.Parallel()
	forEachCompat(t, func(t *testing.T, compat sandbox.Compat) {
		_, admin := startSandbox(t, sandbox.Options{Compat: compat, ProviderDisabled: true})
		ctx := context.Background()
		_, err := admin.Apps(ctx)
		pd := wantAs[*client.ProviderDisabledError](t, err)
		wantStatus := map[sandbox.Compat]int{sandbox.CompatV230: 403, sandbox.CompatMain: 404}[compat]
		if pd.StatusCode != wantStatus {
			t.Errorf("status %d, want %d", pd.StatusCode, wantStatus)
		}
		_, err = admin.CreateApp(ctx, client.AppRequest{Name: "x", CallbackURL: "http://127.0.0.1:1/cb"})
		wantAs[*client.ProviderDisabledError](t, err)
		_, err = admin.RegisterClient(ctx, "", client.ClientRegistrationRequest{RedirectURIs: []string{"http://127.0.0.1:1/cb"}})
		wantAs[*client.ProviderDisabledError](t, err)

		md, err := admin.AuthorizationServerMetadata(ctx, "")
		if compat == sandbox.CompatV230 {
			// v2.30 served discovery even with the experiment off.
			if err != nil || md.Doc.TokenEndpoint == "" {
				t.Errorf("v2.30 discovery: %v", err)
			}
		} else {
			wantAs[*client.ProviderDisabledError](t, err)
			if len(md.Tried) != 2 {
				t.Errorf("tried %+v", md.Tried)
			}
		}
		if bi, err := admin.BuildInfo(ctx); err != nil {
			t.Error(err)
		} else if enabled, known := bi.ProviderEnabled(); compat == sandbox.CompatMain && (enabled || !known) {
			t.Errorf("ProviderEnabled() = %v, %v", enabled, known)
		}
	})
}

func TestSandboxDiscovery(t *testing.T) {
	t.Parallel()
	forEachCompat(t, func(t *testing.T, compat sandbox.Compat) {
		srv, admin := startSandbox(t, sandbox.Options{Compat: compat})
		ctx := context.Background()
		md, err := admin.AuthorizationServerMetadata(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if md.Doc.Issuer != srv.URL() || md.URL != srv.URL()+"/.well-known/oauth-authorization-server" ||
			len(md.Tried) != 1 || md.Tried[0].StatusCode != 200 || len(md.Raw) == 0 {
			t.Errorf("metadata %+v from %s, tried %+v", md.Doc, md.URL, md.Tried)
		}
		if !contains(md.Doc.CodeChallengeMethodsSupported, "S256") {
			t.Errorf("S256 missing: %v", md.Doc.CodeChallengeMethodsSupported)
		}

		prm, err := admin.ProtectedResourceMetadata(ctx, "", "")
		if err != nil || prm.Doc.Resource != srv.URL() || !contains(prm.Doc.AuthorizationServers, srv.URL()) {
			t.Fatalf("PRM %+v %v", prm.Doc, err)
		}

		// §9: an unauthenticated call names the PRM in WWW-Authenticate.
		hint, err := admin.ProbeResource(ctx, http.MethodGet, "/api/v2/users/me")
		if err != nil || hint.StatusCode != 401 || hint.ResourceMetadata != srv.URL()+"/.well-known/oauth-protected-resource" {
			t.Fatalf("probe %+v %v", hint, err)
		}
		if len(hint.Challenges) != 1 || hint.Challenges[0].Params["error"] != "invalid_token" {
			t.Errorf("challenges %+v", hint.Challenges)
		}
		prm2, err := admin.ProtectedResourceMetadata(ctx, "", hint.ResourceMetadata)
		if err != nil || prm2.URL != hint.ResourceMetadata {
			t.Errorf("PRM via hint: %+v %v", prm2, err)
		}
		// §12: the MCP endpoint probed with an initialize POST.
		mcp, err := admin.ProbeResource(ctx, http.MethodPost, "/api/experimental/mcp/http")
		if err != nil || mcp.StatusCode != 401 || mcp.ResourceMetadata == "" {
			t.Errorf("MCP probe %+v %v", mcp, err)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestSandboxCodeFlowThroughDo drives authorize, token, bearer use and
// revoke with Do, and checks each error shape of §7, §8 and §10.
func TestSandboxCodeFlowThroughDo(t *testing.T) {
	t.Parallel()
	forEachCompat(t, func(t *testing.T, compat sandbox.Compat) {
		srv, admin := startSandbox(t, sandbox.Options{Compat: compat})
		ctx := context.Background()
		app, err := admin.CreateApp(ctx, client.AppRequest{Name: "flow", CallbackURL: "http://127.0.0.1:9876/callback"})
		if err != nil {
			t.Fatal(err)
		}
		secret, err := admin.CreateAppSecret(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		verifier := strings.Repeat("v", 43)
		sum := sha256.Sum256([]byte(verifier))
		challenge := base64.RawURLEncoding.EncodeToString(sum[:])
		authQuery := url.Values{"client_id": {app.ID}, "response_type": {"code"}, "redirect_uri": {app.CallbackURL},
			"state": {"st-1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}

		// §7: without a session, a 303 to /login.
		resp, err := admin.WithSessionToken("").Do(ctx, client.Request{Method: "POST", URL: "/oauth2/authorize", Query: authQuery})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("no-session authorize: %+v %v", resp, err)
		}
		wantAs[*client.SessionError](t, resp.Error(http.StatusFound))

		resp, err = admin.Do(ctx, client.Request{Method: "POST", URL: "/oauth2/authorize", Query: authQuery, WithSession: true})
		if err != nil || resp.StatusCode != http.StatusFound {
			t.Fatalf("authorize: %+v %v", resp, err)
		}
		loc, err := resp.Location()
		if err != nil || loc.Query().Get("state") != "st-1" || !strings.HasPrefix(loc.String(), app.CallbackURL+"?") {
			t.Fatalf("location %v %v", loc, err)
		}
		code := loc.Query().Get("code")

		tokenForm := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {app.ID},
			"client_secret": {secret.ClientSecretFull}, "code_verifier": {"wrong-" + verifier}, "redirect_uri": {app.CallbackURL}}
		resp, err = admin.Do(ctx, client.Request{URL: "/oauth2/tokens", Form: tokenForm})
		if err != nil {
			t.Fatal(err)
		}
		if oe := resp.OAuth2Error(); oe == nil || oe.Code != "invalid_grant" && oe.Code != "invalid_request" || oe.StatusCode != 400 {
			t.Fatalf("wrong verifier: %+v", oe)
		}
		if compat == sandbox.CompatMain {
			// main revokes the code after a PKCE failure; get a new one.
			resp, _ = admin.Do(ctx, client.Request{Method: "POST", URL: "/oauth2/authorize", Query: authQuery, WithSession: true})
			loc, _ = resp.Location()
			tokenForm.Set("code", loc.Query().Get("code"))
		}
		tokenForm.Set("code_verifier", verifier)
		resp, err = admin.Do(ctx, client.Request{URL: "/oauth2/tokens", Form: tokenForm})
		if err != nil || resp.StatusCode != 200 || resp.OAuth2Error() != nil {
			t.Fatalf("token: %+v %v", resp, err)
		}
		var tok client.TokenResponse
		if err := jsonDecode(resp.Body, &tok); err != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" {
			t.Fatalf("token body %s: %v", resp.Body, err)
		}

		// §9: the access token works as a bearer; a dead one is an APIError
		// carrying the challenge, not a SessionError.
		me, err := admin.WithSessionToken("").MeWithBearer(ctx, tok.AccessToken)
		if err != nil || me.Username != "admin" {
			t.Fatalf("bearer me: %+v %v", me, err)
		}
		_, err = admin.MeWithBearer(ctx, "abc-def")
		api := wantAs[*client.APIError](t, err)
		if api.StatusCode != 401 || !strings.Contains(api.WWWAuthenticate, "resource_metadata=") {
			t.Errorf("garbage bearer: %+v", api)
		}

		// §8: a reused code is invalid_grant, surfaced as *OAuth2Error by Response.Error.
		resp, _ = admin.Do(ctx, client.Request{URL: "/oauth2/tokens", Form: tokenForm})
		oe := wantAs[*client.OAuth2Error](t, resp.Error(http.StatusOK))
		if oe.Code != "invalid_grant" {
			t.Errorf("reused code: %+v", oe)
		}

		// §10: revoke, then the token is dead.
		resp, err = admin.Do(ctx, client.Request{URL: "/oauth2/revoke", Form: url.Values{"token": {tok.RefreshToken},
			"token_type_hint": {"refresh_token"}, "client_id": {app.ID}, "client_secret": {secret.ClientSecretFull}}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("revoke %+v %v", resp, err)
		}
		if _, err := admin.MeWithBearer(ctx, tok.AccessToken); err == nil {
			t.Error("revoked token still works")
		}
		_ = srv
	})
}

func jsonDecode(b []byte, v any) error { return json.Unmarshal(b, v) }
