package sandbox

import (
	"net/http"
	"net/url"
	"testing"
)

func BenchmarkListApps10k(b *testing.B) {
	s := startSandbox(b, Options{Compat: CompatV230})
	s.SeedApps(10000)
	b.ResetTimer()
	for b.Loop() {
		r := call(b, s, req{path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken()})
		if r.status != http.StatusOK {
			b.Fatalf("status %d", r.status)
		}
		b.SetBytes(int64(len(r.body)))
	}
}

func BenchmarkCodeFlow(b *testing.B) {
	for _, c := range []Compat{CompatV230, CompatMain} {
		b.Run(string(c), func(b *testing.B) {
			s := startSandbox(b, Options{Compat: c})
			f := newFixture(b, s, "http://127.0.0.1:9876/callback")
			start := s.Requests()
			b.ResetTimer()
			for b.Loop() {
				f.flow(b, url.Values{})
			}
			b.ReportMetric(float64(s.Requests()-start)/float64(b.N), "requests/op")
		})
	}
}
