package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

func sessionKey(t *testing.T, url string) string {
	t.Helper()
	k, err := keyring.SessionKey(url)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestLoginPipedTokenThenStatus(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)

	r := h.run(srv.AdminSessionToken()+"\n", "login", srv.URL())
	if r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	mustContain(t, r.stderr, "Logged in to "+srv.URL()+" as admin", "memory")
	mustNotContain(t, r.stdout+r.stderr, srv.AdminSessionToken())

	got, err := h.store.Get(context.Background(), sessionKey(t, srv.URL()))
	if err != nil || got != srv.AdminSessionToken() {
		t.Fatalf("stored token = %q, %v", got, err)
	}
	cfg, err := keyring.LoadConfig(filepath.Join(h.env["OAUTHDECK_CONFIG_DIR"], "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Current != srv.URL() || len(cfg.Deployments) != 1 || cfg.Deployments[0].Username != "admin" {
		t.Fatalf("config = %+v", cfg)
	}
	raw, _ := os.ReadFile(filepath.Join(h.env["OAUTHDECK_CONFIG_DIR"], "config.json"))
	mustNotContain(t, string(raw), srv.AdminSessionToken())

	// status finds the deployment from the config and the token in the store.
	out := h.ok("", "status")
	mustContain(t, out, "Deployment:", srv.URL(), "admin <admin@example.com>", "Token from:", h.store.Kind(), "OAuth2 provider:", "enabled")

	var st struct {
		Deployment  string
		Version     string
		TokenSource string `json:"token_source"`
		User        struct {
			Username, Email string
			Roles           []string
		}
		OAuth2Provider struct{ Enabled *bool } `json:"oauth2_provider"`
	}
	if err := json.Unmarshal([]byte(h.ok("", "status", "-o", "json")), &st); err != nil {
		t.Fatalf("status -o json: %v", err)
	}
	if st.Deployment != srv.URL() || st.User.Username != "admin" || st.TokenSource != h.store.Kind() ||
		st.OAuth2Provider.Enabled == nil || !*st.OAuth2Provider.Enabled || st.Version == "" {
		t.Fatalf("status json = %+v", st)
	}
	if !strings.Contains(strings.Join(st.User.Roles, ","), "owner") {
		t.Fatalf("roles = %v, want owner", st.User.Roles)
	}
}

func TestStatusSourceEnvironment(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	h := newHarness(t)
	h.loginEnv(srv)
	out := h.ok("", "status")
	mustContain(t, out, "Token from:", keyring.SourceEnvironment, "v2.30.0", "enabled")
}

func TestLoginRefusesSecretFlags(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	for _, flag := range []string{"--token", "--password", "--session-token"} {
		line := h.fail(2, "", "login", srv.URL(), flag, srv.AdminSessionToken())
		mustContain(t, line, "refusing "+flag, "process list")
		mustNotContain(t, line, srv.AdminSessionToken())
	}
	if _, err := h.store.Get(context.Background(), sessionKey(t, srv.URL())); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("a refused login stored something: %v", err)
	}
}

func TestLoginRejectsBadToken(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	line := h.fail(1, "abcdefghij-abcdefghijabcdefghij12\n", "login", srv.URL())
	mustContain(t, line, "session expired or invalid")
	line = h.fail(1, "", "login", srv.URL())
	mustContain(t, line, "no session token given on stdin")
	if _, err := h.store.Get(context.Background(), sessionKey(t, srv.URL())); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("a rejected token was stored: %v", err)
	}
}

func TestPasswordLogin(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{AdminPassword: "correct-horse-battery"})
	h := newHarness(t)
	line := h.fail(1, "wrong-password\n", "login", srv.URL(), "--email", srv.AdminEmail(), "--password-stdin")
	mustContain(t, line, "Incorrect email or password.")
	mustNotContain(t, line, "wrong-password")

	r := h.run("correct-horse-battery\n", "login", srv.URL(), "--email", srv.AdminEmail(), "--password-stdin")
	if r.code != 0 {
		t.Fatalf("password login: %s", r.stderr)
	}
	mustNotContain(t, r.stdout+r.stderr, "correct-horse-battery")
	tok, err := h.store.Get(context.Background(), sessionKey(t, srv.URL()))
	if err != nil || tok == "" || tok == srv.AdminSessionToken() {
		t.Fatalf("password login stored %q, %v; want a new session token", tok, err)
	}
	mustContain(t, h.ok("", "status"), "admin <admin@example.com>")

	h.fail(2, "", "login", srv.URL(), "--email", srv.AdminEmail()) // --email needs --password-stdin

	// A first line past the input limit is refused, not cut short and sent.
	huge := strings.Repeat("p", 70<<10) + "\n"
	mustContain(t, h.fail(1, huge, "login", srv.URL(), "--email", srv.AdminEmail(), "--password-stdin"), "password on stdin is larger than")
}

