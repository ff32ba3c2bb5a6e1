package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"oauthdeck/pkce"
)

// testClock is a settable clock for Options.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 22, 9, 18, 19, 184584000, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	errBadCode      = `{"error":"invalid_grant","error_description":"The authorization code is invalid or expired"}`
	errBadVerifier  = `{"error":"invalid_grant","error_description":"The PKCE code verifier is invalid"}`
	errBadClient    = `{"error":"invalid_client","error_description":"The client credentials are invalid"}`
	errBadTarget    = `{"error":"invalid_target","error_description":"The resource parameter is invalid"}`
	errGeneric      = `{"error":"invalid_request","error_description":"The request is missing required parameters or is otherwise malformed"}`
	errNoClientID   = `{"error":"invalid_request","error_description":"Missing client_id parameter"}`
	errBadRefresh   = `{"error":"invalid_grant","error_description":"The refresh token is invalid or expired"}`
	errMissingGrant = `{"error":"unsupported_grant_type","error_description":"The grant type is missing or unsupported"}`
)

func TestV230TokenExchangeObserved(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := startSandbox(t, Options{Compat: CompatV230, Now: clock.Now})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	p := pkce.New()
	code := f.code(t, url.Values{"response_type": {"code"}, "code_challenge": {p.Challenge}, "resource": {s.URL()}, "state": {"x"}})
	good := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {f.appID}, "client_secret": {f.secret},
		"code_verifier": {p.Verifier}, "redirect_uri": {f.callback}, "resource": {s.URL()}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vals := range good {
			out[key] = vals
		}
		if v == "" {
			out.Del(k)
		} else {
			out.Set(k, v)
		}
		return out
	}
	otherSecret := "coder_aaaaaaaaaa_" + strings.Repeat("b", 40)
	// Every failure below leaves the code usable (v2.30 does not consume it).
	cases := []struct {
		name   string
		form   url.Values
		status int
		body   string
	}{
		{"wrong verifier", with("code_verifier", pkce.New().Verifier), 400, errBadVerifier},
		{"verifier missing", with("code_verifier", ""), 400, errBadVerifier},
		{"wrong secret", with("client_secret", otherSecret), 401, errBadClient},
		{"malformed secret", with("client_secret", "nope"), 401, errBadClient},
		{"secret missing", with("client_secret", ""), 400, `{"error":"invalid_request","error_description":"Missing required parameter: client_secret"}`},
		{"other port", with("redirect_uri", "http://127.0.0.1:9999/callback"), 400, errGeneric},
		{"resource differs", with("resource", "https://api.example.com"), 400, errBadTarget},
		{"resource omitted", with("resource", ""), 400, errBadTarget},
		{"resource fragment", with("resource", s.URL()+"#frag"), 400, errGeneric},
		{"extra param", with("nonce", "xyz"), 400, errGeneric},
		{"grant missing", with("grant_type", ""), 400, errMissingGrant},
		{"client_credentials", with("grant_type", "client_credentials"), 400, `{"error":"unsupported_grant_type","error_description":"The grant type \"client_credentials\" is not supported"}`},
		{"unknown client", with("client_id", "00000000-0000-0000-0000-000000000001"), 401, errBadClient},
		{"non-uuid client", with("client_id", "abc"), 401, errBadClient},
		{"client missing", with("client_id", ""), 400, errNoClientID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.token(t, c.form)
			expect(t, r, c.status, c.body)
			if r.header.Get("Content-Type") != "application/json; charset=utf-8" || r.header.Get("WWW-Authenticate") != "" {
				t.Errorf("headers %v", r.header)
			}
		})
	}
	// HTTP Basic alone is ignored, and so is a JSON body.
	noCreds := with("client_id", "")
	noCreds.Del("client_secret")
	basic := call(t, s, req{method: "POST", path: "/oauth2/tokens", form: noCreds, headers: map[string]string{"Authorization": basicAuth(f.appID, f.secret)}})
	expect(t, basic, 400, errNoClientID)
	jsonBody := call(t, s, req{method: "POST", path: "/oauth2/tokens", json: map[string]string{"grant_type": "authorization_code", "client_id": f.appID}})
	expect(t, jsonBody, 400, errNoClientID)

	// Sub-path redirect_uri at the token step: not compared with authorize.
	r := f.token(t, with("redirect_uri", f.callback+"/sub"))
	expect(t, r, http.StatusOK, "")
	if r.header.Get("Cache-Control") != "" || r.header.Get("Pragma") != "" {
		t.Errorf("v2.30 sends no Cache-Control: %v", r.header)
	}
	var tok map[string]any
	r.decode(t, &tok)
	if len(tok) != 5 || tok["token_type"] != "Bearer" || tok["expires_in"] != float64(86400) ||
		tok["expiry"] != "2026-11-23T09:18:19.184584Z" || !reAPIKey.MatchString(tok["access_token"].(string)) ||
		!reFormatted.MatchString(tok["refresh_token"].(string)) {
		t.Errorf("token response %s", r.body)
	}
	if !strings.HasPrefix(r.text(), `{"access_token":"`) || !strings.Contains(r.text(), `","token_type":"Bearer","expires_in":86400,"refresh_token":"coder_`) {
		t.Errorf("field order %s", r.body)
	}
	expect(t, f.token(t, good), 400, errBadCode) // reused

	// Refresh: rotation kills the old pair; wrong secret still works in v2.30.
	refresh := tok["refresh_token"].(string)
	access := tok["access_token"].(string)
	rf := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {f.appID}, "client_secret": {otherSecret}, "resource": {s.URL()}}
	expect(t, f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {f.appID}, "resource": {"https://api.example.com"}}), 400, errBadTarget)
	expect(t, f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}), 400, errNoClientID)
	r = f.token(t, rf)
	expect(t, r, http.StatusOK, "")
	var tok2 tokenJSON
	r.decode(t, &tok2)
	r = me(t, s, access)
	if r.status != 401 || !strings.Contains(r.text(), `"detail":"API key is invalid."`) {
		t.Errorf("old access token after refresh: %d %s", r.status, r.body)
	}
	expect(t, me(t, s, tok2.AccessToken), http.StatusOK, "")
	expect(t, f.token(t, rf), 400, errBadRefresh)
	expect(t, f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"garbage"}, "client_id": {f.appID}}), 400, errBadRefresh)

	// The client is parsed before the method is checked (observed §15):
	// GET without parameters is 400, with a known client 405 and two Allow lines.
	expect(t, call(t, s, req{path: "/oauth2/tokens"}), 400, `{"error":"invalid_request","error_description":"Missing client_id parameter"}`)
	r = call(t, s, req{path: "/oauth2/tokens?client_id=" + f.appID})
	if r.status != 405 || strings.Join(r.header.Values("Allow"), ",") != "DELETE,POST" {
		t.Errorf("GET tokens with a client: %d %v", r.status, r.header.Values("Allow"))
	}
}

