package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestV230SecondRunPairs holds each pair of coder-v2.30-observed.md §15:
// one row per pair, status, headers and body. The profiles that the
// references say answer the same (v2.36) run the rows that apply to them.
func TestV230SecondRunPairs(t *testing.T) {
	t.Parallel()
	for _, compat := range []Compat{CompatV230, CompatV236} {
		t.Run(string(compat), func(t *testing.T) {
			s := startSandbox(t, Options{Compat: compat})
			f := newFixture(t, s, "http://127.0.0.1:9876/callback")
			session := s.AdminSessionToken()
			type row struct {
				name    string
				only    Compat // "" = every profile of the loop
				q       req
				status  int
				body    string            // exact, when set
				headers map[string]string // exact values; "" means absent
				allow   string            // the Allow lines, joined by commas
				check   func(t *testing.T, r resp)
			}
			rows := []row{
				{name: "HEAD users/me without credentials", q: req{method: http.MethodHead, path: "/api/v2/users/me"},
					status: http.StatusUnauthorized, headers: map[string]string{"Www-Authenticate": wwwAuth(s)}},
				{name: "HEAD users/me with a session", q: req{method: http.MethodHead, path: "/api/v2/users/me", session: session},
					status: http.StatusMethodNotAllowed, allow: "DELETE,GET"},
				{name: "HEAD buildinfo", q: req{method: http.MethodHead, path: "/api/v2/buildinfo"},
					status: http.StatusMethodNotAllowed, allow: "GET"},
				{name: "HEAD AS metadata", q: req{method: http.MethodHead, path: "/.well-known/oauth-authorization-server"},
					status: http.StatusMethodNotAllowed},
				{name: "GET tokens without parameters", q: req{path: "/oauth2/tokens"},
					status: http.StatusBadRequest, body: `{"error":"invalid_request","error_description":"Missing client_id parameter"}`},
				{name: "experiments", q: req{path: "/api/v2/experiments", session: session},
					status: http.StatusOK, body: `["oauth2","mcp-server-http"]`},
				{name: "consent page without Cache-Control", only: CompatV230,
					q:      req{path: "/oauth2/authorize?" + url.Values{"client_id": {f.appID}, "response_type": {"code"}}.Encode(), session: session},
					status: http.StatusOK, headers: map[string]string{"Cache-Control": ""},
					check: func(t *testing.T, r resp) {
						if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
							t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
						}
					}},
				{name: "create ignores redirect_uris and scope",
					q: req{method: http.MethodPost, path: "/api/v2/oauth2-provider/apps", session: session, json: map[string]any{
						"name": "probe-y", "callback_url": "http://127.0.0.1:9876/callback", "icon": "",
						"redirect_uris": []string{"http://127.0.0.1:1/a"}, "scope": "user:read_personal"}},
					status: http.StatusCreated,
					check: func(t *testing.T, r resp) {
						if strings.Contains(r.text(), "redirect_uris") || strings.Contains(r.text(), `"scope"`) {
							t.Errorf("body %s keeps a dropped field", r.body)
						}
					}},
				{name: "openid-configuration is the SPA", q: req{path: "/.well-known/openid-configuration"},
					status: http.StatusOK,
					check: func(t *testing.T, r resp) {
						if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
							t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
						}
					}},
			}
			for _, row := range rows {
				if row.only != "" && row.only != compat {
					continue
				}
				t.Run(row.name, func(t *testing.T) {
					r := call(t, s, row.q)
					expect(t, r, row.status, row.body)
					for k, want := range row.headers {
						if got := r.header.Get(k); got != want {
							t.Errorf("%s: %q, want %q", k, got, want)
						}
					}
					if row.allow != "" {
						if got := strings.Join(r.header.Values("Allow"), ","); got != row.allow {
							t.Errorf("Allow %q, want %q", got, row.allow)
						}
					}
					if row.check != nil {
						row.check(t, r)
					}
				})
			}

			// The MCP answer is JSON without a charset.
			tok := f.flow(t, url.Values{"resource": {s.URL()}})
			init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
			r := call(t, s, req{method: http.MethodPost, path: "/api/experimental/mcp/http", raw: init, headers: map[string]string{"Authorization": "Bearer " + tok.AccessToken}})
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("MCP initialize: %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
			}
		})
	}
}