func TestLogoutRemovesSecret(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.ok(srv.AdminSessionToken(), "login", srv.URL())
	r := h.run("", "logout")
	if r.code != 0 {
		t.Fatalf("logout: %s", r.stderr)
	}
	mustContain(t, r.stderr, "Logged out of "+srv.URL())
	if _, err := h.store.Get(context.Background(), sessionKey(t, srv.URL())); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("token still stored after logout: %v", err)
	}
	cfg, err := keyring.LoadConfig(filepath.Join(h.env["OAUTHDECK_CONFIG_DIR"], "config.json"))
	if err != nil || len(cfg.Deployments) != 0 || cfg.Current != "" {
		t.Fatalf("config after logout = %+v, %v", cfg, err)
	}
	h.fail(1, "", "status", srv.URL())                       // no session any more
	h.fail(1, "", "logout", srv.URL())                       // nothing to log out of
	mustContain(t, h.fail(2, "", "status"), "no deployment") // and no current deployment
}

// unavailableStore behaves like an OS keyring without a Secret Service.
type unavailableStore struct{}

func (unavailableStore) err(op string) error {
	return &keyring.UnavailableError{Op: op, Reason: keyring.ReasonNoSecretService,
		Hint: "install and unlock gnome-keyring", Err: errors.New("The name org.freedesktop.secrets was not provided by any .service files")}
}
func (s unavailableStore) Get(context.Context, string) (string, error) { return "", s.err("get") }
func (s unavailableStore) Set(context.Context, string, string) error   { return s.err("set") }
func (s unavailableStore) Delete(context.Context, string) error        { return s.err("delete") }
func (unavailableStore) Kind() string                                  { return "OS keyring (test)" }
func (unavailableStore) Secure() bool                                  { return true }

func TestLoginKeyringUnavailable(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.store = unavailableStore{}

	line := h.fail(1, srv.AdminSessionToken(), "login", srv.URL())
	mustContain(t, line, string(keyring.ReasonNoSecretService), "--insecure-storage")
	mustNotContain(t, line, srv.AdminSessionToken())
	secrets := filepath.Join(h.env["OAUTHDECK_CONFIG_DIR"], "secrets.json")
	if _, err := os.Stat(secrets); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("plain file written without consent: %v", err)
	}

	r := h.run(srv.AdminSessionToken(), "login", srv.URL(), "--insecure-storage")
	if r.code != 0 {
		t.Fatalf("login --insecure-storage: %s", r.stderr)
	}
	mustContain(t, r.stderr, "plain text", secrets, "insecure")
	fi, err := os.Stat(secrets)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v, %v", fi, err)
	}
	// Later commands find the token in the file, and say so.
	mustContain(t, h.ok("", "status"), "Token from:", "plain file ("+secrets+")")
	h.ok("", "logout")
	if data, _ := os.ReadFile(secrets); strings.Contains(string(data), srv.AdminSessionToken()) {
		t.Fatal("logout left the token in the plain file")
	}
}

func TestKeyringFileFlag(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	file := filepath.Join(h.dir, "my-secrets.json")
	r := h.run(srv.AdminSessionToken(), "login", srv.URL(), "--keyring-file", file)
	if r.code != 0 {
		t.Fatalf("login: %s", r.stderr)
	}
	mustContain(t, r.stderr, "plain text", file)
	mustContain(t, h.ok("", "status", "--keyring-file", file), "plain file ("+file+")")
	if _, err := h.store.Get(context.Background(), sessionKey(t, srv.URL())); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("--keyring-file also wrote the OS keyring: %v", err)
	}
}

func TestSessionExpired(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	srv := startSandbox(t, sandbox.Options{Now: clk.Now, SessionDuration: time.Hour})
	h := newHarness(t)
	h.ok(srv.AdminSessionToken(), "login", srv.URL())
	h.ok("", "apps", "list")
	clk.advance(2 * time.Hour)
	line := h.fail(1, "", "apps", "list")
	mustContain(t, line, "session expired or invalid", "oauthdeck login")
}

