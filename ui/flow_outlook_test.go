package ui

import (
	"context"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// The setup form says before start what an existing app will run into:
// no kept secret (the exchange would be refused), a redirect URI the
// listener cannot take (browser consent), and, once a secret is kept,
// where it comes from.
func TestFlowFormSaysWhatTheAppWillRunInto(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 140, 34)
	cl, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	remote := "https://portal.example.com/callback"
	app, err := cl.CreateApp(ctx, client.AppRequest{Name: "remote-portal", CallbackURL: remote, RedirectURIs: []string{remote}})
	if err != nil {
		t.Fatal(err)
	}
	l.c.selectedApp = &app
	openForm := func() {
		l.send(switchTabMsg{screenFlow})
		l.key("n")
		l.waitScreen("Set up an authorization-code flow")
		l.key("left")
		l.waitScreen("(●) app remote-portal")
	}
	openForm()
	l.waitScreen("no secret of remote-portal is kept here", "invalid_client")
	if s := l.screen(); strings.Contains(s, "loopback listener can take") {
		t.Fatalf("automatic consent needs no listener, yet the form warns about one:\n%s", s)
	}
	l.key("tab", "right") // browser consent
	l.waitScreen("(●) browser", "not one the loopback listener can take")
	l.key("esc")
	l.waitScreen("Discard")
	l.key("y")

	sec, err := cl.CreateAppSecret(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyring.ClientSecretKey(l.c.Session().URL, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.c.Deps.Store.Set(ctx, k, sec.ClientSecretFull); err != nil {
		t.Fatal(err)
	}
	openForm()
	l.waitScreen("uses its secret kept in memory (this session only)")
}
