package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// allApps lists every app on the sandbox (a fresh sandbox has none, so
// anything left is the suite's).
func allApps(t *testing.T, srv *sandbox.Server) []client.App {
	t.Helper()
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	apps, err := c.Apps(context.Background())
	if err != nil {
		t.Fatalf("listing apps: %v", err)
	}
	return apps
}

// TestCheckCancelledMidwayCleansUp cancels the run at different requests
// (during setup, the flow, the refresh probes, dynamic registration) and
// checks that the run stops with the context's error and that everything
// it created, apps and registered clients alike, is gone.
func TestCheckCancelledMidwayCleansUp(t *testing.T) {
	t.Parallel()
	for _, at := range []int64{9, 14, 40, 55, -1} {
		t.Run("", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv, err := sandbox.Start(ctx, sandbox.Options{EnableDCR: true})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			runCtx, stop := context.WithCancel(ctx)
			defer stop()
			var n atomic.Int64
			var registered atomic.Bool
			hook := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if n.Add(1) == at {
					stop()
				}
				resp, err := http.DefaultTransport.RoundTrip(r)
				// at == -1: stop right after a client was registered dynamically.
				if at == -1 && err == nil && strings.HasSuffix(r.URL.Path, "/oauth2/register") && resp.StatusCode == http.StatusCreated {
					registered.Store(true)
					stop()
				}
				return resp, err
			})
			c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Transport: hook, Recorder: client.NewRecorder(1000)})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := check.Run(runCtx, check.Config{Client: c})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run after cancel: err %v, want context.Canceled", err)
			}
			if len(rep.Checks) >= len(check.Checks()) {
				t.Errorf("the run went on after the cancel: %d results", len(rep.Checks))
			}
			if at == -1 && !registered.Load() {
				t.Fatal("the run never registered a client; the test proves nothing")
			}
			if n.Load() < at {
				t.Fatalf("only %d requests; the cancel at %d never happened", n.Load(), at)
			}
			if apps := allApps(t, srv); len(apps) > 0 {
				var names []string
				for _, a := range apps {
					names = append(names, a.Name)
				}
				t.Errorf("left behind after a cancel at request %d: %v", at, names)
			}
		})
	}
}

func TestCheckNoRecorder(t *testing.T) {
	t.Parallel()
	srv, c, _ := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	plain, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := check.Run(context.Background(), check.Config{Client: plain})
	if err != nil {
		t.Fatal(err)
	}
	st := statuses(rep)
	for _, id := range []string{"token.cache-control", "code.client-binding", "refresh.client-auth", "revoke.client-auth", "authorize.response-type"} {
		if st[id].Status != check.Fail || len(st[id].Evidence) == 0 {
			t.Errorf("%s: %s with %d evidence items, want fail with evidence", id, st[id].Status, len(st[id].Evidence))
		}
	}
	assertNoSecrets(t, rep, srv.AdminSessionToken())
	if left := suiteAppsLeft(t, c); len(left) > 0 {
		t.Errorf("apps left behind: %v", left)
	}
}

func TestCheckProviderDisabled(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			t.Parallel()
			_, c, rec := startSandbox(t, sandbox.Options{Compat: compat, ProviderDisabled: true})
			rep, err := check.Run(context.Background(), check.Config{Client: c, Recorder: rec})
			if err != nil {
				t.Fatal(err)
			}
			st := statuses(rep)
			if st["setup.apps"].Status != check.Fail || !strings.Contains(st["setup.apps"].Detail, "not enabled") {
				t.Errorf("setup.apps: %s %q", st["setup.apps"].Status, st["setup.apps"].Detail)
			}
			if st["flow.pkce"].Status != check.Skip || !strings.Contains(st["flow.pkce"].Detail, "setup.apps") {
				t.Errorf("flow.pkce: %s %q", st["flow.pkce"].Status, st["flow.pkce"].Detail)
			}
			if !rep.Failed() {
				t.Error("a deployment without the provider must not pass")
			}
		})
	}
}

