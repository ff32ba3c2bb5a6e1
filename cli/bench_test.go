package cli_test

import (
	"bytes"
	"context"
	"testing"

	"oauthdeck/cli"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// BenchmarkAppsList10k times 'oauthdeck apps list' (request, decode,
// sanitise, align, print) against a sandbox holding 10,000 apps.
func BenchmarkAppsList10k(b *testing.B) {
	for _, format := range []string{"table", "json"} {
		b.Run(format, func(b *testing.B) {
			srv, err := sandbox.Start(context.Background(), sandbox.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			srv.SeedApps(10000)
			env := map[string]string{"CODER_URL": srv.URL(), "CODER_SESSION_TOKEN": srv.AdminSessionToken(),
				"OAUTHDECK_CONFIG_DIR": b.TempDir(), "NO_COLOR": "1"}
			store := keyring.NewMemory()
			b.ResetTimer()
			for b.Loop() {
				var out, errb bytes.Buffer
				code := cli.Main(context.Background(), []string{"apps", "list", "-o", format},
					cli.IO{Out: &out, Err: &errb, Env: func(k string) string { return env[k] }, Keyring: store})
				if code != 0 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
				b.SetBytes(int64(out.Len()))
			}
		})
	}
}
