package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var reCodeLocation = regexp.MustCompile(`^http://127\.0\.0\.1:9876/callback\?code=coder_[0-9A-Za-z]{10}_[0-9A-Za-z]{40}&state=st-b8a13b61d5eb$`)

func TestV230AuthorizeObserved(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	full := url.Values{
		"client_id": {f.appID}, "response_type": {"code"}, "redirect_uri": {f.callback}, "state": {"st-b8a13b61d5eb"},
		"code_challenge": {"UJHPKkgnmr5HSaHzRI2kY7fyVdFFNyY0u4Lig3Ebcac"}, "code_challenge_method": {"S256"}, "resource": {s.URL()},
	}

	// No session: 303 to the relative login page, GET and POST alike.
	for _, m := range []string{"GET", "POST"} {
		r := call(t, s, req{method: m, path: "/oauth2/authorize?" + full.Encode()})
		loc := r.header.Get("Location")
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
			!strings.HasPrefix(loc, "/login?message=You+are+signed+out+or+your+session+has+expired.+Please+sign+in+again+to+continue.&redirect=%2Foauth2%2Fauthorize%3F") {
			t.Errorf("%s without session: %d %q", m, r.status, loc)
		}
	}

	// GET with a session: the consent page.
	r := call(t, s, req{path: "/oauth2/authorize?" + full.Encode(), session: s.AdminSessionToken()})
	expect(t, r, http.StatusOK, "")
	page := r.text()
	for _, want := range []string{"<title>Application ref-client-a</title>", "<h1>Authorize ref-client-a</h1>",
		"Allow ref-client-a to have full access to your admin account?", `<form method="POST" id="allow-form">`,
		`<button id="allow" type="submit">Allow</button>`, `id="cancel-link" href="http://127.0.0.1:9876/callback?error=access_denied"`} {
		if !strings.Contains(page, want) {
			t.Errorf("consent page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "csrf_token") || strings.Contains(page, "<script") || strings.Contains(page, "https://") {
		t.Errorf("v2.30 consent page has a CSRF field, script or external resource:\n%s", page)
	}

	// POST with a session: the code redirect.
	r = call(t, s, req{method: "POST", path: "/oauth2/authorize?" + full.Encode(), session: s.AdminSessionToken()})
	if r.status != http.StatusFound || !reCodeLocation.MatchString(r.header.Get("Location")) || len(r.body) != 0 {
		t.Fatalf("allow: %d %q %q", r.status, r.header.Get("Location"), r.body)
	}

	type variant struct {
		name   string
		change url.Values
		drop   []string
		status int
		check  func(t *testing.T, r resp)
	}
	codeAt := func(prefix string) func(*testing.T, resp) {
		return func(t *testing.T, r resp) {
			if loc := r.header.Get("Location"); !strings.HasPrefix(loc, prefix+"?code=coder_") {
				t.Errorf("Location %q, want prefix %q", loc, prefix)
			}
		}
	}
	body := func(want string) func(*testing.T, resp) {
		return func(t *testing.T, r resp) {
			if r.text() != want+"\n" {
				t.Errorf("body\n got %q\nwant %q", r.body, want)
			}
		}
	}
	variants := []variant{
		{"redirect omitted", nil, []string{"redirect_uri"}, 302, codeAt(f.callback)},
		{"sub-path", url.Values{"redirect_uri": {f.callback + "/sub"}, "state": {"s2"}}, nil, 302, func(t *testing.T, r resp) {
			if loc := r.header.Get("Location"); !strings.HasPrefix(loc, f.callback+"/sub?code=coder_") || !strings.HasSuffix(loc, "&state=s2") {
				t.Errorf("Location %q", loc)
			}
		}},
		{"other port", url.Values{"redirect_uri": {"http://127.0.0.1:9999/callback"}}, nil, 400,
			body(`{"error":"invalid_request","error_description":"Invalid query params: field: redirect_uri detail: Query param \"redirect_uri\" must be a subset of http://127.0.0.1:9876/callback"}`)},
		{"no state no PKCE", nil, []string{"state", "code_challenge", "code_challenge_method"}, 302, func(t *testing.T, r resp) {
			if loc := r.header.Get("Location"); !regexp.MustCompile(`^http://127\.0\.0\.1:9876/callback\?code=coder_\w+$`).MatchString(loc) {
				t.Errorf("Location %q", loc)
			}
		}},
		{"relative resource", url.Values{"resource": {"/relative"}}, nil, 400,
			body(`{"error":"invalid_request","error_description":"Invalid query params: field: resource detail: must be an absolute URI without fragment"}`)},
		{"resource fragment", url.Values{"resource": {s.URL() + "#x"}}, nil, 400,
			body(`{"error":"invalid_request","error_description":"Invalid query params: field: resource detail: must be an absolute URI without fragment"}`)},
		{"foreign resource", url.Values{"resource": {"https://api.example.com"}}, nil, 302, codeAt(f.callback)},
		{"response_type=token", url.Values{"response_type": {"token"}, "state": {"s3"}}, nil, 302, codeAt(f.callback)},
		{"response_type missing", nil, []string{"response_type"}, 400,
			body(`{"error":"invalid_request","error_description":"Invalid query params: field: response_type detail: Query param \"response_type\" is required and cannot be empty"}`)},
		{"plain", url.Values{"code_challenge_method": {"plain"}}, nil, 400,
			body(`{"error":"invalid_request","error_description":"code_challenge_method 'plain' is not supported; use 'S256'"}`)},
		{"nonce", url.Values{"nonce": {"n1"}}, nil, 400,
			body(`{"error":"invalid_request","error_description":"Invalid query params: field: nonce detail: \"nonce\" is not a valid query param"}`)},
		{"session in query", url.Values{"coder_session_token": {s.AdminSessionToken()}}, nil, 400, nil},
		{"scope ignored", url.Values{"scope": {"coder:all user:read_personal"}}, nil, 302, codeAt(f.callback)},
		{"unknown client", url.Values{"client_id": {"00000000-0000-0000-0000-000000000001"}}, nil, 401,
			body(`{"error":"invalid_client","error_description":"The client credentials are invalid"}`)},
		{"client missing", nil, []string{"client_id"}, 400,
			body(`{"error":"invalid_request","error_description":"Missing client_id parameter"}`)},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			q := url.Values{}
			for k, vals := range full {
				q[k] = vals
			}
			for k, vals := range v.change {
				q[k] = vals
			}
			for _, k := range v.drop {
				q.Del(k)
			}
			r := call(t, s, req{method: "POST", path: "/oauth2/authorize?" + q.Encode(), session: s.AdminSessionToken()})
			if r.status != v.status {
				t.Fatalf("status %d want %d: %s", r.status, v.status, r.body)
			}
			if v.check != nil {
				v.check(t, r)
			}
		})
	}

	// Same wrong redirect on GET: an HTML page, not a redirect.
	bad := url.Values{"client_id": {f.appID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9999/callback"}}
	r = call(t, s, req{path: "/oauth2/authorize?" + bad.Encode(), session: s.AdminSessionToken()})
	if r.status != 400 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(r.text(), "400 - Invalid Query Parameters") ||
		!strings.Contains(r.text(), "Query param &#34;redirect_uri&#34; must be a subset of http://127.0.0.1:9876/callback") {
		t.Errorf("GET error page: %d %s", r.status, r.body)
	}

	// Params in a form body instead of the query.
	r = call(t, s, req{method: "POST", path: "/oauth2/authorize", session: s.AdminSessionToken(),
		form: url.Values{"client_id": {f.appID}, "response_type": {"code"}}})
	expect(t, r, 400, `{"error":"invalid_request","error_description":"Invalid query params: field: client_id detail: Query param \"client_id\" is required and cannot be empty, field: response_type detail: Query param \"response_type\" is required and cannot be empty"}`)
}

func TestConsentPageEscapesAppName(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	// Names are validated, so poke a hostile one straight into the store.
	s.store.mu.Lock()
	for _, a := range s.store.apps {
		a.name = `<script>alert(1)</script>`
	}
	s.store.mu.Unlock()
	r := call(t, s, req{path: "/oauth2/authorize?client_id=" + f.appID + "&response_type=code", session: s.AdminSessionToken()})
	if strings.Contains(r.text(), "<script>") || !strings.Contains(r.text(), "&lt;script&gt;") {
		t.Errorf("app name not escaped:\n%s", r.body)
	}
}

func TestConsentNeverLinksJavaScript(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	q := url.Values{"client_id": {f.appID}, "response_type": {"code"}, "redirect_uri": {"javascript://127.0.0.1:9876/callback%0aalert(1)"}}
	r := call(t, s, req{path: "/oauth2/authorize?" + q.Encode(), session: s.AdminSessionToken()})
	if r.status != 200 || strings.Contains(strings.ToLower(r.text()), "javascript:") || !strings.Contains(r.text(), `id="cancel-link" href="#"`) {
		t.Errorf("consent with javascript redirect: %d\n%s", r.status, r.body)
	}
}
