package ui

import (
	"context"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// TestAppLifecycleAgainstSandbox creates, edits and deletes an app and its
// secrets through the console against the sandbox in both compat modes; the
// new secret is kept in the store under keyring.ClientSecretKey.
func TestAppLifecycleAgainstSandbox(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat})
			store := keyring.NewMemory()
			h := newRealHarness(t, Deps{Store: store, InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken()}, 120, 30)
			h.key("2")
			h.waitScreen("No OAuth2 apps")
			h.key("n")
			h.typeText("sbx-app")
			h.key("tab")
			h.typeText("http://127.0.0.1:9876/callback")
			h.send(keyMsg("ctrl+s"))
			h.waitScreen("Created app sbx-app", "Client ID", "Callback (default)  http://127.0.0.1:9876/callback", srv.URL()+"/oauth2/tokens")

			// A secret: shown once, kept in the store.
			h.key("n")
			h.waitScreen("New client secret")
			h.key("k")
			h.waitScreen("kept in memory")
			app := h.m.c.SelectedApp()
			detail := h.m.top().(*appDetail)
			key, _ := keyring.ClientSecretKey(srv.URL(), detail.app.ID)
			kept, err := store.Get(context.Background(), key)
			if err != nil || !strings.HasPrefix(kept, "coder_") {
				t.Fatalf("kept secret: %q %v", kept, err)
			}
			_ = app
			h.key("enter")
			h.waitScreen("*****" + kept[len(kept)-6:])

			// Edit: rename.
			h.key("e")
			h.waitScreen("Edit sbx-app")
			h.send(keyMsg("ctrl+u"))
			h.typeText("sbx-renamed")
			h.send(keyMsg("ctrl+s"))
			h.waitScreen("Saved app sbx-renamed")

			// Delete the secret (the only secret row).
			h.key("G", "d")
			h.waitScreen("Delete secret", "revokes every token issued with it")
			h.key("y")
			h.waitScreen("None. Press n")

			h.key("d") // no secret selected: d never falls through to the app
			h.waitScreen("d deletes the selected secret")
			if strings.Contains(h.screen(), "Delete app") {
				t.Fatal("d offered to delete the app")
			}
			h.key("D")
			h.waitScreen("Delete app sbx-renamed?")
			h.key("y")
			h.waitScreen("Deleted app sbx-renamed", "No OAuth2 apps")
		})
	}
}

// TestSandboxIconRendersInert stores an icon full of escape sequences (the
// sandbox, like Coder, does not validate icons) and shows it inert.
func TestSandboxIconRendersInert(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateApp(context.Background(), client.AppRequest{Name: "iconic", CallbackURL: "http://127.0.0.1:1/cb", Icon: hostile}); err != nil {
		t.Fatal(err)
	}
	h := newRealHarness(t, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken()}, 140, 30)
	h.key("2")
	h.waitScreen("iconic")
	h.key("enter")
	h.waitScreen("Icon", "evil␛[31mRED␛[2J␛[H␛[5A␛]52;c;cm0gLXJmIH4=␇␛]8;;https://attacker.example/")
	requireOnlySGR(t, h.m.View().Content)
}

// TestDiscoveryAgainstSandbox shows both documents with verdicts beside
// their fields, for the newer and the v2.30 server.
func TestDiscoveryAgainstSandbox(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		compat sandbox.Compat
		want   []string
	}{
		{sandbox.CompatMain, []string{"client_secret_basic", "↳ ✓ PKCE S256 supported"}},
		{sandbox.CompatV230, []string{"↳ i only client_secret_post"}},
	} {
		t.Run(string(c.compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: c.compat})
			h := newRealHarness(t, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken()}, 140, 40)
			h.key("3")
			h.waitScreen(append([]string{"Authorization server metadata", "\"issuer\": \"" + srv.URL(), "↳ ✓ issuer"}, c.want...)...)
			for range 20 {
				h.key("pgdown")
			}
			h.waitScreen("Protected resource metadata", "\"authorization_servers\"")
		})
	}
}

// TestAppScopeAllowlist sets an app's allowed scopes on a newer server:
// an unknown scope comes back as Coder's validation error, a known one
// shows in the detail.
func TestAppScopeAllowlist(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newRealHarness(t, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken()}, 120, 30)
	h.waitScreen("v2.38")
	h.key("2")
	h.waitScreen("No OAuth2 apps")
	h.key("n")
	h.typeText("scoped")
	h.key("tab")
	h.typeText("http://127.0.0.1:9876/callback")
	h.key("tab", "tab")
	h.requireScreen("Allowed scopes")
	h.typeText("nope:nothing")
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("Invalid scope.", "nope:nothing")
	h.send(keyMsg("ctrl+u"))
	h.typeText("coder:all")
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("Created app scoped", "Scope", "coder:all", "Confidential clients need a secret")
}

// TestAppFormReportsDroppedFields: a server before v2.38 answers 201 and
// keeps only the first redirect URI; after saving, the app's screen names
// the URI it did not keep and the version that keeps it, for create and
// edit. The newer server keeps both, and nothing is reported.
func TestAppFormReportsDroppedFields(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatV230, sandbox.CompatMain} {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat})
			h := newRealHarness(t, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken()}, 120, 30)
			h.key("2")
			h.waitScreen("No OAuth2 apps")
			h.key("n")
			h.typeText("two-uris")
			h.key("tab")
			h.typeText("http://127.0.0.1:1/a")
			h.key("enter")
			h.typeText("http://127.0.0.1:2/b")
			h.send(keyMsg("ctrl+s"))
			h.waitScreen("Client ID", "http://127.0.0.1:1/a")
			dropLine := "! the server accepted redirect_uris but did not keep http://127.0.0.1:2/b"
			if compat == sandbox.CompatMain {
				h.waitScreen("Created app two-uris", "http://127.0.0.1:2/b")
				if strings.Contains(h.screen(), "did not keep") {
					t.Fatalf("a server that kept every value is reported:\n%s", h.screen())
				}
				return
			}
			h.waitScreen("but the server did not keep every value", dropLine, "Coder keeps a list of redirect URIs from", "v2.38 on")

			// Edit: add a third URI; the detail's warning follows the last save.
			h.key("e")
			h.waitScreen("Edit two-uris")
			h.key("tab")
			h.send(keyMsg("ctrl+e"))
			h.key("enter")
			h.typeText("http://127.0.0.1:3/c")
			h.send(keyMsg("ctrl+s"))
			h.waitScreen("Saved app two-uris", "did not keep http://127.0.0.1:3/c")
		})
	}
}
