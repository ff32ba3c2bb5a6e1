package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedirectURIProblem(t *testing.T) {
	t.Parallel()
	cases := []struct {
		uri    string
		public bool
		ok     bool
	}{
		{"http://127.0.0.1:1/cb", false, true},
		{"http://[::1]:1/cb", true, true},
		{"http://localhost/cb", true, true},
		{"http://app.localhost/cb", false, true},
		{"http://app.localhost/cb", true, false},
		{"http://example.com/cb", false, false},
		{"https://example.com/cb", false, true},
		{"https:///nohost", false, false},
		{"com.example.app:/cb", true, true},
		{"com.example.app:", true, false},
		{"urn:ietf:wg:oauth:2.0:oob", true, true},
		{"javascript:alert(1)", false, false},
		{"data:text/html,x", false, false},
		{"file:///etc/passwd", false, false},
		{"ftp://x/y", false, false},
		{"mailto:a@b.c", true, false},
		{"mailto:a@b.c", false, true},
		{"http://127.0.0.1/cb#frag", false, false},
		{"/relative", false, false},
		{"http://127.0.0.1/" + strings.Repeat("a", 2048), false, false},
		{"http://%zz", false, false},
	}
	for _, c := range cases {
		if got := redirectURIProblem(c.uri, c.public) == ""; got != c.ok {
			t.Errorf("redirectURIProblem(%.40q, public=%v) ok=%v, want %v (%s)", c.uri, c.public, got, c.ok, redirectURIProblem(c.uri, c.public))
		}
	}
}

func TestScopeRules(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		req, allow, want string
		bad              bool
	}{
		{"", "", "coder:all", false},
		{"", "user:read_personal", "user:read_personal", false},
		{"workspace:read", "", "workspace:read", false},
		{"workspace:read", "workspace:*", "workspace:read", false},
		{"workspace:read template:read", "workspace:*", "", true},
		{"root:all", "", "", true},
		{"coder:all", "coder:all", "coder:all", false},
	} {
		got, problem := negotiateScope(c.req, c.allow)
		if (problem != "") != c.bad || (!c.bad && got != c.want) {
			t.Errorf("negotiateScope(%q, %q) = %q, %q", c.req, c.allow, got, problem)
		}
	}
	if clientName(strings.Repeat("x", 100)) == clientName(strings.Repeat("x", 99)) || len(clientName(strings.Repeat("x", 100))) != 64 {
		t.Error("long client names must be cut to 64 and stay distinct")
	}
	// The cut never splits a character: "é" is two bytes, so byte 55 falls
	// inside one.
	if long := strings.Repeat("é", 60); !utf8.ValidString(clientName(long)) || len(clientName(long)) > 64 {
		t.Errorf("clientName(%q) = %q: invalid UTF-8 or too long", long, clientName(long))
	}
}

func TestHandlerInProcess(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-protected-resource", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"resource":"`+s.URL()+`"`) {
		t.Errorf("in-process handler: %d %s", rec.Code, rec.Body)
	}
}

func TestMainAppUpdateSemantics(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	tok := s.AdminSessionToken()
	r := call(t, s, req{method: "POST", path: "/api/v2/oauth2-provider/apps", session: tok, json: map[string]any{
		"name": "app", "redirect_uris": []string{"http://127.0.0.1:1/cb"}, "icon": "/i.svg", "scope": "workspace:read"}})
	var a struct {
		ID    string `json:"id"`
		Icon  string `json:"icon"`
		Scope string `json:"scope"`
	}
	r.decode(t, &a)
	path := "/api/v2/oauth2-provider/apps/" + a.ID
	call(t, s, req{method: "PUT", path: path, session: tok, json: map[string]any{"name": "app2", "redirect_uris": []string{"http://127.0.0.1:1/cb"}}}).decode(t, &a)
	if a.Icon != "" || a.Scope != "workspace:read" {
		t.Errorf("PUT without icon/scope: icon %q scope %q", a.Icon, a.Scope)
	}
	call(t, s, req{method: "PUT", path: path, session: tok, json: map[string]any{"name": "app2", "redirect_uris": []string{"http://127.0.0.1:1/cb"}, "scope": ""}}).decode(t, &a)
	if a.Scope != "" {
		t.Errorf("PUT scope \"\" should clear, got %q", a.Scope)
	}
	expect(t, call(t, s, req{method: "PUT", path: path, session: tok, json: map[string]any{"redirect_uris": []string{"http://127.0.0.1:1/cb"}}}), 400, "")

	_, member, _ := s.CreateUser("m@example.com", "m", "pw", false)
	expect(t, call(t, s, req{path: "/api/v2/oauth2-provider/settings", session: member}), 403, `{"message":"Forbidden."}`)
	expect(t, call(t, s, req{path: "/api/v2/oauth2-provider/settings", session: tok}), 200, `{"dynamic_client_registration_enabled":false}`)
}
