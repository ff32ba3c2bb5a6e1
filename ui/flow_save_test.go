package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/sandbox"
)

// flowSavedInConsole runs a flow to its token in the console (w columns
// wide, a config dir of its own) and saves it with w.
func flowSavedInConsole(t *testing.T, w int) (*sandbox.Server, *flowLoop) {
	t.Helper()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, w, 30)
	l.c.Deps.ConfigPath = filepath.Join(t.TempDir(), "config.json")
	l.startFlow(nil)
	l.key("a")
	l.waitFor("token in hand", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
	l.key("w")
	l.waitScreen("Saved the flow to")
	return srv, l
}

// A flow run in the console and saved with w replays headless (the engine
// 'oauthdeck flow --replay' runs) with the same outcome for every step.
func TestFlowSavedInTheConsoleReplays(t *testing.T) {
	t.Parallel()
	srv, l := flowSavedInConsole(t, 100)
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(l.c.Deps.ConfigPath), "flows", "flow-*.json"))
	if len(files) != 1 {
		t.Fatalf("saved files %q", files)
	}
	fh, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	saved, err := flows.ReadSaved(fh)
	if err != nil || len(saved.Steps) < 5 {
		t.Fatalf("saved %+v, %v", saved, err)
	}
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := flows.New(flows.Config{Client: c, ClientMode: saved.Setup.ClientMode, Consent: saved.Setup.Consent, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, r := range f.Replay(context.Background(), saved, nil) {
		if !r.Same {
			t.Errorf("%s: recorded %s, replayed %s (%s)", r.Step, r.Expected, r.Got, r.Verdict)
		}
	}
}

// l replays the newest saved flow in the console, step by step.
func TestFlowReplayInTheConsole(t *testing.T) {
	t.Parallel()
	_, l := flowSavedInConsole(t, 110)
	l.key("l")
	l.waitScreen("Replay of flow-", "STEP", "RECORDED")
	l.waitFor("replayed", func() bool {
		r, ok := l.m.top().(*flowReplay)
		return ok && r.done
	})
	r := l.m.top().(*flowReplay)
	if r.err != nil || len(r.results) != len(r.saved.Steps) {
		t.Fatalf("replay %v, %d of %d steps", r.err, len(r.results), len(r.saved.Steps))
	}
	for _, res := range r.results {
		if !res.Same {
			t.Errorf("%s: recorded %s, now %s", res.Step, res.Expected, res.Got)
		}
	}
	l.waitScreen("✓ discover", "✓ exchange")
}

// A flow that starts at an MCP endpoint discovers from its 401 challenge
// (resource_metadata), as MCP clients do, and reaches a token.
func TestFlowFromAnMCPTarget(t *testing.T) {
	t.Parallel()
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	l := newFlowLoop(t, srv, 110, 36)
	l.startFlow(func() {
		for range 7 {
			l.key("tab")
		}
		l.typeText(srv.URL() + "/api/experimental/mcp/http")
	})
	if got := l.flowTab().opts.Target; got != srv.URL()+"/api/experimental/mcp/http" {
		t.Fatalf("target %q", got)
	}
	l.key("a")
	l.waitFor("token in hand", func() bool { return l.idle() && l.flowTab().run.tokens != nil })
}
