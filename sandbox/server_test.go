package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStartRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "[::]:0", "example.com:0", "nonsense"} {
		if s, err := Start(context.Background(), Options{Addr: addr}); err == nil {
			_ = s.Close()
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	if _, err := Start(context.Background(), Options{Compat: "v9"}); err == nil || !strings.Contains(err.Error(), "unknown Compat") {
		t.Errorf("unknown compat: %v", err)
	}
	s := startSandbox(t, Options{Addr: "localhost:0"})
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || strings.HasSuffix(s.URL(), "/") {
		t.Errorf("URL %q", s.URL())
	}
}

func TestContextCancelStopsServer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, call(t, s, req{path: "/api/v2/buildinfo"}), 200, "")
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(s.URL() + "/api/v2/buildinfo")
		if err != nil {
			return
		}
		_ = res.Body.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server still answering after ctx cancel")
}

func TestLoginAndFirstUser(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{AdminPassword: "pw-admin-1"})
	expect(t, call(t, s, req{path: "/api/v2/users/first"}), 200, `{"message":"The initial user has already been created!"}`)
	expect(t, call(t, s, req{method: "POST", path: "/api/v2/users/first", json: map[string]string{}}), 409, `{"message":"The initial user has already been created."}`)
	expect(t, call(t, s, req{method: "POST", path: "/api/v2/users/login", json: map[string]string{"email": "admin@example.com", "password": "wrong"}}), 401, `{"message":"Incorrect email or password."}`)
	r := call(t, s, req{method: "POST", path: "/api/v2/users/login", json: map[string]string{"email": s.AdminEmail(), "password": s.AdminPassword()}})
	expect(t, r, 201, "")
	var body struct {
		SessionToken string `json:"session_token"`
	}
	r.decode(t, &body)
	if !reAPIKey.MatchString(body.SessionToken) || !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), "coder_session_token="+body.SessionToken) {
		t.Fatalf("login: %s %v", r.body, r.header)
	}
	expect(t, call(t, s, req{path: "/api/v2/users/me", session: body.SessionToken}), 200, "")
	if def := startSandbox(t, Options{}); len(def.AdminPassword()) < 16 || def.AdminEmail() != "admin@example.com" {
		t.Errorf("default admin credentials %q %q", def.AdminEmail(), def.AdminPassword())
	}

	// The HTML login refuses open redirects.
	form := url.Values{"email": {s.AdminEmail()}, "password": {s.AdminPassword()}}
	for redirect, want := range map[string]string{"/oauth2/authorize?x=1": "/oauth2/authorize?x=1", "https://evil.example/": "/", "//evil.example/": "/", `/\evil`: "/"} {
		form.Set("redirect", redirect)
		r := call(t, s, req{method: "POST", path: "/login", form: form})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("redirect %q: %d %q", redirect, r.status, r.header.Get("Location"))
		}
	}
	form.Set("password", "wrong")
	if r := call(t, s, req{method: "POST", path: "/login", form: form}); r.status != 401 || !strings.Contains(r.text(), "Incorrect email or password.") {
		t.Errorf("bad HTML login: %d", r.status)
	}
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{Compat: CompatV230})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	huge := strings.Repeat("a", 2<<20)
	r := call(t, s, req{method: "POST", path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken(), raw: `{"name":"` + huge + `"}`})
	if r.status != 400 || !strings.Contains(r.text(), "Request body must be valid JSON.") {
		t.Errorf("huge JSON: %d %.200s", r.status, r.body)
	}
	r = call(t, s, req{method: "POST", path: "/oauth2/tokens", raw: "client_id=" + f.appID + "&x=" + huge, headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	expect(t, r, 400, errGeneric)
	for _, raw := range []string{"<html>", "null", "[]", `{"name":1}`, "\x00\xff"} {
		r := call(t, s, req{method: "POST", path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken(), raw: raw})
		if r.status != 400 {
			t.Errorf("body %q: %d %s", raw, r.status, r.body)
		}
	}
	r = call(t, s, req{method: "POST", path: "/oauth2/register", raw: "garbage"})
	if r.status != 400 || !strings.Contains(r.text(), `"message":"Request body must be valid JSON."`) {
		t.Errorf("register garbage: %d %s", r.status, r.body)
	}
}

// TestConcurrentFlows runs many users' flows and refreshes in parallel
// (meaningful under -race) and races one refresh token: exactly one wins.
func TestConcurrentFlows(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{RateLimit: -1}) // 12 users × 8 token calls from one IP: more than a minute's 60
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	const users = 12
	var wg sync.WaitGroup
	errs := make(chan string, users*8)
	for i := range users {
		_, session, err := s.CreateUser("u"+strings.Repeat("x", i)+"@example.com", "user"+strings.Repeat("x", i), "pw", false)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func(session string) {
			defer wg.Done()
			gt := goroutineT{TB: t, errs: errs}
			defer gt.recoverFatal()
			tok := f.flowAs(gt, session)
			for range 4 {
				r := f.token(gt, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {f.appID}, "client_secret": {f.secret}})
				if r.status != 200 {
					errs <- "refresh: " + r.text()
					return
				}
				r.decode(gt, &tok)
			}
			if r := me(gt, s, tok.AccessToken); r.status != 200 {
				errs <- "final token: " + r.text()
			}
		}(session)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	tok := f.flow(t, url.Values{})
	var wins, losses int
	var mu sync.Mutex
	raceErrs := make(chan string, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gt := goroutineT{TB: t, errs: raceErrs}
			defer gt.recoverFatal()
			r := f.token(gt, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {f.appID}, "client_secret": {f.secret}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case r.status == 200:
				wins++
			case r.status == 400 && r.text() == errBadRefresh+"\n":
				losses++
			}
		}()
	}
	wg.Wait()
	close(raceErrs)
	for e := range raceErrs {
		t.Error(e)
	}
	if wins != 1 || losses != 15 {
		t.Errorf("racing one refresh token: %d wins, %d losses", wins, losses)
	}
	if s.Requests() < users*6 {
		t.Errorf("Requests() = %d, too low", s.Requests())
	}
}

func TestSeedApps(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	ids := s.SeedApps(250)
	var list []struct{ ID, Name string }
	call(t, s, req{path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken()}).decode(t, &list)
	if len(list) != 250 || list[0].ID != ids[0] || list[0].Name != "seed-00001" || list[249].Name != "seed-00250" {
		t.Fatalf("seeded list: %d entries, first %+v", len(list), list[0])
	}
}

func TestIPv6Loopback(t *testing.T) {
	t.Parallel()
	s, err := Start(context.Background(), Options{Addr: "[::1]:0"})
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL(), "http://[::1]:") {
		t.Fatalf("URL %q", s.URL())
	}
	var doc map[string]any
	call(t, s, req{path: "/.well-known/oauth-authorization-server"}).decode(t, &doc)
	if doc["issuer"] != s.URL() {
		t.Errorf("issuer %v", doc["issuer"])
	}
}
