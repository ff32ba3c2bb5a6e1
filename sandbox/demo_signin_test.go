package sandbox

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var reDemoNonce = regexp.MustCompile(`name="demo_sign_in" value="([0-9A-Za-z]+)"`)

// The demo's one-click sign-in: shown only with DemoSignIn, signs in the
// admin only with this server's hidden value, and lands on the page that
// asked for the sign-in.
func TestDemoSignIn(t *testing.T) {
	t.Parallel()
	plain := startSandbox(t, Options{})
	if page := call(t, plain, req{path: "/login"}).text(); strings.Contains(page, "demo-sign-in") {
		t.Fatal("a sandbox without DemoSignIn offers the one-click sign-in")
	}

	s := startSandbox(t, Options{DemoSignIn: true})
	r0 := call(t, s, req{path: "/login?redirect=" + url.QueryEscape("/oauth2/authorize?client_id=x")})
	if r0.header.Get("X-Frame-Options") != "DENY" || !strings.Contains(r0.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("the sign-in page can be framed: %v", r0.header)
	}
	page := r0.text()
	m := reDemoNonce.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "Sign in as "+s.AdminEmail()) {
		t.Fatalf("no one-click sign-in on the demo's page:\n%s", page)
	}
	for _, bad := range []url.Values{
		{"demo_sign_in": {"wrong"}},
		{"demo_sign_in": {""}},
		{"email": {s.AdminEmail()}, "password": {"not-it"}},
	} {
		r := call(t, s, req{method: "POST", path: "/login", form: bad})
		expect(t, r, 401, "")
		if !strings.Contains(r.text(), "Incorrect email or password.") || strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), "coder_session_token=") {
			t.Fatalf("%v: no refusal, or a session cookie set", bad)
		}
	}
	// The right value elsewhere does nothing: each server has its own.
	expect(t, call(t, plain, req{method: "POST", path: "/login", form: url.Values{"demo_sign_in": {m[1]}}}), 401, "")

	r := call(t, s, req{method: "POST", path: "/login", form: url.Values{"demo_sign_in": {m[1]}, "redirect": {"/oauth2/authorize?client_id=x"}}})
	expect(t, r, 303, "")
	if loc := r.header.Get("Location"); loc != "/oauth2/authorize?client_id=x" {
		t.Fatalf("landed on %q", loc)
	}
	if cookies := strings.Join(r.header.Values("Set-Cookie"), "\n"); !strings.Contains(cookies, "coder_session_token=") {
		t.Fatalf("no session cookie: %q", cookies)
	}
}
