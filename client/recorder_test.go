package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/sandbox/testenv"
)

// Secrets in Coder's real formats, each distinct so a leak names its source.
const (
	secSession      = "eUrzKDX6je-Cr21AD5hvJYg4XeRF2UjIX"
	secPassword     = "hunter2-correct-horse"
	secClientSecret = "coder_fXdNvFuvh3_EsDyHYx6LCBUV2ufzfzvnMw73Mj42oKQawTUqyMg"
	secCode         = "coder_rFPFD43tCo_Zxm5p06wiWPDNaA1mzs7zCaTmFJ4v7TdGewkBbQi"
	secVerifier     = "IyGEfIeLf6jGuwaJuo9nEnCyaht04CrQaRomdrzwxNyycLXVQbh28siAdBmWVBm3"
	secAccess       = "0yzg28d82c-D07yvqM1WkgbbHYRyqz3M4"
	secRefresh      = "coder_gWbrVXecd1_uYBF9CqRTKlxohPP35maJAEZ7d108upz7D5EQAAj"
	secRAT          = "i2XwFTcP7NARI6RJ5k9rsuAkDvpPtImI42QWQLlk"
	secIDToken      = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	secCookie       = "cookie-secret-Qm9vbXRvd24"
	secGeneric      = "generic-token-value-77"
	secNewSession   = "Nw5sEssIon-ABCDEFGHIJKLMNOPQRSTUVWXY"
)

var allSecrets = []string{secSession, secPassword, secClientSecret, secCode, secVerifier, secAccess,
	secRefresh, secRAT, secIDToken, secCookie, secGeneric, secNewSession}

