package ui

import (
	"context"
	"testing"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// H on app detail shows the app's audit trail, newest first.
func TestAppHistoryScreen(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 100, 30)
	api := l.c.Session().API
	app, err := api.CreateApp(context.Background(), client.AppRequest{Name: "hist", CallbackURL: "http://127.0.0.1:9876/callback"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateAppSecret(context.Background(), app.ID); err != nil {
		t.Fatal(err)
	}
	l.send(pushScreenMsg{newAppDetail(l.c, app)})
	l.waitScreen("hist")
	l.key("H")
	l.waitScreen("History of hist", "create  secret …", "create  app", "admin", `callback_url: "" → http://127.0.0.1:98`)
}
