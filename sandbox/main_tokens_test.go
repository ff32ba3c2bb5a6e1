package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oauthdeck/pkce"
)

const basicRealm = `Basic realm="coder"`

// mainCode returns a code and its verifier.
func mainCode(t *testing.T, f fixture, extra url.Values) (string, string) {
	t.Helper()
	p := pkce.New()
	q := url.Values{"response_type": {"code"}, "code_challenge": {p.Challenge}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	return f.code(t, q), p.Verifier
}

func TestMainTokenEndpoint(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	a := newFixture(t, s, "http://127.0.0.1:9876/callback")
	b := newFixture(t, s, "http://127.0.0.1:9877/cb")
	codeForm := func(code, verifier string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier}}
	}
	post := func(form url.Values, headers map[string]string, query string) resp {
		return call(t, s, req{method: "POST", path: "/oauth2/tokens" + query, form: form, headers: headers})
	}

	// client_secret_basic works, with no-store and the negotiated scope.
	code, ver := mainCode(t, a, nil)
	r := post(codeForm(code, ver), map[string]string{"Authorization": basicAuth(a.appID, a.secret)}, "")
	expect(t, r, 200, "")
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Pragma") != "no-cache" {
		t.Errorf("token headers %v", r.header)
	}
	var tok tokenJSON
	r.decode(t, &tok)
	if tok.Scope != "coder:all" || tok.ExpiresIn < 86398 {
		t.Errorf("token %+v", tok)
	}

	// Conflicting credentials, secret in the query, bad Basic secret.
	code, ver = mainCode(t, a, nil)
	conflict := codeForm(code, ver)
	conflict.Set("client_id", b.appID)
	expect(t, post(conflict, map[string]string{"Authorization": basicAuth(a.appID, a.secret)}, ""), 400,
		`{"error":"invalid_request","error_description":"Conflicting client credentials between Authorization header and request body"}`)
	withID := codeForm(code, ver)
	withID.Set("client_id", a.appID)
	expect(t, post(withID, nil, "?client_secret="+url.QueryEscape(a.secret)), 400, "")
	r = post(codeForm(code, ver), map[string]string{"Authorization": basicAuth(a.appID, b.secret)}, "")
	expect(t, r, 401, errBadClient)
	if r.header.Get("WWW-Authenticate") != basicRealm || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("401 headers %v", r.header)
	}
	// Missing secret is a failed client authentication too.
	r = post(withID, nil, "")
	expect(t, r, 401, errBadClient)

	// Codes are bound to their app.
	cross := codeForm(code, ver)
	cross.Set("client_id", b.appID)
	cross.Set("client_secret", b.secret)
	expect(t, post(cross, nil, ""), 400, errBadCode)

	// A malformed verifier is invalid_request; a wrong one burns the code.
	good := codeForm(code, ver)
	good.Set("client_id", a.appID)
	good.Set("client_secret", a.secret)
	bad := codeForm(code, "short")
	bad.Set("client_id", a.appID)
	bad.Set("client_secret", a.secret)
	r = post(bad, nil, "")
	if r.status != 400 || !jsonField(t, r, "error", "invalid_request") {
		t.Errorf("malformed verifier: %d %s", r.status, r.body)
	}
	bad.Set("code_verifier", pkce.New().Verifier)
	expect(t, post(bad, nil, ""), 400, errBadVerifier)
	expect(t, post(good, nil, ""), 400, errBadCode)

	// A code bound to an explicit redirect_uri needs the same one back.
	code, ver = mainCode(t, a, url.Values{"redirect_uri": {"http://127.0.0.1:5555/callback"}})
	bound := codeForm(code, ver)
	bound.Set("client_id", a.appID)
	bound.Set("client_secret", a.secret)
	bound.Set("redirect_uri", a.callback)
	r = post(bound, nil, "")
	if r.status != 400 || !jsonField(t, r, "error", "invalid_grant") {
		t.Errorf("redirect mismatch: %d %s", r.status, r.body)
	}
	bound.Set("redirect_uri", "http://127.0.0.1:5555/callback")
	expect(t, post(bound, nil, ""), 200, "")
}

func jsonField(t *testing.T, r resp, key, want string) bool {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m[key] == want
}

