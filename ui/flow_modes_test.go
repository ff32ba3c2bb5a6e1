package ui

import (
	"context"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

func freeCallback(t *testing.T) string {
	t.Helper()
	return "http://127.0.0.1:" + testenv.LoopbackPort(t) + "/cb"
}

// The app selected in the Apps tab, with its secret kept in the keyring,
// runs to a working token; the header says where the secret came from.
func TestFlowSandboxExistingAppKeptSecret(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatV230})
	l := newFlowLoop(t, srv, 100, 30)
	cl, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cb := freeCallback(t)
	app, err := cl.CreateApp(ctx, client.AppRequest{Name: "kept-secret-app", CallbackURL: cb, RedirectURIs: []string{cb}})
	if err != nil {
		t.Fatal(err)
	}
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
	l.c.selectedApp = &app // as the Apps tab does when the app is highlighted
	l.startFlow(func() {
		l.key("left")
		l.waitScreen("(●) app kept-secret-app")
	})
	l.waitScreen("app kept-secret-app · auto consent", "using the client secret kept in memory (this session only)")
	l.key("a")
	l.waitFor("token", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
	if st := l.stepStatus(flows.StepUse); st != flows.StatusPassed {
		t.Fatalf("use %s:\n%s", st, l.screen())
	}
	if strings.Contains(l.screen(), sec.ClientSecretFull) {
		t.Fatal("client secret on screen")
	}
	// The existing app is not deleted at the end.
	l.key("x")
	l.waitFor("revoke", func() bool { return l.idle() && l.stepStatus(flows.StepRevoke) == flows.StatusPassed })
	l.send(switchTabMsg{screenFlow})
	l.key("G", "up", "enter")
	l.waitFor("cleanup", func() bool { return l.idle() && l.stepStatus(flows.StepCleanup) != flows.StatusPending })
	if _, err := cl.App(ctx, app.ID); err != nil {
		t.Fatalf("the existing app was deleted: %v", err)
	}
}

// Dynamic client registration, then cleanup removes the registered client.
func TestFlowSandboxDCR(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain, EnableDCR: true})
	l := newFlowLoop(t, srv, 100, 30)
	l.startFlow(func() {
		l.key("right")
		l.waitScreen("(●) dynamic registration")
	})
	l.waitScreen("DCR client · auto consent")
	l.key("a")
	l.waitFor("token", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
	if st := l.stepStatus(flows.StepUse); st != flows.StatusPassed {
		t.Fatalf("use %s:\n%s", st, l.screen())
	}
	l.key("G", "up", "enter")
	l.waitFor("cleanup", func() bool { return l.idle() && l.stepStatus(flows.StepCleanup) != flows.StatusPending })
	if st := l.stepStatus(flows.StepCleanup); st != flows.StatusPassed {
		t.Fatalf("cleanup %s:\n%s", st, l.screen())
	}
	l.waitScreen("registered client gone")
}

// Without a deployment the Flow tab says so, and starting is refused with a reason.
func TestFlowNoDeployment(t *testing.T) {
	t.Parallel()
	l := newFlowLoop(t, nil, 80, 24)
	l.send(switchTabMsg{screenFlow})
	l.waitScreen("No deployment in use")
	l.key("n")
	l.waitScreen("Set up an authorization-code flow")
	l.send(keyMsg("ctrl+s"))
	l.waitScreen("No deployment in use: pick one")
	if l.flowTab().run != nil {
		t.Fatal("a flow started without a deployment")
	}
}

// The options form checks the redirect URI as it is typed and will not
// start a flow with one the listener could not bind.
func TestFlowOptionsRedirectValidation(t *testing.T) {
	t.Parallel()
	l := newFlowLoop(t, nil, 100, 30)
	l.send(switchTabMsg{screenFlow})
	l.key("n")
	l.waitScreen("Set up an authorization-code flow")
	l.key("tab", "tab", "tab", "tab")
	l.typeText("https://example.com/cb")
	l.waitScreen("must be http://127.0.0.1:<port>/<path>")
	l.send(keyMsg("ctrl+s"))
	if _, ok := l.m.top().(*flowOptionsForm); !ok {
		t.Fatal("the form was submitted with a non-loopback redirect URI")
	}
	for range len("https://example.com/cb") {
		l.key("backspace")
	}
	l.typeText("http://localhost:8123/callback")
	if strings.Contains(l.screen(), "must be http://") {
		t.Fatalf("a loopback redirect URI was refused:\n%s", l.screen())
	}
	if got := validateLoopbackRedirect("http://127.0.0.1:99999/x"); got == "" {
		t.Fatal("port 99999 accepted")
	}
	if got := validateLoopbackRedirect("http://[::1]:8080/x"); got != "" {
		t.Fatalf("[::1] refused: %s", got)
	}
}

// `?` lists the Flow screen's own keys.
func TestFlowHelpListsKeys(t *testing.T) {
	t.Parallel()
	s, _ := newUnitFlowScreen(t)
	var names []string
	for _, b := range s.KeyBindings() {
		names = append(names, b.Help().Desc)
	}
	joined := strings.Join(names, ",")
	for _, want := range []string{"run step", "run to token", "edit request", "paste redirect URL", "copy the auth URL (the token on its row)", "reveal/mask"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("bindings lack %q: %s", want, joined)
		}
	}
	s.run.tokens = &flows.Tokens{AccessToken: "a"}
	names = names[:0]
	for _, b := range s.KeyBindings() {
		names = append(names, b.Help().Desc)
	}
	if j := strings.Join(names, ","); !strings.Contains(j, "refresh the token") || !strings.Contains(j, "revoke token") {
		t.Fatalf("token bindings missing: %s", j)
	}
}

// The setup form's client authentication reaches the engine: a new app run
// with client_secret_post on a server that lists both (whose default is
// Basic) authenticates in the form, and the flow still reaches a token.
func TestFlowSetupAuthMethod(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 110, 34)
	l.startFlow(func() {
		l.waitScreen("Client authentication", "as the server advertises")
		for range 5 { // client → consent → resource → scope → redirect URI → client authentication
			l.key("tab")
		}
		l.key("right", "right")
		l.waitScreen("(●) client_secret_post")
	})
	l.key("a")
	l.waitFor("token", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
	if got := l.flowTab().run.opts.AuthMethod; got != flows.AuthPost {
		t.Fatalf("options carry %q", got)
	}
	res := l.flowTab().run.flow.Result(flows.StepClient)
	found := false
	for _, f := range res.Fields {
		if f.Label == "Client authentication" && strings.HasPrefix(f.Value, "client_secret_post") {
			found = true
		}
	}
	if !found {
		t.Fatalf("client step fields %+v", res.Fields)
	}
}
