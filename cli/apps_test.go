package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

type appJSON struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	CallbackURL  string   `json:"callback_url"`
	RedirectURIs []string `json:"redirect_uris"`
	Icon         string   `json:"icon"`
}

func TestAppsLifecycle(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat})
			h := newHarness(t)
			h.loginEnv(srv)

			var created appJSON
			out := h.ok("", "apps", "create", "--name", "deck-one", "--callback-url", "http://127.0.0.1:9876/callback", "-o", "json")
			if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" || created.Name != "deck-one" {
				t.Fatalf("create -o json: %v\n%s", err, out)
			}

			out = h.ok("", "apps", "get", created.ID)
			mustContain(t, out, "ID (client_id):", created.ID, "deck-one", "http://127.0.0.1:9876/callback", srv.URL()+"/oauth2/tokens")

			h.ok("", "apps", "create", "--name", "deck-two", "--callback-url", "http://127.0.0.1:9000/cb")
			out = h.ok("", "apps", "list")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "deck-one") || !strings.Contains(lines[2], "deck-two") {
				t.Fatalf("apps list table:\n%s", out)
			}
			// Columns are aligned: NAME starts at the same offset on every line.
			col := strings.Index(lines[0], "NAME")
			for _, l := range lines[1:] {
				if !strings.HasPrefix(l[col:], "deck-") {
					t.Fatalf("misaligned table:\n%s", out)
				}
			}

			out = h.ok("", "apps", "update", created.ID, "--name", "deck-renamed", "--icon", "/icon/code.svg", "-o", "json")
			var updated appJSON
			if err := json.Unmarshal([]byte(out), &updated); err != nil || updated.Name != "deck-renamed" ||
				updated.Icon != "/icon/code.svg" || updated.CallbackURL != "http://127.0.0.1:9876/callback" {
				t.Fatalf("update kept/changed the wrong fields: %v\n%s", err, out)
			}

			if compat == sandbox.CompatMain { // newer Coder keeps a list of redirect URIs
				out = h.ok("", "apps", "update", created.ID, "--redirect-uri", "http://127.0.0.1:7000/extra", "-o", "json")
				json.Unmarshal([]byte(out), &updated)
				if len(updated.RedirectURIs) != 2 || updated.RedirectURIs[0] != "http://127.0.0.1:9876/callback" ||
					updated.RedirectURIs[1] != "http://127.0.0.1:7000/extra" || updated.Name != "deck-renamed" {
					t.Fatalf("update --redirect-uri: %s", out)
				}
			}
			mustContain(t, h.fail(2, "", "apps", "update", created.ID), "nothing to change")

			var list []appJSON
			if err := json.Unmarshal([]byte(h.ok("", "apps", "list", "-o", "json")), &list); err != nil || len(list) != 2 {
				t.Fatalf("list -o json: %v, %d apps", err, len(list))
			}

			mustContain(t, h.fail(2, "", "apps", "delete", created.ID), "--yes")
			r := h.run("", "apps", "delete", created.ID, "--yes")
			if r.code != 0 {
				t.Fatalf("delete: %s", r.stderr)
			}
			mustContain(t, r.stderr, "Deleted app deck-renamed")
			mustContain(t, h.fail(1, "", "apps", "get", created.ID), "404", "OAuth2 application not found.")
		})
	}
}

func TestAppsCreateValidation(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	h := newHarness(t)
	h.loginEnv(srv)
	line := h.fail(1, "", "apps", "create", "--name", "bad name!", "--callback-url", "not a url")
	mustContain(t, line, "create OAuth2 app", "400", "Validation failed.", "name:", "callback_url:")

	mustContain(t, h.fail(2, "", "apps", "create", "--callback-url", "http://127.0.0.1:1/cb"), "--name is required")
	mustContain(t, h.fail(2, "", "apps", "create", "--name", "x"), "--callback-url is required")
	mustContain(t, h.fail(2, "", "apps", "list", "-o", "yaml"), `unknown output format "yaml"`)
	mustContain(t, h.fail(1, "", "apps", "get", "not-a-uuid"), "Invalid UUID")

	srvMain := startSandbox(t, sandbox.Options{})
	h.loginEnv(srvMain)
	line = h.fail(1, "", "apps", "create", "--name", "plain-http", "--callback-url", "http://example.com/cb")
	mustContain(t, line, "redirect_uris")
}

