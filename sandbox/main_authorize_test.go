package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"oauthdeck/pkce"
)

func TestMainDiscoveryAndGate(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	if s.Compat() != CompatMain {
		t.Fatalf("default compat %q", s.Compat())
	}
	var doc map[string]any
	r := call(t, s, req{path: "/.well-known/oauth-authorization-server"})
	r.decode(t, &doc)
	if _, ok := doc["registration_endpoint"]; ok {
		t.Error("registration_endpoint advertised while DCR is off")
	}
	if got := doc["token_endpoint_auth_methods_supported"]; len(got.([]any)) != 3 || got.([]any)[0] != "client_secret_basic" {
		t.Errorf("auth methods %v", got)
	}
	if r.header.Get("X-Coder-Build-Version") != "v2.38.0-devel+sandbox" {
		t.Errorf("version header %q", r.header.Get("X-Coder-Build-Version"))
	}
	expect(t, call(t, s, req{path: "/.well-known/oauth-authorization-server/extra"}), 200, "") // SPA, not the document
	var info map[string]any
	call(t, s, req{path: "/api/v2/buildinfo"}).decode(t, &info)
	if info["oauth2_provider"] != true {
		t.Errorf("buildinfo oauth2_provider %v", info["oauth2_provider"])
	}

	dcr := startSandbox(t, Options{EnableDCR: true})
	doc = nil
	call(t, dcr, req{path: "/.well-known/oauth-authorization-server"}).decode(t, &doc)
	if doc["registration_endpoint"] != dcr.URL()+"/oauth2/register" {
		t.Errorf("registration_endpoint with DCR on: %v", doc["registration_endpoint"])
	}

	off := startSandbox(t, Options{ProviderDisabled: true})
	for _, q := range []req{
		{path: "/.well-known/oauth-authorization-server"}, {path: "/.well-known/oauth-protected-resource"},
		{path: "/api/v2/oauth2-provider/apps", session: off.AdminSessionToken()},
		{method: "POST", path: "/oauth2/tokens"}, {path: "/oauth2/authorize"}, {method: "POST", path: "/oauth2/register"},
	} {
		expect(t, call(t, off, q), http.StatusNotFound, `{"message":"Route not found."}`)
	}
	call(t, off, req{path: "/api/v2/buildinfo"}).decode(t, &info)
	if info["oauth2_provider"] != false {
		t.Errorf("disabled buildinfo oauth2_provider %v", info["oauth2_provider"])
	}
}

// errorRedirect asserts a 302 back to the callback carrying an OAuth error.
func errorRedirect(t *testing.T, r resp, prefix, code, state string) url.Values {
	t.Helper()
	if r.status != http.StatusFound {
		t.Fatalf("status %d, want 302: %s", r.status, r.body)
	}
	loc := r.location(t)
	q := loc.Query()
	if !strings.HasPrefix(loc.String(), prefix+"?") || q.Get("error") != code || q.Get("error_description") == "" || q.Get("state") != state || q.Get("code") != "" {
		t.Fatalf("error redirect %q, want %s with state %q", loc, code, state)
	}
	return q
}