func TestV230CodeLifecycle(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := startSandbox(t, Options{Compat: CompatV230, Now: clock.Now})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	exchange := func(code string) resp {
		return f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {f.appID}, "client_secret": {f.secret}})
	}
	// One outstanding code per (user, app).
	first := f.code(t, url.Values{"response_type": {"code"}})
	second := f.code(t, url.Values{"response_type": {"code"}})
	expect(t, exchange(first), 400, errBadCode)
	// One live token per (user, app).
	r := exchange(second)
	var t1 tokenJSON
	r.decode(t, &t1)
	var t2 tokenJSON
	exchange(f.code(t, url.Values{"response_type": {"code"}})).decode(t, &t2)
	expect(t, me(t, s, t1.AccessToken), 401, "")
	expect(t, me(t, s, t2.AccessToken), 200, "")

	// §13: 615 s later the code is expired; so are unknown and malformed ones.
	late := f.code(t, url.Values{"response_type": {"code"}})
	clock.Advance(615 * time.Second)
	expect(t, exchange(late), 400, errBadCode)
	expect(t, exchange("coder_aaaaaaaaaa_"+strings.Repeat("b", 40)), 400, errBadCode)
	expect(t, exchange("garbage"), 400, errBadCode)

	// Access token expiry after the session duration, with Coder's detail.
	clock.Advance(24 * time.Hour)
	r = me(t, s, t2.AccessToken)
	if r.status != 401 || !strings.Contains(r.text(), `"detail":"API key expired at \"2026-11-23 09:`) {
		t.Errorf("expired token: %d %s", r.status, r.body)
	}
}

