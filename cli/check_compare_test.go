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
	t.Parallel()
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

// Every run is graded per MCP version; --spec keeps one version's checks
// and grade; an unknown version is a usage error.
func TestCheckSpecGrades(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	h := newHarness(t)
	h.loginEnv(srv)
	type report struct {
		Checks []struct {
			ID          string
			Conformance []string
		}
		Grades []struct {
			Spec, Letter string
			MustTotal    int `json:"must_total"`
		}
	}
	var all, one report
	r := h.run("", "check", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil || len(all.Grades) != 3 {
		t.Fatalf("grades %+v, %v", all.Grades, err)
	}
	r = h.run("", "check", "-o", "json", "--spec", "2025-06-18")
	if err := json.Unmarshal([]byte(r.stdout), &one); err != nil || len(one.Grades) != 1 || one.Grades[0].Spec != "MCP 2025-06-18" {
		t.Fatalf("--spec grades %+v, %v", one.Grades, err)
	}
	if len(one.Checks) >= len(all.Checks) {
		t.Fatalf("--spec 2025-06-18 kept %d of %d checks", len(one.Checks), len(all.Checks))
	}
	aliased := false
	for _, c := range all.Checks {
		aliased = aliased || c.ID == "mcp.www-authenticate" && len(c.Conformance) > 0
	}
	if !aliased {
		t.Fatal("no conformance alias on mcp.www-authenticate")
	}
	h.fail(2, "", "check", "--spec", "2024-11-05")
}

// --client-profile runs the emulations: JSON per profile, exit 1 when one
// breaks, a usage error for an unknown name.
func TestCheckClientProfiles(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{EnableDCR: true, RateLimit: -1})
	h := newHarness(t)
	h.loginEnv(srv)
	r := h.run("", "check", "--client-profile", "inspector", "-o", "json")
	var res []struct {
		Profile string
		Works   bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 0 || len(res) != 1 || !res[0].Works {
		t.Fatalf("inspector: exit %d %v %+v\n%s", r.code, err, res, r.stderr)
	}
	r = h.run("", "check", "--client-profile", "codex")
	if r.code != 1 || !strings.Contains(r.stdout, "breaks at authorize") || !strings.Contains(r.stderr, "codex (at authorize)") {
		t.Fatalf("codex: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	h.fail(2, "", "check", "--client-profile", "netscape")

	// With --mcp the emulation starts at the MCP endpoint and ends with an
	// initialize there, as the real client does.
	r = h.run("", "check", "--client-profile", "inspector", "--mcp", srv.URL()+"/api/experimental/mcp/http")
	if r.code != 0 || !strings.Contains(r.stdout, "mcp-challenge") || !strings.Contains(r.stdout, "mcp-initialize") || !strings.Contains(r.stdout, "took the token (200)") {
		t.Fatalf("inspector --mcp: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// flow --client-profile runs the same emulation as check's.
func TestFlowClientProfile(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{EnableDCR: true, RateLimit: -1})
	h := newHarness(t)
	h.loginEnv(srv)
	if out := h.ok("", "flow", "--client-profile", "cursor"); !strings.Contains(out, "cursor") || !strings.Contains(out, "works") {
		t.Fatalf("flow --client-profile cursor:\n%s", out)
	}
	h.fail(2, "", "flow", "--client-profile", "cursor", "--create-app")
}
