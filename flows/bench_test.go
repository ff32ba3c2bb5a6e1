package flows

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// BenchmarkFlowSandbox runs the whole ten-step flow (auto-consent, create
// app, refresh and revoke proofs, cleanup) against the sandbox.
func BenchmarkFlowSandbox(b *testing.B) {
	for _, compat := range []sandbox.Compat{sandbox.CompatV230, sandbox.CompatMain} {
		b.Run(string(compat), func(b *testing.B) {
			ctx := context.Background()
			srv, err := sandbox.Start(ctx, sandbox.Options{Compat: compat})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{Timeout: 5 * time.Second})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				f, err := New(Config{Client: c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range f.RunAll(ctx) {
					if r.Status == StatusFailed {
						b.Fatalf("%s: %v", r.Step, r.Err)
					}
				}
				_ = f.Close()
			}
		})
	}
}

// BenchmarkListenerCallback is one listener life: bind, one callback, close.
func BenchmarkListenerCallback(b *testing.B) {
	hc := &http.Client{Timeout: 5 * time.Second}
	for b.Loop() {
		l, err := Listen(context.Background(), ListenOptions{RedirectURI: "http://127.0.0.1:0/cb", Expect: Expect{State: "s"}, Timeout: 5 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		resp, err := hc.Get(l.RedirectURI() + "?" + url.Values{"code": {"c"}, "state": {"s"}}.Encode())
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if _, err := l.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
		_ = l.Close()
	}
}