func TestImportCoderCLI(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	dir := filepath.Join(h.env["XDG_CONFIG_HOME"], "coderv2")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "url"), []byte(srv.URL()+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "session"), []byte(srv.AdminSessionToken()+"\n"), 0o600)

	// Without asking, the Coder CLI's session is not used.
	h.fail(1, "", "status", srv.URL())
	mustContain(t, h.ok("", "status", srv.URL(), "--use-coder-cli"), "Coder CLI")

	h.ok("", "login", "--import-coder-cli")
	mustContain(t, h.ok("", "status"), h.store.Kind())
}

func TestCorruptConfig(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	dir := h.env["OAUTHDECK_CONFIG_DIR"]
	os.MkdirAll(dir, 0o700)
	garbage := []byte("{not json")
	os.WriteFile(filepath.Join(dir, "config.json"), garbage, 0o600)

	// A session from the environment still works.
	h.loginEnv(srv)
	mustContain(t, h.ok("", "status"), keyring.SourceEnvironment)
	// Without it the config's problem is named, and login refuses to clobber it.
	delete(h.env, "CODER_SESSION_TOKEN")
	mustContain(t, h.fail(1, "", "status"), "config.json", "cannot be read")
	mustContain(t, h.fail(1, srv.AdminSessionToken(), "login", srv.URL()), "config.json")
	if data, _ := os.ReadFile(filepath.Join(dir, "config.json")); string(data) != string(garbage) {
		t.Fatal("the corrupt config was overwritten")
	}
}

// TestDeploymentURLNeverEchoed: a deployment URL with a password in its
// user info or a token in its query is refused with where it came from and
// what is wrong, and neither secret is printed, whichever way it was given.
func TestDeploymentURLNeverEchoed(t *testing.T) {
	t.Parallel()
	const pw, tok = "pw-Zq81x", "SeKrEt-77aa"
	withPassword := "https://admin:" + pw + "@127.0.0.1:1"
	withToken := "http://127.0.0.1:1/?coder_session_token=" + tok
	cases := []struct {
		name, env string
		args      []string
		from      string
	}{
		{"CODER_URL with a password", withPassword, []string{"status"}, "in CODER_URL: deployment URL must not contain a user name or password"},
		{"CODER_URL with a token", withToken, []string{"status"}, "in CODER_URL: deployment URL \"http://127.0.0.1:1/\" must not have a query"},
		{"--url with a password", "", []string{"apps", "list", "--url", withPassword}, "in --url:"},
		{"login argument with a token", "", []string{"login", withToken}, "in the argument:"},
		{"login argument with a password", "", []string{"login", withPassword}, "must not contain a user name or password"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			if c.env != "" {
				h.env["CODER_URL"] = c.env
			}
			r := h.run("", c.args...)
			all := r.stdout + r.stderr
			if r.code != 2 || !strings.Contains(r.stderr, c.from) {
				t.Fatalf("exit %d, want 2 with %q:\n%s", r.code, c.from, all)
			}
			if strings.Contains(all, pw) || strings.Contains(all, tok) {
				t.Fatalf("a secret of the URL was printed:\n%s", all)
			}
		})
	}
}

// On 2.38 a switched-off provider answers 404 like a missing route; status
// says "off" only when the settings endpoint answers (it does while the
// provider is off), and otherwise that the provider is not there at all.
func TestStatusProviderOffVersusAbsent(t *testing.T) {
	t.Parallel()
	off := startSandbox(t, sandbox.Options{ProviderDisabled: true})
	h := newHarness(t)
	h.loginEnv(off)
	mustContain(t, h.ok("", "status"), "the settings endpoint answers, so the provider is there and off", "CODER_OAUTH2_PROVIDER_ENABLE")

	srv := startSandbox(t, sandbox.Options{ProviderDisabled: true})
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	absent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v2/oauth2-provider/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Route not found."}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer absent.Close()
	h.env["CODER_URL"], h.env["CODER_SESSION_TOKEN"] = absent.URL, srv.AdminSessionToken()
	out := h.ok("", "status")
	mustContain(t, out, "the provider's routes are not there")
	mustNotContain(t, out, "there and off")
}

// A member's session cannot read the settings: status says who can tell.
func TestStatusProviderOffMember(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{ProviderDisabled: true})
	_, member, err := srv.CreateUser("m@example.com", "member", "pw-pw-pw-pw", false)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.env["CODER_URL"], h.env["CODER_SESSION_TOKEN"] = srv.URL(), member
	out := h.ok("", "status")
	mustContain(t, out, "only an owner's session can tell")
	mustNotContain(t, out, "not there (a build", "there and off")
}
