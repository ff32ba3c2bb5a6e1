package cli_test

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// `sandbox --token-lifetime 2s` serves short-lived access tokens, so that
// `check` waits one out and sees it refused (mcp.expired-token).
func TestBinarySandboxTokenLifetime(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	baseEnv, env, stop := startSandboxBinary(t, bin, "--token-lifetime", "2s")
	run := exec.Command(bin, "check", "-o", "json")
	run.Env = append(append([]string{}, baseEnv...), env...)
	out, err := run.Output()
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	var rep checkJSON
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rep.Checks {
		if c.ID == "mcp.expired-token" {
			found = true
			if c.Status != "pass" {
				t.Errorf("mcp.expired-token: %s", c.Status)
			}
		}
	}
	if !found {
		t.Error("no mcp.expired-token in the report")
	}
	mustContain(t, stop(), "OAuth2 access tokens expire after 2s")
}

func TestSandboxTokenLifetimeUsage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mustContain(t, h.fail(2, "", "sandbox", "--token-lifetime", "1s"), "--token-lifetime must be at least 2s")
}
