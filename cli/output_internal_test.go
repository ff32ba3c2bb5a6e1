package cli

import (
	"bytes"
	"context"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// TestJSONArrayMatchesWriteJSON: the streamed list is byte for byte what
// writeJSON prints for the whole slice, including the empty list and the
// escaping of characters a terminal acts on.
func TestJSONArrayMatchesWriteJSON(t *testing.T) {
	t.Parallel()
	dyn := true
	for _, apps := range [][]client.App{
		{},
		{{ID: "a", Name: "one"}},
		{{ID: "a", Name: "x\u009b2J", RedirectURIs: []string{"http://127.0.0.1/cb"}}, {ID: "b", Name: "\u202etwo"}},
		{{ID: "c", Name: "a<b>&c\u2028\u2029\x7f\"\\", RedirectURIs: []string{}, Scope: "coder:all", ClientType: "public",
			DynamicallyRegistered: &dyn, Endpoints: client.AppEndpoints{Authorization: "https://x/oauth2/authorize?a=1&b=2"}}},
	} {
		var want, got bytes.Buffer
		if err := writeJSON(&want, apps); err != nil {
			t.Fatal(err)
		}
		arr := newJSONArray(&got)
		for _, a := range apps {
			if err := arr.add(a); err != nil {
				t.Fatal(err)
			}
		}
		if err := arr.close(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("streamed:\n%s\nwant:\n%s", got.String(), want.String())
		}
	}
}

// TestDemoSeedKeepsTheSecret: the demo's first app has a secret kept in
// the demo's store, so a flow with it reaches a token (it once failed at
// the exchange with 401 invalid_client: the secret was not kept).
func TestDemoSeedKeepsTheSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, err := sandbox.Start(ctx, sandbox.Options{EnableDCR: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	store := keyring.NewMemory()
	if err := seedDemo(ctx, srv, store); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	apps, err := c.Apps(ctx)
	if err != nil || len(apps) != len(sandbox.DemoApps(time.Now())) {
		t.Fatalf("%d apps, %v", len(apps), err)
	}
	var cliTool client.App
	for _, a := range apps {
		if a.Name == sandbox.DemoApps(time.Now())[0].Name {
			cliTool = a
		}
	}
	key, _ := keyring.ClientSecretKey(srv.URL(), cliTool.ID)
	secret, err := store.Get(ctx, key)
	if err != nil || secret == "" {
		t.Fatalf("no kept secret for %s: %v", cliTool.Name, err)
	}
	f, err := flows.New(flows.Config{Client: c, ClientMode: flows.ClientExisting, ClientID: cliTool.ID, ClientSecret: secret,
		Consent: flows.ConsentAuto, CallbackURL: "http://127.0.0.1:0/callback", Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, id := range []flows.StepID{flows.StepDiscover, flows.StepClient, flows.StepPrepare, flows.StepAuthorize, flows.StepExchange} {
		if res := f.Run(ctx, id); res.Status != flows.StatusPassed {
			t.Fatalf("%s: %s %v", id, res.Status, res.Err)
		}
	}
}
