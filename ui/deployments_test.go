package ui

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

func startSandbox(t *testing.T, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestDeploymentsAddSwitchLogout adds two deployments (session token, then
// email and password), switches between them and logs out of one, checking
// the store and the config file each time.
func TestDeploymentsAddSwitchLogout(t *testing.T) {
	a := startSandbox(t, sandbox.Options{})
	b := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	t.Setenv("CODER_URL", "")
	t.Setenv("CODER_SESSION_TOKEN", "")
	store := keyring.NewMemory()
	cfgPath := filepath.Join(t.TempDir(), "config.json")
	h := newRealHarness(t, Deps{Store: store, ConfigPath: cfgPath}, 120, 30)
	h.requireScreen("None saved yet", "No deployment in use")

	// A: URL, session token pasted into the hidden field.
	h.key("n")
	h.typeText(a.URL())
	h.key("tab", "tab")
	h.send(tea.PasteMsg{Content: a.AdminSessionToken()})
	if strings.Contains(h.screen(), a.AdminSessionToken()) {
		t.Fatal("the pasted token is visible")
	}
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("Signed in to "+a.URL(), "In use: "+a.URL(), "admin@")

	// B: email and password.
	h.key("n")
	h.typeText(b.URL())
	h.key("tab", "right", "tab")
	h.typeText(b.AdminEmail())
	h.key("tab")
	h.typeText(b.AdminPassword())
	h.key("enter")
	h.waitScreen("Signed in to "+b.URL(), "In use: "+b.URL(), "v2.30.0")

	cfg, err := keyring.LoadConfig(cfgPath)
	if err != nil || len(cfg.Deployments) != 2 || cfg.Current != b.URL() {
		t.Fatalf("config after two logins: %+v, %v", cfg, err)
	}

	// Switch back to A.
	h.key("g", "enter")
	h.waitScreen("Now using "+a.URL(), "In use: "+a.URL())
	if cfg, _ := keyring.LoadConfig(cfgPath); cfg.Current != a.URL() {
		t.Fatalf("current after switch: %q", cfg.Current)
	}

	// Log out of A.
	h.key("L")
	h.requireScreen("Log out of " + a.URL() + "?")
	h.key("y")
	h.waitScreen("Logged out of "+a.URL(), "No deployment in use")
	keyA, _ := keyring.SessionKey(a.URL())
	if _, err := store.Get(context.Background(), keyA); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("A's token still stored: %v", err)
	}
	if cfg, _ := keyring.LoadConfig(cfgPath); len(cfg.Deployments) != 1 || cfg.Deployments[0].URL != b.URL() {
		t.Fatalf("config after logout: %+v", cfg)
	}
}

func TestLoginRejectsBadTokenAndKeepsForm(t *testing.T) {
	t.Parallel()
	a := startSandbox(t, sandbox.Options{})
	h := newRealHarness(t, Deps{}, 120, 30)
	h.key("n")
	h.typeText(a.URL())
	h.key("tab", "tab")
	h.typeText("AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB")
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("Add a deployment", "The deployment refused these credentials (401): check the session token")
	h.requireScreen("no deployment") // status bar: nothing half-opened
}

func TestLoginImportsCoderCLISession(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "url"), []byte(srv.URL()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "session"), []byte(srv.AdminSessionToken()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CODER_CONFIG_DIR", dir)
	store := keyring.NewMemory()
	h := newRealHarness(t, Deps{Store: store}, 120, 30)
	h.key("n", "tab", "left") // the choice wraps to "import Coder CLI session"
	h.requireScreen("(●) import Coder CLI session")
	if strings.Contains(h.screen(), "Deployment URL") {
		t.Fatal("the URL field is shown for an import")
	}
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("Signed in to "+srv.URL(), "In use: "+srv.URL())
	key, _ := keyring.SessionKey(srv.URL())
	if got, err := store.Get(context.Background(), key); err != nil || got != srv.AdminSessionToken() {
		t.Fatalf("imported token not stored: %v", err)
	}
}

func TestProviderDisabledIsExplained(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat, ProviderDisabled: true})
			h := newRealHarness(t, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken()}, 120, 30)
			h.key("2")
			h.waitScreen("OAuth2 provider is not enabled", "CODER_EXPERIMENTS=oauth2", "CODER_OAUTH2_PROVIDER_ENABLE=true")
			h.key("1")
			h.waitScreen("✗ provider not enabled", "CODER_OAUTH2_PROVIDER_ENABLE=true")
		})
	}
}