func TestCheckMemberSession(t *testing.T) {
	t.Parallel()
	srv, _, _ := startSandbox(t, sandbox.Options{})
	_, token, err := srv.CreateUser("member@example.com", "member", "SomePassw0rd!", false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(srv.URL(), token, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := check.Run(context.Background(), check.Config{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	if r := statuses(rep)["setup.apps"]; r.Status != check.Fail || !strings.Contains(r.Detail, "owner") {
		t.Errorf("setup.apps with a member session: %s %q", r.Status, r.Detail)
	}
}

// TestCheckHostileServer points the suite at servers that answer with HTML,
// with garbage, with huge bodies or not at all: the run completes, fails,
// and nothing panics.
func TestCheckHostileServer(t *testing.T) {
	t.Parallel()
	handlers := map[string]http.HandlerFunc{
		"html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>\x1b]52;c;ZXZpbA==\x07 hello</body></html>"))
		},
		"garbage-json": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader([]int{200, 201, 302, 400, 500}[len(r.URL.Path)%5])
			_, _ = w.Write([]byte(`{"id": [1, 2`))
		},
		"huge": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"issuer":"`))
			chunk := []byte(strings.Repeat("A", 1<<16))
			for i := 0; i < 64; i++ { // 4 MiB, over the 64 KiB limit below
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		},
		"hang": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second): // the client gives up after 200ms
			}
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			c, err := client.New(srv.URL, "AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB", client.Options{Timeout: 200 * time.Millisecond, MaxBodyBytes: 64 << 10, Recorder: client.NewRecorder(100)})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			rep, err := check.Run(ctx, check.Config{Client: c, CleanupTimeout: time.Second})
			if ctx.Err() != nil {
				t.Fatalf("the run did not finish: %v", err)
			}
			if !rep.Failed() {
				t.Errorf("a hostile server passed: %+v", rep.Summary)
			}
			// What such a server fails is what the suite could try and
			// disprove: discovery, the resource's and token endpoint's
			// challenges, and creating an app; everything that needs those
			// skips, saying why, rather than passing or failing blind.
			wantFail := map[string]bool{"discovery.as-metadata": true, "discovery.protected-resource": true,
				"mcp.www-authenticate": true, "setup.apps": true, "token.www-authenticate": true}
			for _, r := range rep.Checks {
				switch {
				case wantFail[r.ID] && r.Status != check.Fail:
					t.Errorf("%s: %s, want fail (%s)", r.ID, r.Status, r.Detail)
				case !wantFail[r.ID] && r.Status != check.Skip:
					t.Errorf("%s: %s, want skip (%s)", r.ID, r.Status, r.Detail)
				case r.Status == check.Skip && strings.TrimSpace(r.Detail) == "":
					t.Errorf("%s skipped without saying why", r.ID)
				}
			}
			if len(rep.Checks) != len(check.Checks()) {
				t.Errorf("%d results, want %d", len(rep.Checks), len(check.Checks()))
			}
			for _, r := range rep.Checks {
				if strings.Contains(r.Detail, "\x1b") || strings.Contains(r.Detail, "internal error") {
					t.Errorf("%s: %q", r.ID, r.Detail)
				}
			}
			var js bytes.Buffer
			if err := check.WriteJSON(&js, rep); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(js.String(), `\u001b`) || strings.Contains(js.String(), `\u0007`) {
				t.Error("server control characters reached the JSON evidence")
			}
		})
	}
}

