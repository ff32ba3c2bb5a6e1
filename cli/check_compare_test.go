package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oauthdeck/sandbox"
)

// A v2.38 run saved as the baseline: the same deployment again changes
// nothing (exit 0); a v2.30 deployment against it lists what changed and,
// as checks fail there that passed on v2.38, exits 1. --compare does both
// runs itself; a file that is not a report is a usage error.
func TestCheckBaselineAndCompare(t *testing.T) {
	newer := startSandbox(t, sandbox.Options{RateLimit: -1}) // three runs in a minute would pass 2.38's 60 a minute
	older := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	h := newHarness(t)
	h.ok(older.AdminSessionToken(), "login", older.URL())
	h.loginEnv(newer)

	base := filepath.Join(t.TempDir(), "base.json")
	if err := os.WriteFile(base, []byte(h.ok("", "check", "-o", "json")), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("", "check", "--baseline", base)
	if r.code != 0 || !strings.Contains(r.stderr, "0 changed, 0 regressions") {
		t.Fatalf("unchanged run: exit %d\n%s", r.code, r.stderr)
	}

	r = h.run("", "check", older.URL(), "--baseline", base)
	if r.code != 1 || !strings.Contains(r.stderr, "new-failure") || !strings.Contains(r.stderr, "checks fail that did not before") {
		t.Fatalf("v2.30 against the v2.38 baseline: exit %d\n%s", r.code, r.stderr)
	}

	r = h.run("", "check", newer.URL(), "--compare", older.URL(), "-o", "json")
	var cmp struct {
		Baseline struct{ Version string }
		Current  struct{ Version string }
		Changes  []struct{ ID, Kind, Old, New string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &cmp); err != nil || r.code != 1 {
		t.Fatalf("--compare: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	var failures int
	for _, ch := range cmp.Changes {
		if ch.Kind == "new-failure" {
			failures++
			if ch.New != "fail" || ch.Old == "fail" {
				t.Errorf("new failure %+v", ch)
			}
		}
	}
	if failures == 0 || cmp.Baseline.Version != "v2.38.0-devel+sandbox" || cmp.Current.Version != "v2.30.0" {
		t.Fatalf("comparison %+v", cmp)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"apps": []}`), 0o600)
	if msg := h.fail(2, "", "check", "--baseline", bad); !strings.Contains(msg, "not a check report") {
		t.Fatalf("bad baseline: %s", msg)
	}
}
