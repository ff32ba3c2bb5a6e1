package check_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// coderApproach runs testdata/coder-approach.sh (Coder's curl + jq way of
// checking the provider) against srv. It skips where bash, curl, jq or
// openssl are missing, except in CI, where it fails.
func coderApproach(t testing.TB, srv *sandbox.Server) (string, error) {
	t.Helper()
	return coderApproachAt(t, srv.URL(), srv.AdminSessionToken())
}

// coderApproachAt runs the script against baseURL with an owner session.
func coderApproachAt(t testing.TB, baseURL, session string) (string, error) {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "jq", "openssl"} {
		testenv.Tool(t, tool, tool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "testdata/coder-approach.sh")
	// The session goes in the environment, never in the arguments.
	cmd.Env = append(os.Environ(), "BASE_URL="+baseURL, "SESSION_TOKEN="+session)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestCoderApproachScript(t *testing.T) {
	t.Parallel()
	for _, compat := range sandbox.Profiles() {
		t.Run(string(compat), func(t *testing.T) {
			t.Parallel()
			srv, _, _ := startSandbox(t, sandbox.Options{Compat: compat})
			out, err := coderApproach(t, srv)
			if err != nil || !strings.Contains(out, "passed 10 of 10") {
				t.Fatalf("script: %v\n%s", err, out)
			}
			if apps := allApps(t, srv); len(apps) > 0 {
				t.Errorf("the script left %d apps", len(apps))
			}
		})
	}
}

// TestCoderApproachScriptProbesWithHEAD: the script's WWW-Authenticate step
// uses HEAD as Coder's original does, so a server that routes the method
// before it authenticates (405 to HEAD) fails that step. (Behind the proxy
// the Bearer steps fail too: the token's audience is the proxy's URL.)
func TestCoderApproachScriptProbesWithHEAD(t *testing.T) {
	t.Parallel()
	srv, _, _ := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	methodFirst := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && r.URL.Path == "/api/v2/users/me" {
			w.Header().Set("Allow", "GET")
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(methodFirst.Close)
	out, err := coderApproachAt(t, methodFirst.URL, srv.AdminSessionToken())
	if err == nil || !strings.Contains(out, "FAIL  WWW-Authenticate on 401") || !strings.Contains(out, "PASS  PKCE flow") {
		t.Fatalf("against a method-first server the script gave (%v):\n%s", err, out)
	}
}

// BenchmarkCoderApproachScript times the curl + jq approach on the same
// sandbox, to set against BenchmarkCheckSandbox (which runs every check of the registry; this script makes 10).
func BenchmarkCoderApproachScript(b *testing.B) {
	srv, _, _ := startSandbox(b, sandbox.Options{})
	before, runs := srv.Requests(), 0
	for b.Loop() {
		if out, err := coderApproach(b, srv); err != nil {
			b.Fatalf("script: %v\n%s", err, out)
		}
		runs++
	}
	b.ReportMetric(float64(srv.Requests()-before)/float64(runs), "roundtrips/op")
}