func TestAppsCreateEnvEvaluates(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	r := h.run("", "apps", "create", "--name", "env-app", "--callback-url", "http://127.0.0.1:9876/callback", "-o", "env")
	if r.code != 0 {
		t.Fatalf("create -o env: %s", r.stderr)
	}
	mustContain(t, r.stderr, "will not be shown again")
	if !strings.HasPrefix(r.stdout, "export CLIENT_ID=") {
		t.Fatalf("stdout = %q", r.stdout)
	}
	// The export lines go to bash on stdin, never as an argument.
	cmd := exec.Command(bash, "-c", `eval "$(cat)"; printf '%s\n%s\n' "$CLIENT_ID" "$CLIENT_SECRET"`)
	cmd.Stdin = strings.NewReader(r.stdout)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	vals := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(vals) != 2 || !strings.HasPrefix(vals[1], "coder_") {
		t.Fatalf("eval gave %q", got)
	}
	var list []appJSON
	json.Unmarshal([]byte(h.ok("", "apps", "list", "-o", "json")), &list)
	if len(list) != 1 || list[0].ID != vals[0] || list[0].Name != "env-app" {
		t.Fatalf("CLIENT_ID %q is not the created app: %+v", vals[0], list)
	}
	var secrets []client.AppSecret
	json.Unmarshal([]byte(h.ok("", "apps", "secrets", "list", vals[0], "-o", "json")), &secrets)
	if len(secrets) != 1 || !strings.HasSuffix(vals[1], secrets[0].ClientSecretTruncated) {
		t.Fatalf("CLIENT_SECRET does not match the app's secret: %+v", secrets)
	}
}

func TestSecretsShownOnce(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	var app appJSON
	json.Unmarshal([]byte(h.ok("", "apps", "create", "--name", "sec", "--callback-url", "http://127.0.0.1:9876/cb", "-o", "json")), &app)

	r := h.run("", "apps", "secrets", "create", app.ID)
	if r.code != 0 {
		t.Fatalf("secrets create: %s", r.stderr)
	}
	full := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(full, "coder_") || strings.Contains(full, "\n") {
		t.Fatalf("stdout should be the secret alone, got %q", r.stdout)
	}
	mustContain(t, r.stderr, "will not be shown again")
	mustNotContain(t, r.stderr, full)

	var created client.AppSecretFull
	json.Unmarshal([]byte(h.ok("", "apps", "secrets", "create", app.ID, "-o", "json")), &created)
	if created.ID == "" || !strings.HasPrefix(created.ClientSecretFull, "coder_") {
		t.Fatalf("secrets create -o json = %+v", created)
	}

	out := h.ok("", "apps", "secrets", "list", app.ID)
	mustContain(t, out, "LAST USED", "Never", full[len(full)-6:])
	mustNotContain(t, out, full, created.ClientSecretFull)

	var secrets []client.AppSecret
	json.Unmarshal([]byte(h.ok("", "apps", "secrets", "list", app.ID, "-o", "json")), &secrets)
	if len(secrets) != 2 {
		t.Fatalf("want 2 secrets, got %+v", secrets)
	}
	h.ok("", "apps", "secrets", "delete", app.ID, created.ID, "--yes")
	json.Unmarshal([]byte(h.ok("", "apps", "secrets", "list", app.ID, "-o", "json")), &secrets)
	if len(secrets) != 1 || secrets[0].ID == created.ID {
		t.Fatalf("after delete: %+v", secrets)
	}
	mustContain(t, h.fail(1, "", "apps", "secrets", "delete", app.ID, created.ID, "--yes"), "404")
}

func TestSecretsSaveForFlows(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.ok(srv.AdminSessionToken(), "login", srv.URL())
	var app appJSON
	json.Unmarshal([]byte(h.ok("", "apps", "create", "--name", "kept", "--callback-url", "http://127.0.0.1:9876/cb", "-o", "json")), &app)
	full := strings.TrimSpace(h.ok("", "apps", "secrets", "create", app.ID, "--save"))
	key := clientSecretKey(t, srv.URL(), app.ID)
	if got, err := h.store.Get(t.Context(), key); err != nil || got != full {
		t.Fatalf("kept secret = %q, %v", got, err)
	}
}

