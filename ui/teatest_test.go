package ui

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// Smoke tests through a real tea.Program (teatest): the model starts,
// loads the sandbox's apps, reacts to keys and quits cleanly. Assertions are
// on the final model; the raw output is diff-rendered (test-infra.md §2).

func newTeatestModel(t *testing.T, deps Deps) *Model {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return newModel(newCommon(ctx, deps))
}

func TestTeatestStartBrowseQuit(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	m := newTeatestModel(t, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken()})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("admin@")) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	tm.Send(tea.KeyPressMsg{Code: '2', Text: "2"})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("OAuth2 apps")) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	final := tm.FinalModel(t).(*Model)
	if !final.quitting || final.tabs[final.active].id != screenApps {
		t.Fatalf("final state: quitting=%v tab=%v", final.quitting, final.tabs[final.active].id)
	}
	if sess := final.c.Session(); sess == nil || sess.User == nil || sess.User.Username != "admin" {
		t.Fatalf("session not connected: %+v", sess)
	}
}

func TestTeatestNoColorKeepsSelectionVisible(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateApp(context.Background(), client.AppRequest{Name: "cli-tool", CallbackURL: "http://127.0.0.1:9876/callback"}); err != nil {
		t.Fatal(err)
	}
	m := newTeatestModel(t, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken()})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.NoTTY)))
	tm.Send(tea.KeyPressMsg{Code: '2', Text: "2"})
	var out []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		out = append(out[:0], b...)
		return bytes.Contains(b, []byte("cli-tool"))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if !bytes.Contains(out, []byte("› cli-tool")) {
		t.Fatalf("no selection marker in a no-colour render:\n%q", out)
	}
	if bytes.Contains(out, []byte("\x1b[38")) || bytes.Contains(out, []byte("\x1b[48")) {
		t.Fatal("colours written with a no-colour profile")
	}
}