// leakyServer echoes every kind of secret back in every place it can.
func leakyServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v2/users/login":
			http.SetCookie(w, &http.Cookie{Name: "coder_session_token", Value: secNewSession, Path: "/"})
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"session_token":%q}`, secNewSession)
		case "/oauth2/authorize":
			w.Header().Set("Location", "http://127.0.0.1:9876/callback?code="+secCode+"&state=st-1")
			w.WriteHeader(http.StatusFound)
		case "/oauth2/tokens":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","refresh_token":%q,"id_token":%q,"expires_in":86399}`, secAccess, secRefresh, secIDToken)
		case "/oauth2/register":
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"client_id":"48903acf-73fa-4f93-9637-790791d4a7c5","client_secret":%q,"registration_access_token":%q}`, secClientSecret, secRAT)
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 1<<20))
		default:
			_, _ = io.WriteString(w, `{"ok":true,"token":"`+secGeneric+`"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRecorderRedactsEverySecret(t *testing.T) {
	t.Parallel()
	srv := leakyServer(t)
	rec := client.NewRecorder(100)
	var seen atomic.Int64
	rec.OnExchange(func(client.Exchange) { seen.Add(1) })
	c, err := client.New(srv.URL, secSession, client.Options{Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Login(ctx, "admin@example.com", secPassword); err != nil {
		t.Fatal(err)
	}
	mustDo := func(req client.Request) *client.Response {
		t.Helper()
		resp, err := c.Do(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := mustDo(client.Request{Method: "POST", URL: "/oauth2/authorize", WithSession: true,
		Query: url.Values{"client_id": {"x"}, "response_type": {"code"}, "state": {"st-1"}}})
	if loc, err := resp.Location(); err != nil || loc.Query().Get("code") != secCode {
		t.Fatalf("Location not kept intact for the caller: %v %v", loc, err)
	}
	resp = mustDo(client.Request{URL: "/oauth2/tokens", Form: url.Values{
		"grant_type": {"authorization_code"}, "code": {secCode}, "client_id": {"x"},
		"client_secret": {secClientSecret}, "code_verifier": {secVerifier}, "refresh_token": {secRefresh},
	}})
	if !strings.Contains(string(resp.Body), secAccess) {
		t.Fatal("the caller must still get the real body")
	}
	mustDo(client.Request{URL: "/api/v2/users/me", Header: http.Header{
		"Authorization": {"Bearer " + secAccess},
		"Cookie":        {"coder_session_token=" + secCookie + "; other=1"},
	}, Query: url.Values{"access_token": {secAccess}, "coder_session_token": {secSession}}})
	mustDo(client.Request{URL: "/oauth2/register", JSON: map[string]any{"client_name": "x", "password": secPassword, "token": secGeneric}})
	mustDo(client.Request{Method: "DELETE", URL: "/oauth2/clients/x", Header: http.Header{"Authorization": {"Bearer " + secRAT}}})
	mustDo(client.Request{URL: "/oauth2/revoke", Body: []byte("token=" + url.QueryEscape(secRefresh) + "&client_id=x"),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})

	exchanges := rec.Exchanges()
	if len(exchanges) != 7 || seen.Load() != 7 {
		t.Fatalf("recorded %d exchanges, callback saw %d; want 7", len(exchanges), seen.Load())
	}
	har, err := rec.HAR()
	if err != nil {
		t.Fatal(err)
	}
	var everything strings.Builder
	everything.Write(har)
	for _, e := range exchanges {
		fmt.Fprintf(&everything, "%+v\n%s\n%s\n%s\n", e, e.RequestBody, e.ResponseBody, e.Curl())
	}
	dump := everything.String()
	for _, s := range allSecrets {
		for _, form := range []string{s, url.QueryEscape(s)} {
			if strings.Contains(dump, form) {
				t.Errorf("secret %q leaked into the recording", form)
			}
		}
	}
	// Equal secrets get equal markers: the refresh token sent in the token
	// form, returned in its JSON, and sent again to revoke.
	marker := safe.Marker(secRefresh)
	if got := strings.Count(dump, marker); got < 3 {
		t.Errorf("refresh-token marker %s appears %d times, want >= 3", marker, got)
	}
	var me client.Exchange
	for _, e := range exchanges {
		if strings.Contains(e.URL, "/api/v2/users/me") {
			me = e
		}
	}
	if !strings.Contains(me.RequestHeader.Get("Authorization"), "Bearer "+safe.Marker(secAccess)) {
		t.Errorf("Authorization not masked with scheme kept: %q", me.RequestHeader.Get("Authorization"))
	}
	if marker == safe.Marker(secAccess) {
		t.Error("different secrets share a marker")
	}
	phases := []string{}
	for _, e := range exchanges {
		phases = append(phases, e.Phase)
	}
	if got := strings.Join(phases, ","); got != "login,authorize,token,api,registration,registration,revoke" {
		t.Errorf("phases %s", got)
	}
}

func TestRecorderBoundsBodiesAndRing(t *testing.T) {
	t.Parallel()
	srv := leakyServer(t)
	rec := client.NewRecorder(3)
	c, _ := client.New(srv.URL, "", client.Options{Recorder: rec})
	for i := 0; i < 5; i++ {
		if _, err := c.Do(context.Background(), client.Request{URL: "/big", Body: []byte(strings.Repeat("y", 100<<10))}); err != nil {
			t.Fatal(err)
		}
	}
	ex := rec.Exchanges()
	if len(ex) != 3 || ex[0].ID != 3 || ex[2].ID != 5 {
		t.Fatalf("ring kept %d exchanges (first id %d)", len(ex), ex[0].ID)
	}
	for _, e := range ex {
		if len(e.ResponseBody) != client.RecordedBodyLimit || !e.ResponseTruncated {
			t.Errorf("response body %d bytes, truncated=%v", len(e.ResponseBody), e.ResponseTruncated)
		}
		if len(e.RequestBody) != client.RecordedBodyLimit || !e.RequestTruncated {
			t.Errorf("request body %d bytes, truncated=%v", len(e.RequestBody), e.RequestTruncated)
		}
	}
}

func TestRecorderRecordsTransportErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there any more
	rec := client.NewRecorder(0)
	c, _ := client.New(addr, "", client.Options{Recorder: rec})
	if _, err := c.BuildInfo(context.Background()); err == nil {
		t.Fatal("expected a connection error")
	}
	ex := rec.Exchanges()
	if len(ex) != 1 || ex[0].Err == "" || ex[0].StatusCode != 0 {
		t.Fatalf("exchanges %+v", ex)
	}
}

func TestRedactLogLines(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, secret string }{
		{"POST /oauth2/tokens grant_type=refresh_token&refresh_token=" + secRefresh, secRefresh},
		{`{"client_secret_full": "` + secClientSecret + `"}`, secClientSecret},
		{"Authorization: Bearer " + secAccess, secAccess},
		{"coder-session-token: " + secSession, secSession},
		{"redirect to http://127.0.0.1:9876/callback?state=x&code=" + secCode, secCode},
		{"bare " + secCode + " in text", secCode},
		{"bare " + secAccess + " in text", secAccess},
		{`{"password":"pa\"ss` + secPassword + `"}`, secPassword},
		{`{"access_token":"` + secAccess[:20], secAccess[:20]}, // cut short by truncation
		{"Set-Cookie: coder_session_token=" + secCookie + "; Path=/; HttpOnly", secCookie},
		{"GET https://admin:" + secPassword + "@coder.example.com/api/v2/buildinfo", secPassword},
		{"clone https://" + secPassword + "@git.example.com/repo.git", secPassword},
	}
	for _, tc := range cases {
		out := safe.Redact(tc.in)
		if strings.Contains(out, tc.secret) {
			t.Errorf("safe.Redact(%q) = %q still holds the secret", tc.in, out)
		}
		if !strings.Contains(out, "‹redacted:") {
			t.Errorf("safe.Redact(%q) = %q has no marker", tc.in, out)
		}
		if again := safe.Redact(out); again != out {
			t.Errorf("Redact is not idempotent: %q -> %q", out, again)
		}
	}
	for _, keep := range []string{"grant_type=authorization_code&client_id=abc&state=xyz&code_challenge=abc",
		`{"token_type":"Bearer","expires_in":86399}`, "3382578a-f435-42f8-9490-124605cccac2",
		"https://coder.example.com/users/@me?next=a@b#c@d"} {
		if out := safe.Redact(keep); out != keep {
			t.Errorf("Redact changed harmless text: %q -> %q", keep, out)
		}
	}
}

func TestCurlQuoting(t *testing.T) {
	t.Parallel()
	e := client.Exchange{Method: "POST", URL: "http://127.0.0.1:1/oauth2/tokens?x='y'",
		RequestHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Content-Length": {"9"}},
		RequestBody:   []byte("a=it's\x1b[31m")}
	got := e.Curl()
	want := `curl -sS -X POST 'http://127.0.0.1:1/oauth2/tokens?x='\''y'\''' -H 'Content-Type: application/x-www-form-urlencoded' --data-raw $'a=it\'s\x1b[31m'`
	if got != want {
		t.Errorf("Curl()\n got %s\nwant %s", got, want)
	}
	if strings.ContainsRune(got, 0x1b) {
		t.Error("raw escape in curl output")
	}
}

func TestCurlEscapesBidiAndC1Controls(t *testing.T) {
	t.Parallel()
	for _, r := range []rune{'\u0085', '\u200f', '\u202e', '\u2066'} {
		e := client.Exchange{Method: "GET", URL: "http://127.0.0.1:1/x" + string(r) + "y"}
		got := e.Curl()
		if strings.ContainsRune(got, r) {
			t.Errorf("Curl() left U+%04X raw: %q", r, got)
		}
		if want := fmt.Sprintf(`\u%04x`, r); !strings.Contains(got, want) {
			t.Errorf("Curl() = %q, want the escape %s", got, want)
		}
	}
}

// TestRecorderSince: LastID, IDsSince and Since see what came after a
// point, within the ring, and Since's exchanges are redacted like the rest.
func TestRecorderSince(t *testing.T) {
	t.Parallel()
	srv := leakyServer(t)
	rec := client.NewRecorder(3)
	c, _ := client.New(srv.URL, "", client.Options{Recorder: rec})
	if rec.LastID() != 0 || len(rec.Since(0)) != 0 {
		t.Fatal("an empty recorder has exchanges")
	}
	send := func() {
		if _, err := c.Do(context.Background(), client.Request{URL: "/big?code=abcdefgh1234"}); err != nil {
			t.Fatal(err)
		}
	}
	send()
	mark := rec.LastID()
	send()
	send()
	got := rec.Since(mark)
	if mark != 1 || len(got) != 2 || got[0].ID != 2 || got[1].ID != 3 {
		t.Fatalf("since %d: %d exchanges", mark, len(got))
	}
	if ids := rec.IDsSince(mark); len(ids) != 2 || ids[0] != 2 || ids[1] != 3 {
		t.Fatalf("IDsSince(%d) = %v", mark, ids)
	}
	if strings.Contains(got[0].URL, "abcdefgh1234") {
		t.Fatalf("Since handed out an unredacted URL: %s", got[0].URL)
	}
	send()
	send() // the ring (3) no longer holds exchange 2
	if ids := rec.IDsSince(1); len(ids) != 3 || ids[0] != 3 {
		t.Fatalf("after the ring turned: %v", ids)
	}
}

// SinceFrom keeps one source's exchanges: what a flow step sent, not what
// another screen sent to the same deployment at the same time.
func TestRecorderSinceFrom(t *testing.T) {
	t.Parallel()
	srv := leakyServer(t)
	rec := client.NewRecorder(10)
	c, _ := client.New(srv.URL, "", client.Options{Recorder: rec})
	mine, tag := client.WithSource(context.Background(), "flow exchange")
	other, _ := client.WithSource(context.Background(), "flow exchange") // same label, another run
	for _, ctx := range []context.Context{mine, other, context.Background(), mine} {
		if _, err := c.Do(ctx, client.Request{URL: "/big"}); err != nil {
			t.Fatal(err)
		}
	}
	got := rec.SinceFrom(0, tag)
	if len(got) != 2 || got[0].ID != 1 || got[1].ID != 4 || got[0].Source != "flow exchange" {
		t.Fatalf("SinceFrom: %+v", got)
	}
	if all := rec.Since(0); all[2].Source != "" || all[2].SourceID != 0 {
		t.Fatalf("an untagged request got a source: %+v", all[2])
	}
}

// A recorded exchange copied as curl runs: with the secrets' variables set,
// bash and curl send the server the same request again (secrets included),
// although the command itself holds none.
func TestCurlRunsWithVariables(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "curl", "curl")
	got := make(chan *http.Request, 1)
	bodies := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- string(b)
	}))
	defer srv.Close()
	rec := client.NewRecorder(10)
	c, _ := client.New(srv.URL, secSession, client.Options{Recorder: rec})
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"app-1"}, "client_secret": {secClientSecret}, "code": {secCode}}
	if _, err := c.Do(context.Background(), client.Request{Method: http.MethodPost, URL: "/oauth2/tokens", Form: form, WithSession: true}); err != nil {
		t.Fatal(err)
	}
	<-got
	<-bodies
	curl := rec.Since(0)[0].Curl()
	for _, s := range allSecrets {
		if strings.Contains(curl, s) {
			t.Fatalf("the curl command holds a secret: %s", curl)
		}
	}
	if !strings.Contains(curl, "# set first: CODER_SESSION_TOKEN") || !strings.Contains(curl, "CLIENT_SECRET") {
		t.Fatalf("curl: %s", curl)
	}
	cmd := exec.Command("bash", "-c", curl)
	cmd.Env = append(os.Environ(), "CODER_SESSION_TOKEN="+secSession, "CLIENT_SECRET="+secClientSecret, "CODE="+secCode)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s\n%s", err, out, curl)
	}
	r, body := <-got, <-bodies
	q, _ := url.ParseQuery(body)
	if r.Header.Get("Coder-Session-Token") != secSession || q.Get("client_secret") != secClientSecret || q.Get("code") != secCode || q.Get("client_id") != "app-1" {
		t.Fatalf("the replayed request: session %q, form %v", r.Header.Get("Coder-Session-Token"), q)
	}
}
