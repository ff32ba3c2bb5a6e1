package sandbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"oauthdeck/pkce"
)

var (
	reUUID      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reAPIKey    = regexp.MustCompile(`^[0-9A-Za-z]{10}-[0-9A-Za-z]{22}$`)
	reFormatted = regexp.MustCompile(`^coder_[0-9A-Za-z]{10}_[0-9A-Za-z]{40}$`)
)

func startSandbox(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// req describes one HTTP request to the sandbox.
type req struct {
	method  string
	path    string // relative to the server URL, or absolute
	headers map[string]string
	form    url.Values // form-encoded body
	json    any        // JSON body
	raw     string     // raw body
	session string     // Coder-Session-Token header
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) text() string { return string(r.body) }

func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %q: %v", r.body, err)
	}
}

func (r resp) location(t testing.TB) *url.URL {
	t.Helper()
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil || r.header.Get("Location") == "" {
		t.Fatalf("no usable Location (status %d): %q", r.status, r.header.Get("Location"))
	}
	return u
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func call(t testing.TB, s *Server, q req) resp {
	t.Helper()
	target := q.path
	if !strings.HasPrefix(target, "http") {
		target = s.URL() + q.path
	}
	var body io.Reader
	ctype := ""
	switch {
	case q.form != nil:
		body, ctype = strings.NewReader(q.form.Encode()), "application/x-www-form-urlencoded"
	case q.json != nil:
		b, _ := json.Marshal(q.json)
		body, ctype = bytes.NewReader(b), "application/json"
	case q.raw != "":
		body = strings.NewReader(q.raw)
	}
	method := q.method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if q.session != "" {
		hr.Header.Set("Coder-Session-Token", q.session)
	}
	for k, v := range q.headers {
		hr.Header.Set(k, v)
	}
	res, err := noRedirect.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// expect checks status and, when want is non-empty, the exact body
// (Coder's encoder adds a trailing newline).
func expect(t testing.TB, r resp, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %q", r.status, status, r.body)
	}
	if want != "" && r.text() != want+"\n" {
		t.Fatalf("body\n got %q\nwant %q", r.text(), want+"\n")
	}
}

// fixture is an app with a secret, ready for flows.
type fixture struct {
	s        *Server
	appID    string
	secret   string
	callback string
}

func newFixture(t testing.TB, s *Server, callback string) fixture {
	t.Helper()
	body := map[string]any{"name": "ref-client-a", "callback_url": callback, "icon": ""}
	if s.b.appRedirectURIs {
		body["redirect_uris"] = []string{callback}
	}
	r := call(t, s, req{method: "POST", path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken(), json: body})
	expect(t, r, http.StatusCreated, "")
	var a struct{ ID string }
	r.decode(t, &a)
	r = call(t, s, req{method: "POST", path: "/api/v2/oauth2-provider/apps/" + a.ID + "/secrets", session: s.AdminSessionToken()})
	expect(t, r, http.StatusCreated, "")
	var sec struct {
		Full string `json:"client_secret_full"`
	}
	r.decode(t, &sec)
	return fixture{s: s, appID: a.ID, secret: sec.Full, callback: callback}
}

// authorize POSTs the consent with the admin session header and returns
// the redirect.
func (f fixture) authorize(t testing.TB, params url.Values) resp {
	t.Helper()
	if params.Get("client_id") == "" {
		params.Set("client_id", f.appID)
	}
	return call(t, f.s, req{method: "POST", path: "/oauth2/authorize?" + params.Encode(), session: f.s.AdminSessionToken()})
}

// code runs authorize and returns the issued code.
func (f fixture) code(t testing.TB, params url.Values) string {
	t.Helper()
	r := f.authorize(t, params)
	if r.status != http.StatusFound {
		t.Fatalf("authorize: status %d body %q", r.status, r.body)
	}
	c := r.location(t).Query().Get("code")
	if !reFormatted.MatchString(c) {
		t.Fatalf("code %q has the wrong shape", c)
	}
	return c
}

func (f fixture) token(t testing.TB, form url.Values) resp {
	t.Helper()
	return call(t, f.s, req{method: "POST", path: "/oauth2/tokens", form: form})
}

type tokenJSON struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	Expiry       string `json:"expiry"`
}

// flow runs a full PKCE code flow and returns the tokens.
func (f fixture) flow(t testing.TB, extra url.Values) tokenJSON {
	t.Helper()
	p := pkce.New()
	params := url.Values{"response_type": {"code"}, "code_challenge": {p.Challenge}, "code_challenge_method": {"S256"}, "state": {"st"}}
	for k, v := range extra {
		params[k] = v
	}
	code := f.code(t, params)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {f.appID},
		"client_secret": {f.secret}, "code_verifier": {p.Verifier}}
	if res := extra.Get("resource"); res != "" {
		form.Set("resource", res)
	}
	if ru := extra.Get("redirect_uri"); ru != "" {
		form.Set("redirect_uri", ru)
	}
	r := f.token(t, form)
	expect(t, r, http.StatusOK, "")
	var tok tokenJSON
	r.decode(t, &tok)
	return tok
}

func me(t testing.TB, s *Server, bearer string) resp {
	t.Helper()
	return call(t, s, req{path: "/api/v2/users/me", headers: map[string]string{"Authorization": "Bearer " + bearer}})
}

func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// flowAs runs a PKCE flow with another user's session. Safe to call from
// goroutines: failures are reported with t.Error, not t.Fatal.
func (f fixture) flowAs(t testing.TB, session string) tokenJSON {
	p := pkce.New()
	q := url.Values{"client_id": {f.appID}, "response_type": {"code"}, "code_challenge": {p.Challenge}}
	r := call(t, f.s, req{method: "POST", path: "/oauth2/authorize?" + q.Encode(), session: session})
	loc, err := url.Parse(r.header.Get("Location"))
	if r.status != 302 || err != nil {
		t.Errorf("authorize as user: %d %s", r.status, r.body)
		return tokenJSON{}
	}
	r = f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "client_id": {f.appID},
		"client_secret": {f.secret}, "code_verifier": {p.Verifier}})
	var tok tokenJSON
	if r.status != 200 || json.Unmarshal(r.body, &tok) != nil {
		t.Errorf("exchange as user: %d %s", r.status, r.body)
	}
	return tok
}

// goroutineT lets the helpers run in a goroutine other than the test's: a
// Fatal there is recorded on errs and ends only that goroutine (t.Fatal may
// be called only from the test goroutine). Defer recoverFatal.
type goroutineT struct {
	testing.TB
	errs chan<- string
}

type goroutineFatal struct{}

func (g goroutineT) Fatal(args ...any) { g.errs <- fmt.Sprint(args...); panic(goroutineFatal{}) }
func (g goroutineT) Fatalf(format string, args ...any) {
	g.errs <- fmt.Sprintf(format, args...)
	panic(goroutineFatal{})
}
func (g goroutineT) FailNow() { g.errs <- "FailNow"; panic(goroutineFatal{}) }

// recoverFatal ends the goroutine quietly after one of its Fatal calls.
func (g goroutineT) recoverFatal() {
	if r := recover(); r != nil {
		if _, ok := r.(goroutineFatal); !ok {
			panic(r)
		}
	}
}
