package ui

import (
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// rowLine is the screen line that shows url in the list (the first one).
func rowLine(h *harness, url string) string {
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, url) && !strings.Contains(l, "In use") {
			return l
		}
	}
	return ""
}

// The demo's session is listed though it is not saved: after another
// deployment is added the user can switch back to it, logging out of the
// other leaves it there, and it never reaches the config file. Where the
// store is memory, the list and the login form say memory, not OS keyring.
func TestUnsavedSessionStaysListed(t *testing.T) {
	demo := startSandbox(t, sandbox.Options{})
	other := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	t.Setenv("CODER_URL", "")
	t.Setenv("CODER_SESSION_TOKEN", "")
	cfgPath := t.TempDir() + "/config.json"
	h := newRealHarness(t, Deps{Store: keyring.NewMemory(), ConfigPath: cfgPath, Demo: true,
		InitialURL: demo.URL(), InitialToken: demo.AdminSessionToken(), InitialSource: "demo sandbox"}, 120, 30)
	h.waitScreen("In use: "+demo.URL(), "admin@")
	if strings.Contains(h.screen(), "None saved yet") {
		t.Fatalf("the demo session is not listed:\n%s", h.screen())
	}
	if l := rowLine(h, demo.URL()); !strings.Contains(l, "● ") || !strings.Contains(l, "memory") || !strings.Contains(l, "unsaved · demo sandbox") {
		t.Fatalf("demo row %q", l)
	}

	// Add another deployment; the form says where its token will be kept.
	h.key("n")
	h.typeText(other.URL())
	h.key("tab", "tab")
	h.requireScreen("Stored only in memory (this session")
	h.send(tea.PasteMsg{Content: other.AdminSessionToken()})
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("Signed in to "+other.URL(), "In use: "+other.URL())
	if l := rowLine(h, other.URL()); !strings.Contains(l, "memory") || strings.Contains(l, "OS keyring") || strings.Contains(l, "plain file") {
		t.Fatalf("saved row %q: the token is in memory", l)
	}
	if l := rowLine(h, demo.URL()); l == "" || strings.Contains(l, "● ") {
		t.Fatalf("demo row after adding another: %q\n%s", l, h.screen())
	}

	// Back to the demo: its row, enter.
	h.key("G", "enter")
	h.waitScreen("Now using "+demo.URL()+" (demo sandbox, not saved)", "In use: "+demo.URL())
	h.waitScreen("admin@") // connected again with the token its client kept
	h.key("L")
	h.requireScreen("Nothing to log out of")

	// Log out of the other: the demo is still there.
	h.key("g", "L")
	h.requireScreen("Log out of " + other.URL() + "?")
	h.key("y")
	h.waitScreen("Logged out of " + other.URL())
	if l := rowLine(h, demo.URL()); !strings.Contains(l, "● ") {
		t.Fatalf("demo row after logging out of the other: %q\n%s", l, h.screen())
	}

	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), demo.URL()) {
		t.Fatalf("the unsaved session reached the config file:\n%s", raw)
	}
}
