package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

// Observed §4, with the real server's access URL as a placeholder.
const observedASMetadata = `{"issuer":"http://127.0.0.1:3000","authorization_endpoint":"http://127.0.0.1:3000/oauth2/authorize","token_endpoint":"http://127.0.0.1:3000/oauth2/tokens","registration_endpoint":"http://127.0.0.1:3000/oauth2/register","revocation_endpoint":"http://127.0.0.1:3000/oauth2/revoke","response_types_supported":["code"],"grant_types_supported":["authorization_code","refresh_token"],"code_challenge_methods_supported":["S256"],"scopes_supported":["api_key:*","api_key:create","api_key:delete","api_key:read","api_key:update","coder:all","coder:apikeys.manage_self","coder:application_connect","coder:templates.author","coder:templates.build","coder:workspaces.access","coder:workspaces.create","coder:workspaces.delete","coder:workspaces.operate","file:*","file:create","file:read","organization:*","organization:delete","organization:read","organization:update","task:*","task:create","task:delete","task:read","task:update","template:*","template:create","template:delete","template:read","template:update","template:use","user:read_personal","user:update_personal","user_secret:*","user_secret:create","user_secret:delete","user_secret:read","user_secret:update","workspace:*","workspace:application_connect","workspace:create","workspace:delete","workspace:read","workspace:ssh","workspace:start","workspace:stop","workspace:update"],"token_endpoint_auth_methods_supported":["client_secret_post"]}`

func observedScopes() string {
	i := strings.Index(observedASMetadata, `"scopes_supported":`)
	j := strings.Index(observedASMetadata, `,"token_endpoint_auth_methods_supported"`)
	return observedASMetadata[i:j]
}

func withURL(s *Server, doc string) string {
	return strings.ReplaceAll(doc, "http://127.0.0.1:3000", s.URL())
}

func TestV230Discovery(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	if n := strings.Count(observedScopes(), ","); n != 47 {
		t.Fatalf("observed list should hold 48 scopes, counted %d", n+1)
	}
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/oauth2", "/.well-known/oauth-authorization-server/foo/bar"} {
		r := call(t, s, req{path: path})
		expect(t, r, http.StatusOK, withURL(s, observedASMetadata))
		if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
			t.Errorf("%s Content-Type %q", path, got)
		}
	}
	prm := `{"resource":"http://127.0.0.1:3000","authorization_servers":["http://127.0.0.1:3000"],` + observedScopes() + `,"bearer_methods_supported":["header","query"]}`
	expect(t, call(t, s, req{path: "/.well-known/oauth-protected-resource"}), http.StatusOK, withURL(s, prm))

	for _, m := range []string{"HEAD", "POST"} {
		r := call(t, s, req{method: m, path: "/.well-known/oauth-authorization-server"})
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET" {
			t.Errorf("%s metadata: status %d Allow %q", m, r.status, r.header.Values("Allow"))
		}
	}
	r := call(t, s, req{path: "/.well-known/openid-configuration"})
	expect(t, r, http.StatusOK, "")
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || strings.HasPrefix(r.text(), "{") {
		t.Errorf("openid-configuration must be the SPA page, got %q %q", r.header.Get("Content-Type"), r.body)
	}
}

func TestV230HeadersAndCORS(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	r := call(t, s, req{path: "/api/v2/buildinfo"})
	expect(t, r, http.StatusOK, "")
	h := r.header
	if h.Get("X-Coder-Build-Version") != "v2.30.0" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!reUUID.MatchString(h.Get("X-Coder-Request-Id")) || h.Get("X-Ratelimit-Limit") != "512" {
		t.Errorf("common headers: %v", h)
	}
	if c := h.Get("Set-Cookie"); !strings.HasPrefix(c, "csrf_token=") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Errorf("csrf cookie: %q", c)
	}
	var info map[string]any
	r.decode(t, &info)
	if info["version"] != "v2.30.0" {
		t.Errorf("version %v", info["version"])
	}
	if _, ok := info["oauth2_provider"]; ok {
		t.Error("v2.30 buildinfo must not carry oauth2_provider")
	}

	r = call(t, s, req{path: "/.well-known/oauth-authorization-server", headers: map[string]string{"Origin": "http://127.0.0.1:5173"}})
	if r.header.Get("Access-Control-Allow-Origin") != "*" ||
		r.header.Get("Access-Control-Expose-Headers") != "Content-Type, Authorization, X-Api-Key, Mcp-Session-Id, Mcp-Protocol-Version" ||
		r.header.Get("X-Ratelimit-Limit") != "" {
		t.Errorf("CORS on metadata: %v", r.header)
	}
	for path, method := range map[string]string{"/oauth2/tokens": "POST", "/oauth2/register": "POST", "/.well-known/oauth-authorization-server": "GET"} {
		r := call(t, s, req{method: "OPTIONS", path: path, headers: map[string]string{
			"Origin": "http://127.0.0.1:5173", "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "content-type"}})
		if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "*" ||
			r.header.Get("Access-Control-Allow-Methods") != method || r.header.Get("Access-Control-Allow-Headers") != "Content-Type" ||
			r.header.Get("Access-Control-Max-Age") != "86400" {
			t.Errorf("preflight %s: %d %v", path, r.status, r.header)
		}
	}
	expect(t, call(t, s, req{path: "/api/v2/nope"}), http.StatusNotFound, `{"message":"Route not found."}`)
	r = call(t, s, req{path: "/some/page"})
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("SPA fallback: %d %v", r.status, r.header)
	}
}

func TestV230ProviderDisabled(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230, ProviderDisabled: true})
	const off = `{"message":"OAuth2 Provider Functionality functionality requires enabling the 'oauth2' experiment."}`
	tok := s.AdminSessionToken()
	for _, q := range []req{
		{path: "/api/v2/oauth2-provider/apps", session: tok},
		{method: "POST", path: "/api/v2/oauth2-provider/apps", session: tok, json: map[string]string{}},
		{method: "POST", path: "/oauth2/authorize?client_id=x", session: tok},
		{method: "POST", path: "/oauth2/tokens"},
		{method: "POST", path: "/oauth2/register", json: map[string]string{}},
	} {
		expect(t, call(t, s, q), http.StatusForbidden, off)
	}
	expect(t, call(t, s, req{path: "/.well-known/oauth-authorization-server"}), http.StatusOK, withURL(s, observedASMetadata))
	expect(t, call(t, s, req{path: "/.well-known/oauth-protected-resource"}), http.StatusOK, "")
	r := call(t, s, req{path: "/api/v2/users/me"})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), "resource_metadata=") {
		t.Errorf("401 must still carry WWW-Authenticate: %d %v", r.status, r.header)
	}
}
