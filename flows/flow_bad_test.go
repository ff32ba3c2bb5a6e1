package flows

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// A deployment whose provider is off: discovery fails and says how to turn it on.
func TestFlowProviderDisabled(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatV230, sandbox.CompatMain} {
		t.Run(string(compat), func(t *testing.T) {
			env := startSandboxWith(t, sandbox.Options{Compat: compat, ProviderDisabled: true})
			f, _ := New(Config{Client: env.c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
			defer f.Close()
			ctx := testCtx(t)
			var r StepResult
			for _, id := range []StepID{StepDiscover, StepClient} {
				if r = f.Run(ctx, id); r.Status == StatusFailed {
					break
				}
			}
			if r.Status != StatusFailed || r.Explain == nil || r.Explain.Code != "provider-disabled" {
				t.Fatalf("%s = %s %v %+v", r.Step, r.Status, r.Err, r.Explain)
			}
		})
	}
}

// Something that is not Coder at all (an HTML page for every path): a clear
// failure, nothing panics, no step past discovery runs.
func TestFlowNotCoder(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>" + strings.Repeat("welcome ", 50) + "</body></html>"))
	}))
	defer srv.Close()
	c, _ := client.New(srv.URL, "", client.Options{Timeout: 2 * time.Second})
	f, _ := New(Config{Client: c})
	defer f.Close()
	res := f.RunAll(testCtx(t))
	if len(res) != 1 || res[0].Status != StatusFailed || res[0].Explain == nil {
		t.Fatalf("results %+v", res)
	}
	// The client shows a bounded, sanitised excerpt of what came back.
	if msg := res[0].Err.Error(); strings.ContainsAny(msg, "\n\r\x1b") || len(msg) > 600 || res[0].Explain.Code != "unexpected-response" {
		t.Fatalf("error %q explained as %+v", msg, res[0].Explain)
	}
}

// Metadata with terminal escapes in its strings: every field and finding
// the discover step shows is free of control characters.
func TestFlowDiscoverSanitisesMetadata(t *testing.T) {
	t.Parallel()
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/.well-known/oauth-authorization-server") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"` + base + `","authorization_endpoint":"` + base + `/oauth2/authorize",
			"token_endpoint":"` + base + `/oauth2/tokens\u001b[2J",
			"token_endpoint_auth_methods_supported":["client_secret_post\u001b]0;pwned\u0007","\u001b[31mnone"]}`))
	}))
	defer srv.Close()
	base = srv.URL
	c, _ := client.New(srv.URL, "", client.Options{Timeout: 2 * time.Second})
	f, _ := New(Config{Client: c})
	defer f.Close()
	r := f.Run(testCtx(t), StepDiscover)
	if r.Status == StatusPending || len(r.Fields) == 0 {
		t.Fatalf("discover = %s %v", r.Status, r.Err)
	}
	for _, fd := range r.Fields {
		if strings.ContainsAny(fd.Value, "\x1b\x07") {
			t.Errorf("field %s shows %q", fd.Label, fd.Value)
		}
	}
	for _, fd := range r.Findings {
		if strings.ContainsAny(fd.Message, "\x1b\x07") {
			t.Errorf("finding %s says %q", fd.ID, fd.Message)
		}
	}
	if strings.ContainsAny(r.Verdict, "\x1b\x07") {
		t.Errorf("verdict %q", r.Verdict)
	}
}