func TestMainRefreshAndRevokeAuthenticate(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	a := newFixture(t, s, "http://127.0.0.1:9876/callback")
	b := newFixture(t, s, "http://127.0.0.1:9877/cb")
	tok := a.flow(t, url.Values{})
	refresh := func(clientID, secret string) resp {
		return a.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {clientID}, "client_secret": {secret}})
	}
	r := refresh(a.appID, "")
	expect(t, r, 401, errBadClient)
	if r.header.Get("WWW-Authenticate") != basicRealm {
		t.Errorf("refresh 401 header %v", r.header)
	}
	expect(t, refresh(a.appID, b.secret), 401, errBadClient)
	expect(t, refresh(b.appID, b.secret), 400, errBadRefresh) // bound to app A
	// Refusals did not consume it; narrowing the scope works, widening does not.
	narrow := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {a.appID}, "client_secret": {a.secret}, "scope": {"user:read_personal"}}
	r = a.token(t, narrow)
	expect(t, r, 200, "")
	var tok2 tokenJSON
	r.decode(t, &tok2)
	if tok2.Scope != "user:read_personal" {
		t.Errorf("narrowed scope %q", tok2.Scope)
	}
	expect(t, a.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok2.RefreshToken}, "client_id": {a.appID}, "client_secret": {a.secret}, "scope": {"coder:all"}}),
		400, `{"error":"invalid_scope","error_description":"The requested scope exceeds the scope originally granted"}`)

	revoke := func(form url.Values) resp { return call(t, s, req{method: "POST", path: "/oauth2/revoke", form: form}) }
	r = revoke(url.Values{"token": {tok2.RefreshToken}, "client_id": {a.appID}})
	expect(t, r, 401, errBadClient)
	expect(t, me(t, s, tok2.AccessToken), 200, "")
	expect(t, revoke(url.Values{"token": {tok2.RefreshToken}, "client_id": {a.appID}, "client_secret": {b.secret}}), 401, errBadClient)
	expect(t, me(t, s, tok2.AccessToken), 200, "")
	r = call(t, s, req{method: "POST", path: "/oauth2/revoke", form: url.Values{"token": {tok2.RefreshToken}}, headers: map[string]string{"Authorization": basicAuth(a.appID, a.secret)}})
	expect(t, r, 200, "")
	expect(t, me(t, s, tok2.AccessToken), 401, "")
	expect(t, call(t, s, req{method: "POST", path: "/oauth2/revoke?client_secret=x", form: url.Values{"token": {"t"}, "client_id": {a.appID}}}), 400, "")
}

func TestMainDCRAndPublicClients(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	reg := map[string]any{"client_name": "pub", "redirect_uris": []string{"http://127.0.0.1:9876/callback", "http://127.0.0.1:9877/cb"}, "token_endpoint_auth_method": "none"}
	r := call(t, s, req{method: "POST", path: "/oauth2/register", json: reg})
	expect(t, r, http.StatusForbidden, `{"error":"access_denied","error_description":"Dynamic client registration is disabled"}`)

	// The owner switches DCR on through the settings API.
	expect(t, call(t, s, req{method: "PUT", path: "/api/v2/oauth2-provider/settings", session: s.AdminSessionToken(), json: map[string]bool{"dynamic_client_registration_enabled": true}}),
		200, `{"dynamic_client_registration_enabled":true}`)
	r = call(t, s, req{method: "POST", path: "/oauth2/register", json: reg})
	expect(t, r, 201, "")
	var out map[string]any
	r.decode(t, &out)
	if _, ok := out["client_secret"]; ok {
		t.Fatalf("public client got a secret: %s", r.body)
	}
	id := out["client_id"].(string)
	expect(t, call(t, s, req{method: "POST", path: "/api/v2/oauth2-provider/apps/" + id + "/secrets", session: s.AdminSessionToken()}), 400, "")
	// 2.38's app fields: what the app is and how it came to be.
	var app struct {
		ClientType            string `json:"client_type"`
		DynamicallyRegistered bool   `json:"dynamically_registered"`
	}
	call(t, s, req{method: "GET", path: "/api/v2/oauth2-provider/apps/" + id, session: s.AdminSessionToken()}).decode(t, &app)
	if app.ClientType != "public" || !app.DynamicallyRegistered {
		t.Errorf("the registered public client reads %+v", app)
	}
	made := newFixture(t, s, "http://127.0.0.1:9876/callback")
	call(t, s, req{method: "GET", path: "/api/v2/oauth2-provider/apps/" + made.appID, session: s.AdminSessionToken()}).decode(t, &app)
	if app.ClientType != "confidential" || app.DynamicallyRegistered {
		t.Errorf("an app made through the API reads %+v", app)
	}

	// PKCE alone is enough; every registered URI is usable.
	f := fixture{s: s, appID: id, callback: "http://127.0.0.1:9877/cb"}
	code, ver := mainCode(t, f, url.Values{"redirect_uri": {"http://127.0.0.1:9877/cb"}})
	r = f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {ver}, "client_id": {id}, "redirect_uri": {"http://127.0.0.1:9877/cb"}})
	expect(t, r, 200, "")
	var tok tokenJSON
	r.decode(t, &tok)
	expect(t, me(t, s, tok.AccessToken), 200, "")
	// Public refresh rotates without a secret.
	expect(t, f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {id}}), 200, "")

	// Public clients may not use mailto:; switching type via PUT is refused.
	r = call(t, s, req{method: "POST", path: "/oauth2/register", json: map[string]any{"redirect_uris": []string{"mailto:a@b.c"}, "token_endpoint_auth_method": "none"}})
	expect(t, r, 400, "")
	put := map[string]any{"redirect_uris": []string{"http://127.0.0.1:9876/callback"}, "token_endpoint_auth_method": "client_secret_basic"}
	r = call(t, s, req{method: "PUT", path: "/oauth2/clients/" + id, json: put, headers: map[string]string{"Authorization": "Bearer " + out["registration_access_token"].(string)}})
	expect(t, r, 400, `{"error":"invalid_client_metadata","error_description":"token_endpoint_auth_method cannot switch a client between public and confidential"}`)
}

