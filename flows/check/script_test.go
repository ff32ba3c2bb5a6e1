package check_test

import (
	"context"
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
	for _, tool := range []string{"bash", "curl", "jq", "openssl"} {
		testenv.Tool(t, tool, tool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "testdata/coder-approach.sh")
	// The session goes in the environment, never in the arguments.
	cmd.Env = append(os.Environ(), "BASE_URL="+srv.URL(), "SESSION_TOKEN="+srv.AdminSessionToken())
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestCoderApproachScript(t *testing.T) {
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
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
