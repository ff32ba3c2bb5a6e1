package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

func TestNewRejectsBadURLs(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "coder.example.com", "ftp://x", "https://", "https://u:p@x", "https://x/?a=b", "https://x/#f", "http://x\x7f"} {
		if _, err := client.New(raw, "", client.Options{}); err == nil {
			t.Errorf("New(%q) accepted", raw)
		}
	}
	c, err := client.New(" https://coder.example.com/ ", "", client.Options{})
	if err != nil || c.BaseURL() != "https://coder.example.com" {
		t.Fatalf("trailing slash: %v %v", c, err)
	}
}

func TestBadURLErrorsHideCredentials(t *testing.T) {
	t.Parallel()
	const password = "hunter2-pw"
	for _, raw := range []string{
		"ftp://admin:" + password + "@x",  // refused for its scheme
		"https://admin:" + password + "@", // refused for its missing host
		"https://admin:hun ter2-pw@x",     // refused by the URL parser
		"https://x/?session_token=" + password,
	} {
		_, err := client.New(raw, "", client.Options{})
		if err == nil {
			t.Fatalf("New(%q) accepted", raw)
		}
		if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "hun ter2") {
			t.Errorf("New(%q) error shows the secret: %v", raw, err)
		}
	}
}

func TestPathPrefixedDeployment(t *testing.T) {
	t.Parallel()
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path
		_, _ = io.WriteString(w, `{"version":"v2.30.0"}`)
	}))
	defer srv.Close()
	c, _ := client.New(srv.URL+"/coder/", "", client.Options{})
	if _, err := c.BuildInfo(context.Background()); err != nil || got != "/coder/api/v2/buildinfo" {
		t.Fatalf("path %q, %v", got, err)
	}
}

func TestTLSVerification(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"version":"v2.30.0"}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	defer srv.Close()
	strict, _ := client.New(srv.URL, "", client.Options{})
	if _, err := strict.BuildInfo(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("self-signed certificate accepted by default: %v", err)
	}
	lax, _ := client.New(srv.URL, "", client.Options{InsecureSkipVerify: true})
	if bi, err := lax.BuildInfo(context.Background()); err != nil || bi.Version != "v2.30.0" {
		t.Fatalf("InsecureSkipVerify: %v", err)
	}
}

func TestHTTPClientIsBoundedAndDoesNotFollow(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, strings.Repeat("z", 4096))
	}))
	defer srv.Close()
	rec := client.NewRecorder(0)
	c, _ := client.New(srv.URL, "", client.Options{MaxBodyBytes: 1000, Recorder: rec})
	resp, err := c.HTTPClient().Get(srv.URL + "/redirect")
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("redirect followed or failed: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = c.HTTPClient().Get(srv.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	var tl *client.BodyTooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("want BodyTooLargeError reading through HTTPClient, got %v", err)
	}
	if n := len(rec.Exchanges()); n != 2 {
		t.Errorf("recorder saw %d exchanges through HTTPClient, want 2", n)
	}
}

