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
