package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// flowLoop is a small event loop for the Flow and Check tests against a
// real sandbox: Update and View run only in the test goroutine, every Cmd
// runs in its own goroutine (so a blocking one, such as the flow-event
// reader or a tick, never holds the others up) and its message is fed back
// in arrival order, as Bubble Tea does.
type flowLoop struct {
	t    *testing.T
	m    *Model
	c    *Common
	msgs chan tea.Msg
	srv  *sandbox.Server
}

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
	ctx, cancel := context.WithCancel(context.Background())
	deps := Deps{Store: keyring.NewMemory(), Version: "test", Recorder: client.NewRecorder(0),
		ClientOptions: client.Options{Timeout: 5 * time.Second}}
	if srv != nil {
		deps.InitialURL, deps.InitialToken, deps.InitialSource = srv.URL(), srv.AdminSessionToken(), "sandbox"
	}
	c := newCommon(ctx, deps)
	l := &flowLoop{t: t, m: newModel(c), c: c, msgs: make(chan tea.Msg, 4096), srv: srv}
	t.Cleanup(func() { l.m.closeAll(); cancel() })
	l.send(tea.WindowSizeMsg{Width: w, Height: h})
	l.start(l.m.Init())
	if srv != nil {
		l.waitFor("connected", func() bool { return c.Session() != nil && c.Session().User != nil })
	}
	return l
}

func (l *flowLoop) start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { l.msgs <- cmd() }()
}

func (l *flowLoop) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			l.start(c)
		}
	default:
		if isSequence(msg) {
			cmds := sequenceCmds(msg)
			go func() {
				for _, c := range cmds {
					if c != nil {
						l.msgs <- c()
					}
				}
			}()
			return
		}
		if skipInTests(msg) {
			return
		}
		_, next := l.m.Update(msg)
		l.start(next)
	}
}

// send delivers msg now and handles what arrives for a short while.
func (l *flowLoop) send(msg tea.Msg) {
	l.t.Helper()
	_, cmd := l.m.Update(msg)
	l.start(cmd)
	l.settle(30 * time.Millisecond)
}

func (l *flowLoop) settle(idle time.Duration) {
	for {
		select {
		case msg := <-l.msgs:
			l.handle(msg)
		case <-time.After(idle):
			return
		}
	}
}

func (l *flowLoop) key(keys ...string) {
	l.t.Helper()
	for _, k := range keys {
		l.send(keyMsg(k))
	}
}

func (l *flowLoop) typeText(s string) {
	for _, r := range s {
		l.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// waitFor handles messages until cond holds.
func (l *flowLoop) waitFor(what string, cond func() bool) {
	l.t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case msg := <-l.msgs:
			l.handle(msg)
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			l.t.Fatalf("timed out waiting for %s:\n%s", what, l.screen())
		}
	}
}

func (l *flowLoop) waitScreen(want ...string) {
	l.t.Helper()
	l.waitFor(strings.Join(want, ", "), func() bool {
		s := l.screen()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

func (l *flowLoop) screen() string { return ansi.Strip(l.m.View().Content) }

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