func TestV230CrossClientLeniency(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	a := newFixture(t, s, "http://127.0.0.1:9876/callback")
	b := newFixture(t, s, "http://127.0.0.1:9877/cb")
	ex := func(code, clientID, secret string) resp {
		return a.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID}, "client_secret": {secret}})
	}
	expect(t, ex(a.code(t, url.Values{"response_type": {"code"}}), b.appID, b.secret), 200, "")
	// Coder ties a token to the app of the secret it was issued with.
	held := call(t, s, req{path: "/api/v2/oauth2-provider/apps?user_id=" + adminID(t, s), session: s.AdminSessionToken()}).text()
	if !strings.Contains(held, b.appID) || strings.Contains(held, a.appID) {
		t.Errorf("apps holding the admin's token: %s, want only %s", held, b.appID)
	}
	r := ex(a.code(t, url.Values{"response_type": {"code"}}), a.appID, b.secret)
	expect(t, r, 200, "")
	var tok tokenJSON
	r.decode(t, &tok)
	r = a.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {b.appID}, "client_secret": {b.secret}})
	expect(t, r, 200, "")
	r.decode(t, &tok)
	// Deleting B cascades through its secret to the token.
	expect(t, me(t, s, tok.AccessToken), 200, "")
	expect(t, call(t, s, req{method: "DELETE", path: "/api/v2/oauth2-provider/apps/" + b.appID, session: s.AdminSessionToken()}), 204, "")
	expect(t, me(t, s, tok.AccessToken), 401, "")
}

func TestLifetimeOptions(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := startSandbox(t, Options{Now: clock.Now, CodeLifetime: time.Minute, SessionDuration: time.Hour, RefreshLifetime: 2 * time.Hour})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	code, ver := mainCode(t, f, nil)
	clock.Advance(61 * time.Second)
	expect(t, f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {ver}, "client_id": {f.appID}, "client_secret": {f.secret}}), 400, errBadCode)

	tok := f.flow(t, url.Values{})
	if tok.ExpiresIn != 3600 || tok.Expiry != clock.Now().Add(time.Hour).Format(time.RFC3339Nano) {
		t.Errorf("expires_in %d expiry %s", tok.ExpiresIn, tok.Expiry)
	}
	clock.Advance(90 * time.Minute)
	expect(t, me(t, s, tok.AccessToken), 401, "")
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {f.appID}, "client_secret": {f.secret}}
	r := f.token(t, refresh) // the refresh token outlives the access token
	expect(t, r, 200, "")
	r.decode(t, &tok)
	clock.Advance(2*time.Hour + time.Second)
	refresh.Set("refresh_token", tok.RefreshToken)
	expect(t, f.token(t, refresh), 400, errBadRefresh)
}

func TestAuthorizeChecksClientBeforeSession(t *testing.T) {
	t.Parallel()
	for _, c := range []Compat{CompatV230, CompatMain} {
		s := startSandbox(t, Options{Compat: c})
		expect(t, call(t, s, req{path: "/oauth2/authorize?response_type=code&client_id=00000000-0000-0000-0000-000000000001"}), 401, errBadClient)
		expect(t, call(t, s, req{path: "/oauth2/authorize?response_type=code&client_id=nope"}), 401, errBadClient)
		expect(t, call(t, s, req{path: "/oauth2/authorize?response_type=code"}), 400, errNoClientID)
	}
}
