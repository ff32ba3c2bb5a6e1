package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// An app's trail from the audit log: created, renamed, a secret created
// and one deleted, newest first with who did it; a deployment without the
// premium audit log says so instead.
func TestAppsHistory(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	var app struct{ ID string }
	if err := json.Unmarshal([]byte(h.ok("", "apps", "create", "--name", "hist", "--callback-url", "http://127.0.0.1:9876/callback", "-o", "json")), &app); err != nil {
		t.Fatal(err)
	}
	h.ok("", "apps", "update", app.ID, "--name", "hist-2", "--callback-url", "http://127.0.0.1:9876/callback")
	var sec struct{ ID string }
	if err := json.Unmarshal([]byte(h.ok("", "apps", "secrets", "create", app.ID, "-o", "json")), &sec); err != nil {
		t.Fatal(err)
	}
	h.ok("", "apps", "secrets", "create", app.ID)
	h.ok("", "apps", "secrets", "delete", app.ID, sec.ID, "--yes")

	var hist struct {
		Entries []struct {
			Action, Subject, Who string
			Changes              []string
		}
		Unavailable string
	}
	if err := json.Unmarshal([]byte(h.ok("", "apps", "history", app.ID, "-o", "json")), &hist); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist.Entries {
		got = append(got, e.Action+" "+strings.Fields(e.Subject)[0]+" "+e.Who)
	}
	// The deleted secret's entries are not tied to the app (Coder records
	// no app for a secret): the kept secret's create, the rename, the create.
	want := []string{"create secret admin", "write app admin", "create app admin"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("history %q, want %q", got, want)
	}
	if c := hist.Entries[1].Changes; len(c) != 1 || c[0] != "name: hist → hist-2" {
		t.Fatalf("rename changes %q", c)
	}
	if out := h.ok("", "apps", "history", app.ID); !strings.Contains(out, "hist → hist-2") {
		t.Fatalf("table:\n%s", out)
	}

	// A member may not read the audit log: it says so, and which roles may.
	_, memberToken, err := srv.CreateUser("member@example.com", "member", "member-password-1", false)
	if err != nil {
		t.Fatal(err)
	}
	h.env["CODER_SESSION_TOKEN"] = memberToken
	if out := h.ok("", "apps", "history", app.ID); !strings.Contains(out, "No history") || !strings.Contains(out, "needs the Owner or Auditor role") {
		t.Fatalf("as a member:\n%s", out)
	}

	none := startSandbox(t, sandbox.Options{NoAuditLog: true})
	h.loginEnv(none)
	id, _ := none.Seed(sandbox.AppSeed{Name: "x", RedirectURIs: []string{"https://x.example.com/cb"}})
	if out := h.ok("", "apps", "history", id); !strings.Contains(out, "No history") || !strings.Contains(out, "premium") {
		t.Fatalf("without the audit log:\n%s", out)
	}
}

// A dynamically registered app's trail: its registration is recorded, as
// Coder records RFC 7591 registrations.
func TestAppsHistoryOfARegistration(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{EnableDCR: true})
	h := newHarness(t)
	h.loginEnv(srv)
	r := h.run("", "flow", "--register", "--auto-consent", "--port", testenv.LoopbackPort(t), "-o", "json")
	if r.code != 0 {
		t.Fatalf("flow --register: exit %d\n%s", r.code, r.stderr)
	}
	var apps []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(h.ok("", "apps", "list", "-o", "json")), &apps); err != nil || len(apps) != 1 {
		t.Fatalf("apps %+v, %v", apps, err)
	}
	if out := h.ok("", "apps", "history", apps[0].ID); !strings.Contains(out, "create") || !strings.Contains(out, "app") {
		t.Fatalf("history of a registration:\n%s", out)
	}
}
