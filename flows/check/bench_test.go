package check_test

import (
	"context"
	"testing"

	"oauthdeck/client"
	"oauthdeck/flows/check"
	"oauthdeck/sandbox"
)

// BenchmarkCheckSandbox measures a full run (setup, every check, cleanup)
// against the in-process sandbox: wall time per run and HTTP round trips
// per run, counted by the server.
func BenchmarkCheckSandbox(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts sandbox.Options
	}{
		{"main", sandbox.Options{RateLimit: -1}},
		{"main-dcr", sandbox.Options{EnableDCR: true, RateLimit: -1}},
		{"v2.30", sandbox.Options{Compat: sandbox.CompatV230}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			srv, _, _ := startSandbox(b, mode.opts)
			// No recorder: the benchmark measures the suite, not the trace.
			c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			before, runs := srv.Requests(), 0
			for b.Loop() {
				if _, err := check.Run(ctx, check.Config{Client: c}); err != nil {
					b.Fatal(err)
				}
				runs++
			}
			b.ReportMetric(float64(srv.Requests()-before)/float64(runs), "roundtrips/op")
		})
	}
}