func TestMainAuthorizeRules(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	p := pkce.New()
	base := func() url.Values {
		return url.Values{"response_type": {"code"}, "code_challenge": {p.Challenge}, "code_challenge_method": {"S256"}, "state": {"s1"}}
	}
	mod := func(k, v string) url.Values {
		q := base()
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	cb := f.callback
	errorRedirect(t, f.authorize(t, mod("code_challenge", "")), cb, "invalid_request", "s1")
	errorRedirect(t, f.authorize(t, mod("code_challenge", "short")), cb, "invalid_request", "s1")
	errorRedirect(t, f.authorize(t, mod("code_challenge_method", "plain")), cb, "invalid_request", "s1")
	q := errorRedirect(t, f.authorize(t, mod("response_type", "token")), cb, "unsupported_response_type", "s1")
	if q.Get("error_description") != "Only response_type=code is supported" {
		t.Errorf("description %q", q.Get("error_description"))
	}
	errorRedirect(t, f.authorize(t, mod("resource", "/relative")), cb, "invalid_target", "s1")
	errorRedirect(t, f.authorize(t, mod("scope", "nope:nope")), cb, "invalid_scope", "s1")
	rep := base()
	rep.Add("state", "again")
	r := f.authorize(t, rep)
	if r.status != 302 || r.location(t).Query().Get("error") != "invalid_request" {
		t.Errorf("repeated state: %d %v", r.status, r.header.Get("Location"))
	}
	// A description over 2048 bytes is cut, on a character boundary, and says so.
	long := base()
	for i := range 100 {
		// 109 bytes per "NNN" + 41 "é" + ": must not be repeated; ", so
		// the cut at 2036 lands inside an "é".
		long[fmt.Sprintf("%03d", i)+strings.Repeat("é", 41)] = []string{"1", "2"}
	}
	desc := errorRedirect(t, f.authorize(t, long), cb, "invalid_request", "s1").Get("error_description")
	if len(desc) > 2048 || !strings.HasSuffix(desc, " (truncated)") || !utf8.ValidString(desc) {
		t.Errorf("long description: %d bytes, valid UTF-8 %v, ends %q", len(desc), utf8.ValidString(desc), desc[max(0, len(desc)-20):])
	}
	// Unknown parameters are ignored.
	if loc := f.authorize(t, mod("nonce", "n1")).location(t); loc.Query().Get("code") == "" {
		t.Errorf("nonce should be ignored: %v", loc)
	}

	// Redirect matching: exact, with the loopback port exception.
	loc := f.authorize(t, mod("redirect_uri", "http://127.0.0.1:5555/callback")).location(t)
	if loc.Host != "127.0.0.1:5555" || loc.Query().Get("code") == "" || loc.Query().Get("state") != "s1" {
		t.Errorf("loopback port exception: %v", loc)
	}
	for _, bad := range []string{cb + "/sub", "http://127.0.0.2:9876/callback", "http://localhost:9876/callback", "https://127.0.0.1:9876/callback"} {
		r := f.authorize(t, mod("redirect_uri", bad))
		if r.status != 400 || r.header.Get("Location") != "" || !strings.Contains(r.text(), `"error":"invalid_request"`) {
			t.Errorf("redirect %s: %d %s", bad, r.status, r.body)
		}
	}
	gq := mod("redirect_uri", cb+"/sub")
	gq.Set("client_id", f.appID)
	r = call(t, s, req{path: "/oauth2/authorize?" + gq.Encode(), session: s.AdminSessionToken()})
	if r.status != 400 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("GET bad redirect: %d %v", r.status, r.header)
	}

	// Consent page: CSRF field, cancel link with description and state.
	gq = base()
	gq.Set("client_id", f.appID)
	r = call(t, s, req{path: "/oauth2/authorize?" + gq.Encode(), session: s.AdminSessionToken()})
	page := r.text()
	if !strings.Contains(page, `name="csrf_token"`) || !strings.Contains(page, `id="cancel-link" href="http://127.0.0.1:9876/callback?error=access_denied&amp;error_description=`) ||
		!strings.Contains(page, "state=s1") || !strings.Contains(page, "full access to your admin account") {
		t.Errorf("main consent page:\n%s", page)
	}
}

func TestMainConsentCSRF(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	p := pkce.New()
	q := url.Values{"client_id": {f.appID}, "response_type": {"code"}, "code_challenge": {p.Challenge}, "state": {"s"}}
	target := "/oauth2/authorize?" + q.Encode()
	session := "coder_session_token=" + s.AdminSessionToken()

	// GET the page with a cookie session: the response hands out a CSRF cookie
	// and the same token in the form.
	r := call(t, s, req{path: target, headers: map[string]string{"Cookie": session}})
	var csrf string
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "csrf_token" {
			csrf = c.Value
		}
	}
	if csrf == "" || !strings.Contains(r.text(), `value="`+csrf+`"`) {
		t.Fatalf("CSRF token not in page/cookie: %q\n%s", csrf, r.body)
	}
	cookies := session + "; csrf_token=" + csrf
	r = call(t, s, req{method: "POST", path: target, headers: map[string]string{"Cookie": cookies}, form: url.Values{}})
	if r.status != 400 || r.header.Get("Location") != "" {
		t.Errorf("POST without csrf_token: %d", r.status)
	}
	r = call(t, s, req{method: "POST", path: target, headers: map[string]string{"Cookie": cookies}, form: url.Values{"csrf_token": {"wrong"}}})
	if r.status != 400 {
		t.Errorf("POST with wrong csrf_token: %d", r.status)
	}
	r = call(t, s, req{method: "POST", path: target, headers: map[string]string{"Cookie": cookies}, form: url.Values{"csrf_token": {csrf}}})
	if r.status != 302 || r.location(t).Query().Get("code") == "" {
		t.Errorf("POST with csrf_token: %d %s", r.status, r.body)
	}
	// An empty csrf_token cookie is replaced, and the page carries the new token.
	r = call(t, s, req{path: target, headers: map[string]string{"Cookie": "csrf_token=; " + session}})
	csrf = ""
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "csrf_token" {
			csrf = c.Value
		}
	}
	if csrf == "" || !strings.Contains(r.text(), `name="csrf_token" value="`+csrf+`"`) {
		t.Errorf("empty CSRF cookie: new token %q, page:\n%s", csrf, r.body)
	}
	// Header sessions need no CSRF token.
	if r := f.authorize(t, url.Values{"response_type": {"code"}, "code_challenge": {p.Challenge}}); r.status != 302 {
		t.Errorf("header session: %d", r.status)
	}
}
