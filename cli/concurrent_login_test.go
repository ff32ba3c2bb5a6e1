package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"oauthdeck/sandbox"
)

// Logins running at once, as separate processes, each keep their deployment:
// every config writer reads, changes and writes under the one lock.
func TestConcurrentLoginsLoseNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	const n = 6
	var srvs []*sandbox.Server
	for range n {
		srvs = append(srvs, startSandbox(t, sandbox.Options{}))
	}
	for round := range 3 {
		dir := t.TempDir()
		var wg sync.WaitGroup
		errs := make(chan string, n)
		for _, srv := range srvs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, "--keyring-file", filepath.Join(dir, "secrets.json"), "login", srv.URL())
				cmd.Env = append(os.Environ(), "OAUTHDECK_CONFIG_DIR="+filepath.Join(dir, "cfg"), "CODER_URL=", "CODER_SESSION_TOKEN=")
				cmd.Stdin = bytes.NewReader([]byte(srv.AdminSessionToken() + "\n")) // never in the arguments
				if out, err := cmd.CombinedOutput(); err != nil {
					errs <- err.Error() + ": " + string(out)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Fatalf("round %d: login failed: %s", round, e)
		}
		data, err := os.ReadFile(filepath.Join(dir, "cfg", "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Deployments []struct {
				URL string `json:"url"`
			} `json:"deployments"`
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			t.Fatal(err)
		}
		if len(cfg.Deployments) != n {
			t.Fatalf("round %d: %d of %d deployments kept:\n%s", round, len(cfg.Deployments), n, data)
		}
	}
}