func TestServerStringsSanitised(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	// Escapes, then the invisible formatting a terminal acts on or hides:
	// the Arabic Letter Mark (a Bidi_Control), RLO, a zero-width space, a
	// BOM and a tag character (outside the BMP, for JSON's surrogates).
	invisible := "\u061c\u202e\u200b\ufeff\U000e0041"
	evil := "\x1b]52;c;cHduZWQ=\x07\x1b[31mred\x1b[2J" + invisible
	var app appJSON
	out := h.ok("", "apps", "create", "--name", "evil", "--callback-url", "http://127.0.0.1:9876/cb", "--icon", evil, "-o", "json")
	if err := json.Unmarshal([]byte(out), &app); err != nil || app.Icon != evil {
		t.Fatalf("the sandbox should keep the icon as sent: %v %q", err, app.Icon)
	}
	for _, args := range [][]string{{"apps", "get", app.ID}, {"apps", "list"}, {"apps", "create", "--name", "x2", "--callback-url", "http://127.0.0.1:9876/cb", "--icon", evil}} {
		r := h.run("", args...)
		if r.code != 0 {
			t.Fatalf("%v: %s", args, r.stderr)
		}
		if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07"+invisible) {
			t.Fatalf("%v printed a raw control or invisible character: %q", args, r.stdout)
		}
	}
	// JSON output escapes them rather than printing them, and still decodes
	// to the same string.
	js := h.ok("", "apps", "list", "-o", "json")
	if strings.ContainsAny(js, "\x1b\x07"+invisible) {
		t.Fatalf("apps list -o json printed a raw escape: %q", js)
	}
	var listed []appJSON
	if err := json.Unmarshal([]byte(js), &listed); err != nil || len(listed) != 2 || listed[0].Icon != evil {
		t.Fatalf("-o json does not decode to the icon sent: %v %+v", err, listed)
	}
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	log := filepath.Join(h.dir, "debug.log")
	var app appJSON
	json.Unmarshal([]byte(h.ok("", "--debug-log", log, "apps", "create", "--name", "dbg", "--callback-url", "http://127.0.0.1:9876/cb", "-o", "json")), &app)
	full := strings.TrimSpace(h.ok("", "--debug-log", log, "apps", "secrets", "create", app.ID))
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, string(data), "POST "+srv.URL()+"/api/v2/oauth2-provider/apps", "201")
	mustNotContain(t, string(data), srv.AdminSessionToken(), full)
	if fi, _ := os.Stat(log); fi.Mode().Perm() != 0o600 {
		t.Fatalf("debug log mode %v", fi.Mode())
	}
}

// TestAppsDroppedFields: servers before v2.38 accept redirect_uris and scope
// and keep neither; create and update say which values were dropped and who
// keeps them, exit 0 (the app exists), and exit 1 with --strict.
func TestAppsDroppedFields(t *testing.T) {
	t.Parallel()
	for _, compat := range sandbox.Profiles() {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat})
			h := newHarness(t)
			h.loginEnv(srv)
			drops := compat != sandbox.CompatMain
			create := []string{"apps", "create", "--name", "drop-one", "--callback-url", "http://127.0.0.1:9876/callback",
				"--redirect-uri", "http://127.0.0.1:7000/extra", "--scope", "user:read_personal", "-o", "json"}
			r := h.run("", create...)
			var app appJSON
			if r.code != 0 || json.Unmarshal([]byte(r.stdout), &app) != nil || app.ID == "" {
				t.Fatalf("create: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			warned := strings.Contains(r.stderr, "accepted redirect_uris but did not keep http://127.0.0.1:7000/extra;") &&
				strings.Contains(r.stderr, "accepted scope but did not keep user:read_personal;") &&
				strings.Contains(r.stderr, "Coder keeps a scope allowlist from v2.38 on")
			if warned != drops {
				t.Fatalf("create warned=%v, want %v:\n%s", warned, drops, r.stderr)
			}
			if strings.Contains(r.stderr, "http://127.0.0.1:9876/callback") {
				t.Errorf("the kept callback URL is reported as dropped:\n%s", r.stderr)
			}

			strictCode := 0
			if drops {
				strictCode = 1
			}
			r = h.run("", append(create[:3:3], "drop-two", "--callback-url", "http://127.0.0.1:9876/callback",
				"--scope", "user:read_personal", "--strict")...)
			if r.code != strictCode || (drops && !strings.Contains(r.stderr, "--strict: app ")) {
				t.Fatalf("create --strict: exit %d, want %d\n%s", r.code, strictCode, r.stderr)
			}
			if drops && strings.Contains(r.stderr, "redirect_uris") {
				t.Errorf("only the scope was sent beyond the callback, yet:\n%s", r.stderr)
			}
			var list []appJSON
			if err := json.Unmarshal([]byte(h.ok("", "apps", "list", "-o", "json")), &list); err != nil || len(list) != 2 {
				t.Fatalf("both apps exist after a strict failure: %v, %d apps", err, len(list))
			}

			r = h.run("", "apps", "update", app.ID, "--scope", "workspace:read", "--strict")
			if r.code != strictCode || strings.Contains(r.stderr, "accepted scope but did not keep workspace:read;") != drops {
				t.Fatalf("update --strict: exit %d, want %d\n%s", r.code, strictCode, r.stderr)
			}
		})
	}
}