func TestMainAppsAPI(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	tok := s.AdminSessionToken()
	apps := "/api/v2/oauth2-provider/apps"
	r := call(t, s, req{method: "POST", path: apps, session: tok, json: map[string]any{
		"name": "multi", "redirect_uris": []string{"http://127.0.0.1:1/cb", "http://127.0.0.1:1/cb", "com.example.app:/cb"}, "scope": "user:read_personal"}})
	expect(t, r, 201, "")
	var a struct {
		ID           string   `json:"id"`
		CallbackURL  string   `json:"callback_url"`
		RedirectURIs []string `json:"redirect_uris"`
		Scope        string   `json:"scope"`
	}
	r.decode(t, &a)
	if a.CallbackURL != "http://127.0.0.1:1/cb" || len(a.RedirectURIs) != 2 || a.Scope != "user:read_personal" {
		t.Errorf("main app %s", r.body)
	}
	for name, body := range map[string]map[string]any{
		"callback differs": {"name": "x", "callback_url": "http://127.0.0.1:2/cb", "redirect_uris": []string{"http://127.0.0.1:1/cb"}},
		"http non-local":   {"name": "x", "redirect_uris": []string{"http://example.com/cb"}},
		"javascript":       {"name": "x", "redirect_uris": []string{"javascript:alert(1)"}},
		"too many":         {"name": "x", "redirect_uris": make([]string, 33)},
		"none":             {"name": "x"},
		"unknown scope":    {"name": "x", "redirect_uris": []string{"http://127.0.0.1:1/cb"}, "scope": "root:all"},
	} {
		if r := call(t, s, req{method: "POST", path: apps, session: tok, json: body}); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	expect(t, call(t, s, req{method: "POST", path: apps, session: tok, json: map[string]any{"name": "x", "callback_url": "http://127.0.0.1:2/cb", "redirect_uris": []string{"http://127.0.0.1:1/cb"}}}),
		400, `{"message":"Validation failed.","validations":[{"field":"callback_url","detail":"callback URL must equal the first redirect URI when both are sent"}]}`)
	expect(t, call(t, s, req{path: apps + "?user_id=" + adminID(t, s), session: tok}), 200, `[]`)

	// The allowlist drives scope negotiation.
	f := fixture{s: s, appID: a.ID, callback: "http://127.0.0.1:1/cb"}
	p := pkce.New()
	errorRedirect(t, f.authorize(t, url.Values{"response_type": {"code"}, "code_challenge": {p.Challenge}, "scope": {"coder:all"}}), f.callback, "invalid_scope", "")
}

func TestMainScopeEnforcedOnAPI(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	narrow := f.flow(t, url.Values{"scope": {"user:read_personal"}})
	if narrow.Scope != "user:read_personal" {
		t.Fatalf("scope %q", narrow.Scope)
	}
	expect(t, me(t, s, narrow.AccessToken), 200, "")
	r := call(t, s, req{path: "/api/v2/oauth2-provider/apps", headers: map[string]string{"Authorization": "Bearer " + narrow.AccessToken}})
	if r.status != 403 || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) || !strings.Contains(r.header.Get("WWW-Authenticate"), `scope="coder:all"`) {
		t.Errorf("narrow token on apps API: %d %v", r.status, r.header)
	}
	other := f.flow(t, url.Values{"scope": {"workspace:read"}})
	expect(t, me(t, s, other.AccessToken), 403, "")
	full := f.flow(t, url.Values{})
	expect(t, call(t, s, req{path: "/api/v2/oauth2-provider/apps", headers: map[string]string{"Authorization": "Bearer " + full.AccessToken}}), 200, "")
}

// TestMainUsersAuthenticateBeforeMethod: like the measured releases, main
// answers an unauthenticated HEAD on /users/me with the 401 challenge (what
// Coder's test-mcp-oauth2.sh probes with curl -I), and 405 once signed in.
func TestMainUsersAuthenticateBeforeMethod(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	r := call(t, s, req{method: http.MethodHead, path: "/api/v2/users/me"})
	if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), "resource_metadata=") {
		t.Errorf("HEAD without credentials: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	r = call(t, s, req{method: http.MethodHead, path: "/api/v2/users/me", session: s.AdminSessionToken()})
	if r.status != http.StatusMethodNotAllowed || len(r.header.Values("Allow")) != 2 {
		t.Errorf("HEAD with a session: %d Allow %v", r.status, r.header.Values("Allow"))
	}
}