func TestSessionHeaderAndAppBody(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var headers []http.Header
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		headers = append(headers, r.Header.Clone())
		bodies = append(bodies, body)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"a","name":"n","redirect_uris":["http://127.0.0.1:1/cb"]}`)
	}))
	defer srv.Close()
	c, _ := client.New(srv.URL, "sess", client.Options{})
	app, err := c.CreateApp(context.Background(), client.AppRequest{Name: "n", CallbackURL: "http://127.0.0.1:1/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if app.CallbackURL != "http://127.0.0.1:1/cb" {
		t.Errorf("callback_url not filled from redirect_uris: %+v", app)
	}
	_, _ = c.MeWithBearer(context.Background(), "bearer-tok")
	if h := headers[0]; h.Get("Coder-Session-Token") != "sess" || h.Get("Authorization") != "" {
		t.Errorf("session call headers %v", h)
	}
	if h := headers[1]; h.Get("Authorization") != "Bearer bearer-tok" || h.Get("Coder-Session-Token") != "" {
		t.Errorf("bearer call headers %v", h)
	}
	b := bodies[0]
	uris, _ := b["redirect_uris"].([]any)
	if b["callback_url"] != "http://127.0.0.1:1/cb" || len(uris) != 1 || uris[0] != "http://127.0.0.1:1/cb" {
		t.Errorf("app body %v", b)
	}
	if _, has := b["scope"]; has {
		t.Errorf("nil scope must be omitted: %v", b)
	}
}

func TestProviderEnabled(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw            string
		enabled, known bool
	}{
		{"", false, false}, {"null", false, false}, {"true", true, true}, {"false", false, true},
		{`{"enabled":true}`, true, true}, {`{"enabled":false,"dcr":true}`, false, true},
		{`{"dcr":true}`, false, false}, {`"yes"`, false, false}, {`{"enabled":"yes"}`, false, false},
	}
	for _, tc := range cases {
		bi := client.BuildInfo{OAuth2Provider: json.RawMessage(tc.raw)}
		if e, k := bi.ProviderEnabled(); e != tc.enabled || k != tc.known {
			t.Errorf("%s: got %v,%v want %v,%v", tc.raw, e, k, tc.enabled, tc.known)
		}
	}
}

// TestDiscoveryOrder follows the MCP 2025-11-25 order for a path issuer:
// the path-inserted RFC 8414 URL misses, the path-inserted OIDC URL returns
// an SPA page (which does not count), and issuer + OIDC suffix answers.
func TestDiscoveryOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/.well-known/openid-configuration/tenant":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html>spa</html>")
		case "/tenant/.well-known/openid-configuration":
			_, _ = io.WriteString(w, `{"issuer":"x/tenant","authorization_endpoint":"a","token_endpoint":"t","response_types_supported":["code"]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, _ := client.New(srv.URL, "", client.Options{})
	md, err := c.AuthorizationServerMetadata(context.Background(), srv.URL+"/tenant/")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/.well-known/oauth-authorization-server/tenant", "/.well-known/openid-configuration/tenant", "/tenant/.well-known/openid-configuration"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("tried %v, want %v", paths, want)
	}
	if len(md.Tried) != 3 || md.Tried[0].StatusCode != 404 || md.Tried[1].StatusCode != 200 || md.Tried[1].Err == "" || md.Tried[2].Err != "" {
		t.Errorf("attempts %+v", md.Tried)
	}
	if md.Doc.TokenEndpoint != "t" || md.URL != srv.URL+want[2] {
		t.Errorf("doc %+v from %s", md.Doc, md.URL)
	}

	// Root issuer: only the first two; nothing found is an error that keeps the attempts.
	paths = nil
	md, err = c.AuthorizationServerMetadata(context.Background(), "")
	if err == nil || len(md.Tried) != 2 || len(paths) != 2 {
		t.Errorf("root issuer: %v, tried %+v, paths %v", err, md.Tried, paths)
	}

	// PRM for a resource with a path: path-inserted first, then root.
	paths = nil
	_, err = c.ProtectedResourceMetadata(context.Background(), srv.URL+"/api/experimental/mcp/http", "")
	if err == nil || strings.Join(paths, " ") != "/.well-known/oauth-protected-resource/api/experimental/mcp/http /.well-known/oauth-protected-resource" {
		t.Errorf("PRM order %v (%v)", paths, err)
	}
}

func BenchmarkRedactTokenForm(b *testing.B) {
	body := "grant_type=authorization_code&code=" + secCode + "&client_id=3382578a-f435-42f8-9490-124605cccac2&client_secret=" +
		secClientSecret + "&code_verifier=" + secVerifier + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9876%2Fcallback"
	b.ReportAllocs()
	for b.Loop() {
		_ = safe.Redact(body)
	}
}

func BenchmarkRecordedRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"access_token":"`+secAccess+`","token_type":"Bearer","refresh_token":"`+secRefresh+`"}`)
	}))
	defer srv.Close()
	c, _ := client.New(srv.URL, "", client.Options{Recorder: client.NewRecorder(64)})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do(context.Background(), client.Request{URL: "/oauth2/tokens", Form: map[string][]string{"code": {secCode}}}); err != nil {
			b.Fatal(err)
		}
	}
}
