package cli_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"oauthdeck/sandbox"
)

// The catalogue comes from scopes_supported, by kind.
func TestScopesList(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	type catalogue struct {
		Composite, Wildcard []string
		LowLevel            []string `json:"low_level"`
		Expands             map[string][]string
		Note                string
	}
	var cat catalogue
	if err := json.Unmarshal([]byte(h.ok("", "scopes", "list", "-o", "json")), &cat); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cat.Composite, "coder:workspaces.access") || !slices.Contains(cat.Wildcard, "workspace:*") || !slices.Contains(cat.LowLevel, "workspace:ssh") {
		t.Fatalf("catalogue %+v", cat)
	}
	// 2.38 says at /api/v2/auth/scopes what a composite covers.
	if got := cat.Expands["coder:workspaces.access"]; !slices.Equal(got, []string{"template:read", "workspace:ssh"}) || !strings.Contains(cat.Note, "expanded") {
		t.Fatalf("expansion %q (%s)", got, cat.Note)
	}
	if out := h.ok("", "scopes", "list"); !strings.Contains(out, "template:read") {
		t.Fatalf("table without the expansion:\n%s", out)
	}
	// v2.30 serves no catalogue: nothing is expanded, and the note says so.
	old := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	h.loginEnv(old)
	cat = catalogue{}
	if err := json.Unmarshal([]byte(h.ok("", "scopes", "list", "-o", "json")), &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.Expands) != 0 || !strings.Contains(cat.Note, "not expanded") {
		t.Fatalf("v2.30: %+v", cat)
	}
}

// Live: on 2.38 a scope the allowlist covers is granted (the token says
// so), one outside it or unknown is refused with the server's reason, and
// --expect turns the outcome into the exit status; v2.30 ignores scope.
func TestScopesTry(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	id, secrets := srv.Seed(sandbox.AppSeed{Name: "scoped", RedirectURIs: []string{"https://scoped.example.com/cb"},
		Scope: "coder:workspaces.access", Secrets: []sandbox.SecretSeed{{}}})
	h := newHarness(t)
	h.loginEnv(srv)
	try := func(stdin string, args ...string) map[string]any {
		t.Helper()
		var out map[string]any
		if err := json.Unmarshal([]byte(h.ok(stdin, append([]string{"scopes", "try", id, "-o", "json"}, args...)...)), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := try(secrets[0]+"\n", "--scope", "workspace:ssh", "--client-secret-stdin", "--expect", "granted")
	if got["accepted"] != true || got["granted"] != "workspace:ssh" || !strings.Contains(got["note"].(string), "revoked") {
		t.Fatalf("covered scope: %v", got)
	}
	got = try("", "--scope", "template:update", "--expect", "refused")
	if got["accepted"] != false || got["error"] != "invalid_scope" || !strings.Contains(got["error_description"].(string), "not in this app's allowed scope list") {
		t.Fatalf("scope outside the allowlist: %v", got)
	}
	if got = try("", "--scope", "made:up"); !strings.Contains(got["error_description"].(string), "unknown scope") {
		t.Fatalf("unknown scope: %v", got)
	}
	if msg := h.fail(1, "", "scopes", "try", id, "--scope", "template:update", "--expect", "granted"); !strings.Contains(msg, "it was refused") {
		t.Fatalf("--expect granted on a refusal: %s", msg)
	}

	old := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	oid, osecrets := old.Seed(sandbox.AppSeed{Name: "old", RedirectURIs: []string{"https://old.example.com/cb"}, Secrets: []sandbox.SecretSeed{{}}})
	h.loginEnv(old)
	id = oid
	got = try(osecrets[0]+"\n", "--scope", "made:up", "--client-secret-stdin")
	if got["accepted"] != true || !strings.Contains(got["note"].(string), "coder:all") {
		t.Fatalf("v2.30: %v", got)
	}
}
