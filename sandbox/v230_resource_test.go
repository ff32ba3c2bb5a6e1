package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func wwwAuth(s *Server) string {
	return fmt.Sprintf(`Bearer realm="coder", error="invalid_token", error_description="The access token has expired", resource_metadata="%s/.well-known/oauth-protected-resource"`, s.URL())
}

func TestV230ResourceSide(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	tok := f.flow(t, url.Values{"resource": {s.URL()}})

	r := me(t, s, tok.AccessToken)
	expect(t, r, 200, "")
	if !regexp.MustCompile(`^\{"id":"[0-9a-f-]{36}","username":"admin","name":"Admin","email":"admin@example.com","created_at":"[^"]+","updated_at":"[^"]+","last_seen_at":"[^"]+","status":"active","login_type":"password","organization_ids":\["[0-9a-f-]{36}"\],"roles":\[\{"name":"owner","display_name":"Owner"\}\]\}\n$`).Match(r.body) {
		t.Errorf("users/me body %s", r.body)
	}
	// Every way of sending the token works.
	for name, q := range map[string]req{
		"access_token query":  {path: "/api/v2/users/me?access_token=" + tok.AccessToken},
		"session query":       {path: "/api/v2/users/me?coder_session_token=" + tok.AccessToken},
		"session header":      {path: "/api/v2/users/me", session: tok.AccessToken},
		"cookie":              {path: "/api/v2/users/me", headers: map[string]string{"Cookie": "coder_session_token=" + tok.AccessToken}},
		"lower-case bearer":   {path: "/api/v2/users/me", headers: map[string]string{"Authorization": "bearer  " + tok.AccessToken}},
		"cookie wins (order)": {path: "/api/v2/users/me?access_token=junk", headers: map[string]string{"Cookie": "coder_session_token=" + tok.AccessToken}},
	} {
		if r := call(t, s, q); r.status != 200 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	// Header beats bearer: a bad Coder-Session-Token fails even with a good bearer.
	r = call(t, s, req{path: "/api/v2/users/me", session: "abc-def", headers: map[string]string{"Authorization": "Bearer " + tok.AccessToken}})
	expect(t, r, 401, "")

	r = call(t, s, req{path: "/api/v2/users/me"})
	expect(t, r, 401, signedOut401)
	if r.header.Get("WWW-Authenticate") != wwwAuth(s) {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	r = me(t, s, "abc-def")
	expect(t, r, 401, `{"message":"You are signed out or your session has expired. Please sign in again to continue.","detail":"Invalid API key format: invalid API key ID length, expected 10 got 3"}`)
	if r.header.Get("WWW-Authenticate") != wwwAuth(s) {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	expect(t, me(t, s, "nodash"), 401, `{"message":"You are signed out or your session has expired. Please sign in again to continue.","detail":"Invalid API key format: incorrect amount of API key parts, expected 2 got 1"}`)
	expect(t, me(t, s, "aaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbb"), 401, `{"message":"You are signed out or your session has expired. Please sign in again to continue.","detail":"API key is invalid."}`)
	expect(t, me(t, s, tok.AccessToken[:11]+strings.Repeat("x", 22)), 401, `{"message":"You are signed out or your session has expired. Please sign in again to continue.","detail":"API key secret is invalid."}`)

	// A token for another audience: 403 with insufficient_scope.
	foreign := f.flow(t, url.Values{"resource": {"https://api.example.com"}})
	r = me(t, s, foreign.AccessToken)
	expect(t, r, http.StatusForbidden, `{"message":"Token audience validation failed"}`)
	want := fmt.Sprintf(`Bearer realm="coder", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token", resource_metadata="%s/.well-known/oauth-protected-resource"`, s.URL())
	if r.header.Get("WWW-Authenticate") != want {
		t.Errorf("403 WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	// No audience at all: accepted. Trailing slash normalises away.
	expect(t, me(t, s, f.flow(t, url.Values{}).AccessToken), 200, "")
	expect(t, me(t, s, f.flow(t, url.Values{"resource": {s.URL() + "/"}}).AccessToken), 200, "")
}

func TestV230Revoke(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	other := newFixture(t, s, "http://127.0.0.1:9877/cb")
	revoke := func(form url.Values) resp { return call(t, s, req{method: "POST", path: "/oauth2/revoke", form: form}) }

	tok := f.flow(t, url.Values{})
	r := revoke(url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}, "client_id": {f.appID}})
	if r.status != 200 || len(r.body) != 0 {
		t.Fatalf("revoke refresh: %d %q", r.status, r.body)
	}
	expect(t, me(t, s, tok.AccessToken), 401, "")
	expect(t, f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {f.appID}}), 400, errBadRefresh)

	tok = f.flow(t, url.Values{})
	expect(t, revoke(url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}, "client_id": {f.appID}}), 200, "")
	expect(t, me(t, s, tok.AccessToken), 401, "")

	expect(t, revoke(url.Values{"token": {"coder_aaaaaaaaaa_" + strings.Repeat("b", 40)}, "client_id": {f.appID}}), 200, "")
	expect(t, revoke(url.Values{"token": {"garbage"}, "client_id": {f.appID}}), 400, `{"error":"invalid_request","error_description":"Invalid token format"}`)
	expect(t, revoke(url.Values{"client_id": {f.appID}}), 400, `{"error":"invalid_request","error_description":"missing token parameter"}`)
	expect(t, revoke(url.Values{"token": {"x"}}), 400, errNoClientID)

	// A wrong secret is not checked; another app's client_id revokes nothing.
	tok = f.flow(t, url.Values{})
	expect(t, revoke(url.Values{"token": {tok.RefreshToken}, "client_id": {other.appID}}), 200, "")
	expect(t, me(t, s, tok.AccessToken), 200, "")
	expect(t, revoke(url.Values{"token": {tok.RefreshToken}, "client_id": {f.appID}, "client_secret": {other.secret}}), 200, "")
	expect(t, me(t, s, tok.AccessToken), 401, "")

	// DELETE /oauth2/tokens?client_id= with the user's session.
	tok = f.flow(t, url.Values{})
	expect(t, call(t, s, req{method: "DELETE", path: "/oauth2/tokens?client_id=" + f.appID}), 401, signedOut401)
	expect(t, call(t, s, req{method: "DELETE", path: "/oauth2/tokens?client_id=" + f.appID, session: s.AdminSessionToken()}), 204, "")
	expect(t, me(t, s, tok.AccessToken), 401, "")
}

