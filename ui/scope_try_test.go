package ui

import (
	"context"
	"testing"

	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// From app detail, S asks the deployment live: a covered scope is granted
// (the kept secret redeems the code, so the token's scope shows), one
// outside the allowlist is refused with the server's reason.
func TestScopeTryScreen(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	id, secrets := srv.Seed(sandbox.AppSeed{Name: "scoped", RedirectURIs: []string{"https://scoped.example.com/cb"},
		Scope: "coder:workspaces.access", Secrets: []sandbox.SecretSeed{{}}})
	l := newFlowLoop(t, srv, 100, 30)
	k, _ := keyring.ClientSecretKey(l.c.Session().URL, id)
	if err := l.c.Deps.Store.Set(context.Background(), k, secrets[0]); err != nil {
		t.Fatal(err)
	}
	app, err := l.c.Session().API.App(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	l.send(pushScreenMsg{newAppDetail(l.c, app)})
	l.waitScreen("scoped")
	l.key("S")
	l.waitScreen("What would scoped be granted?", "Allowlist: coder:workspaces.access")
	// The catalogue, with the composite's expansion the server states; the
	// field completes from it.
	l.waitScreen("Catalogue: ", " low-level", "coder:workspaces.access covers template:read workspace:ssh")
	l.typeText("workspace:ss")
	l.waitScreen("→ completes from the server's scopes_supported")
	l.key("backspace")
	l.key("backspace")
	l.typeText("ssh")
	l.key("enter")
	l.waitScreen("✓ granted  workspace:ssh  → token scope: workspace:ssh", "revoked")
	for range len("workspace:ssh") {
		l.key("backspace")
	}
	l.typeText("template:update")
	l.key("enter")
	l.waitScreen("✗ refused  template:update", "invalid_scope", "not in this app's allowed scope list")
}