// TestDeploymentsRefreshKeepsChosenSession: r re-reads the config and
// reconnects, but must not re-open the starting session over a deployment
// the user switched to since.
func TestDeploymentsRefreshKeepsChosenSession(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	h := newHarness(t, api, 120, 30)
	h.waitScreen("In use: " + api.url)
	other := &Session{URL: "https://other.example.com", Source: "test", API: api}
	h.send(useSessionMsg{other})
	before := h.m.c.SessionGen()
	h.key("1", "r")
	if got := h.m.c.Session(); got == nil || got.URL != other.URL {
		t.Fatalf("after refresh the session is %v, want %s", sessURL(got), other.URL)
	}
	if n := h.m.c.SessionGen() - before; n != 1 {
		t.Fatalf("refresh switched sessions %d times, want 1 (a reconnect)", n)
	}
}

// TestDeploymentsKeysBeforeConfigLoads: keys pressed before the config file
// has been read do nothing (and do not panic on the missing list).
func TestDeploymentsKeysBeforeConfigLoads(t *testing.T) {
	t.Parallel()
	c := newCommon(context.Background(), Deps{})
	c.Styles = NewStyles(true)
	s := newDeploymentsScreen(c)
	s.SetSize(100, 30)
	for _, k := range []string{"j", "k", "G", "enter", "L", "n", "r"} {
		if cmd := s.Update(keyMsg(k)); cmd != nil {
			t.Fatalf("key %q before the config loaded returned a Cmd", k)
		}
	}
	if !strings.Contains(ansi.Strip(s.View()), "Loading") {
		t.Fatalf("view before load: %q", s.View())
	}
}

// Switching and logging out change the config file as it is on disk: an
// entry another oauthdeck wrote after this one loaded the file survives.
func TestDeploymentsKeepOthersConfigWrites(t *testing.T) {
	a := startSandbox(t, sandbox.Options{})
	store := keyring.NewMemory()
	cfgPath := filepath.Join(t.TempDir(), "config.json")
	cfg := &keyring.Config{}
	if err := keyring.SaveSession(context.Background(), store, cfg, a.URL(), "admin", a.AdminSessionToken()); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CODER_URL", "")
	t.Setenv("CODER_SESSION_TOKEN", "")
	h := newRealHarness(t, Deps{Store: store, ConfigPath: cfgPath}, 120, 30)
	h.requireScreen(a.URL())

	// Another process adds a deployment now.
	other, _ := keyring.LoadConfig(cfgPath)
	if err := other.Upsert(keyring.Deployment{URL: "https://elsewhere.example.com", TokenStore: keyring.TokenStoreKeyring}); err != nil {
		t.Fatal(err)
	}
	if err := other.Save(cfgPath); err != nil {
		t.Fatal(err)
	}

	h.key("g", "enter") // use A: marks it current in the file
	h.waitScreen("Now using " + a.URL())
	got, err := keyring.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Find("https://elsewhere.example.com"); !ok || got.Current != a.URL() {
		t.Fatalf("config after the switch: %+v", got)
	}
	h.requireScreen("elsewhere.example.com") // the list shows the file as saved
}

// TestLoginEscEndsTheSpinner: Esc while signing in closes the form and ends
// its "Signing in" task; the status bar does not keep a spinner (or stack
// "(+1)") for an answer that goes to no screen.
func TestLoginEscEndsTheSpinner(t *testing.T) {
	t.Parallel()
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hung.Close)
	h := newRealHarness(t, Deps{}, 120, 30)
	for round := 0; round < 2; round++ {
		h.key("n")
		h.typeText(hung.URL)
		h.key("tab", "tab")
		h.typeText("AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB")
		_, cmd := h.m.Update(keyMsg("ctrl+s"))
		h.start(cmd) // the sign-in hangs: do not wait for it
		h.requireScreen("Signing in")
		h.send(keyMsg("esc"))
		h.waitFor("the form closed and its task ended", func() bool {
			return !strings.Contains(h.screen(), "Add a deployment") && !h.m.c.status.busy()
		})
		if s := h.screen(); strings.Contains(s, "Signing in") || strings.Contains(s, "(+1)") {
			t.Fatalf("round %d: the spinner outlived the form:\n%s", round, s)
		}
	}
}