func TestV230MCP(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	r := call(t, s, req{method: "POST", path: "/api/experimental/mcp/http", raw: init})
	if r.status != 401 || r.header.Get("WWW-Authenticate") != wwwAuth(s) {
		t.Fatalf("MCP without token: %d %v", r.status, r.header)
	}
	tok := f.flow(t, url.Values{"resource": {s.URL()}})
	r = call(t, s, req{method: "POST", path: "/api/experimental/mcp/http", raw: init, headers: map[string]string{"Authorization": "Bearer " + tok.AccessToken}})
	expect(t, r, 200, `{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{"listChanged":true}},"serverInfo":{"name":"Coder","version":"v2.30.0"},"instructions":"Coder MCP Server providing workspace and template management tools"}}`)
	if !regexp.MustCompile(`^mcp-session-[0-9a-f-]{36}$`).MatchString(r.header.Get("Mcp-Session-Id")) {
		t.Errorf("Mcp-Session-Id %q", r.header.Get("Mcp-Session-Id"))
	}
	foreign := f.flow(t, url.Values{"resource": {"https://api.example.com"}})
	r = call(t, s, req{method: "POST", path: "/api/experimental/mcp/http", raw: init, headers: map[string]string{"Authorization": "Bearer " + foreign.AccessToken}})
	expect(t, r, 403, `{"message":"Token audience validation failed"}`)
	r = call(t, s, req{method: "POST", path: "/api/experimental/mcp/http", raw: "<html>", session: s.AdminSessionToken()})
	expect(t, r, 400, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`)
}