// TestCheckRateLimitIsNotARefusal answers every token request after the
// first few with 429: no check may count that as the server refusing a
// wrong request.
func TestCheckRateLimitIsNotARefusal(t *testing.T) {
	t.Parallel()
	srv, _, _ := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	var tokenCalls atomic.Int64
	hook := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/oauth2/tokens") && tokenCalls.Add(1) > 3 {
			return &http.Response{StatusCode: http.StatusTooManyRequests, Request: r,
				Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"60"}},
				Body:   io.NopCloser(strings.NewReader(`{"error":"temporarily_unavailable","error_description":"rate limited"}`))}, nil
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	// Retry-After is longer than the client will wait: the 429s reach the probes.
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Transport: hook, MaxRateLimitWait: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := check.Run(context.Background(), check.Config{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Traffic.RateLimited == 0 || rep.Traffic.Waits != 0 {
		t.Errorf("traffic %+v: want 429s counted and no wait", rep.Traffic)
	}
	st := statuses(rep)
	for _, id := range []string{"code.single-use", "code.client-binding", "token.bad-client-secret", "token.redirect-mismatch", "refresh.client-auth"} {
		if st[id].Status == check.Pass {
			t.Errorf("%s passed on 429 answers: %s", id, st[id].Detail)
		}
	}
	if !strings.Contains(st["token.resource-mismatch"].Detail, "rate limiting") {
		t.Errorf("token.resource-mismatch does not name the rate limit: %q", st["token.resource-mismatch"].Detail)
	}
	if left := allApps(t, srv); len(left) > 0 {
		t.Errorf("apps left behind: %d", len(left))
	}
}

// TestCheckSkipsWhatTheServerDoesNotOffer hides revocation_endpoint from the
// metadata and the MCP endpoint from the server: those checks skip with the
// reason instead of failing.
func TestCheckSkipsWhatTheServerDoesNotOffer(t *testing.T) {
	t.Parallel()
	srv, _, _ := startSandbox(t, sandbox.Options{})
	hook := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasPrefix(r.URL.Path, "/api/experimental/mcp/") {
			return &http.Response{StatusCode: http.StatusNotFound, Request: r, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{"message":"Route not found."}`))}, nil
		}
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil || !strings.HasPrefix(r.URL.Path, "/.well-known/oauth-authorization-server") {
			return resp, err
		}
		defer resp.Body.Close()
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			return nil, err
		}
		delete(doc, "revocation_endpoint")
		body, _ := json.Marshal(doc)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Del("Content-Length")
		return resp, nil
	})
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Transport: hook})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := check.Run(context.Background(), check.Config{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	st := statuses(rep)
	for _, id := range []string{"revoke.rfc7009", "revoke.client-auth"} {
		if st[id].Status != check.Skip || !strings.Contains(st[id].Detail, "revocation_endpoint") {
			t.Errorf("%s: %s %q, want skip naming revocation_endpoint", id, st[id].Status, st[id].Detail)
		}
	}
	for _, id := range []string{"mcp.www-authenticate", "mcp.bearer-use"} {
		if st[id].Status != check.Skip || !strings.Contains(st[id].Detail, "404") {
			t.Errorf("%s: %s %q, want skip naming the 404", id, st[id].Status, st[id].Detail)
		}
	}
	if st["discovery.as-metadata"].Status != check.Warn {
		t.Errorf("discovery.as-metadata: %s, want warn for the missing revocation_endpoint", st["discovery.as-metadata"].Status)
	}
	if rep.Failed() {
		t.Errorf("a server without revocation must not fail: %+v", rep.Summary)
	}
}

// TestCheckCleanupFailureIsReported makes every app deletion fail: the run
// still reports all checks, and Run's error names what was left behind.
func TestCheckCleanupFailureIsReported(t *testing.T) {
	t.Parallel()
	srv, _, _ := startSandbox(t, sandbox.Options{})
	hook := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodDelete {
			return &http.Response{StatusCode: http.StatusInternalServerError, Request: r,
				Header: http.Header{"Content-Type": {"application/json"}},
				Body:   io.NopCloser(strings.NewReader(`{"message":"database is on fire"}`))}, nil
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Transport: hook})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := check.Run(context.Background(), check.Config{Client: c})
	if err == nil || !strings.Contains(err.Error(), "oauthdeck-check-a-") || !strings.Contains(err.Error(), "oauthdeck-check-b-") {
		t.Fatalf("Run error %v does not name the apps left behind", err)
	}
	if len(rep.Checks) != len(check.Checks()) || rep.Failed() {
		t.Errorf("the checks themselves should be complete and passing: %+v", rep.Summary)
	}
}

func TestCheckNoRecorderDCREvidence(t *testing.T) {
	t.Parallel()
	srv, _, _ := startSandbox(t, sandbox.Options{EnableDCR: true})
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := check.Run(context.Background(), check.Config{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	r := statuses(rep)["dcr.redirect-rules"]
	if r.Status != check.Pass || len(r.Evidence) != 3 {
		t.Fatalf("dcr.redirect-rules: %s with %d evidence items", r.Status, len(r.Evidence))
	}
	if !strings.Contains(r.Evidence[0].RequestBody, `"redirect_uris":["http://oauthdeck-check.invalid/callback"]`) || r.Evidence[0].Status != http.StatusBadRequest {
		t.Errorf("first registration evidence: %+v", r.Evidence[0])
	}
	if !strings.Contains(r.Evidence[2].ResponseBody, `"registration_access_token":`) || regexp.MustCompile(`"registration_access_token":"[0-9A-Za-z]{40}"`).MatchString(r.Evidence[2].ResponseBody) {
		t.Errorf("registration access token absent from or leaked into the evidence: %s", r.Evidence[2].ResponseBody)
	}
	assertNoSecrets(t, rep, srv.AdminSessionToken())
	if apps := allApps(t, srv); len(apps) > 0 {
		t.Errorf("%d apps left", len(apps))
	}
}

// An interruption that cuts the create of a test app short after the server
// made it (the answer never arrives) leaves nothing behind: cleanup finds
// the app by its name.
func TestCheckInterruptedCreateLeavesNothing(t *testing.T) {
	t.Parallel()
	srv, _, _ := startSandbox(t, sandbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hook := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && r.Method == http.MethodPost && r.URL.Path == "/api/v2/oauth2-provider/apps" {
			resp.Body.Close()
			cancel() // the server created it; the answer is lost
			return nil, context.Canceled
		}
		return resp, err
	})
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Transport: hook})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := check.Run(ctx, check.Config{Client: c}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want the cancellation", err)
	}
	if left := srv.AppNames("oauthdeck-check-"); len(left) > 0 {
		t.Fatalf("the interrupted create left %v", left)
	}
}
