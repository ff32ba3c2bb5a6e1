package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// flowLoop is the harness on a real sandbox, for the Flow and Check tests.
type flowLoop = harness

func startSandboxFor(t *testing.T, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := sandbox.Start(ctx, opts)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// newFlowLoop opens the console against srv (nil: no deployment) at w×h.
func newFlowLoop(t *testing.T, srv *sandbox.Server, w, h int) *flowLoop {
	t.Helper()
	url := ""
	if srv != nil {
		url = srv.URL()
	}
	return newFlowLoopWith(t, srv, url, client.Options{Timeout: 5 * time.Second}, w, h)
}

// newFlowLoopWith is newFlowLoop with the deployment clients' options (a
// timeout, a transport that spoils some answers).
func newFlowLoopWith(t *testing.T, srv *sandbox.Server, url string, opts client.Options, w, h int) *flowLoop {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	deps := Deps{Store: keyring.NewMemory(), Version: "test", Recorder: client.NewRecorder(0), ClientOptions: opts}
	if srv != nil {
		deps.InitialURL, deps.InitialToken, deps.InitialSource = url, srv.AdminSessionToken(), "sandbox"
	}
	c := newCommon(ctx, deps)
	l := attach(t, c)
	l.srv = srv
	t.Cleanup(func() { l.m.closeAll(); cancel() })
	l.send(tea.WindowSizeMsg{Width: w, Height: h})
	l.run(l.m.Init())
	if srv != nil {
		l.waitFor("connected", func() bool { return c.Session() != nil && c.Session().User != nil })
	}
	return l
}

// flowTab returns the Flow screen (the root of its tab).
func (l *flowLoop) flowTab() *flowScreen { return tabScreen[*flowScreen](l.m, screenFlow) }

func tabScreen[T screen](m *Model, id screenID) T {
	for _, t := range m.tabs {
		if t.id == id {
			return t.root.(T)
		}
	}
	var zero T
	return zero
}

// golden compares got with testdata/<name>.golden; UPDATE_GOLDEN=1 rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}
