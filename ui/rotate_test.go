package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox"
)

// The rotation wizard against the sandbox, stopped and resumed: create and
// keep the secret, leave the screen, come back (the saved state and the
// kept secret resume it), prove, watch the hand-over, finish. One secret is
// left, the new one. The same without a config directory (the demo): the
// state is kept in memory for the console's life.
func TestRotateWizardResumes(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"config dir", "memory"} {
		t.Run(where, func(t *testing.T) {
			t.Parallel()
			rotateAndResume(t, where == "config dir")
		})
	}
}

func rotateAndResume(t *testing.T, withConfig bool) {
	srv := startSandboxFor(t, sandbox.Options{Compat: sandbox.CompatMain})
	id, _ := srv.Seed(sandbox.AppSeed{Name: "rotate-me", RedirectURIs: []string{"http://127.0.0.1:9876/callback"},
		Secrets: []sandbox.SecretSeed{{LastUsed: time.Now().Add(-time.Hour)}}})
	l := newFlowLoop(t, srv, 100, 30)
	if withConfig {
		l.c.Deps.ConfigPath = filepath.Join(t.TempDir(), "config.json")
	}
	app, err := l.c.Session().API.App(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	open := func() *rotateScreen {
		s := newRotateScreen(l.c, app)
		l.send(pushScreenMsg{s})
		l.waitScreen("Rotate the client secret of rotate-me")
		return s
	}
	s := open()
	l.waitScreen("enter create the new secret")
	l.key("enter")
	l.waitScreen("✓ 1 create", "New secret", "••••")
	if strings.Contains(l.screen(), s.secret) {
		t.Fatal("the new secret is shown before reveal")
	}
	l.key("k")
	l.waitScreen("✓ kept in")
	l.key("esc") // stop after the first stage
	l.waitFor("closed", func() bool { return l.m.top() != screen(s) })

	s = open()
	l.waitScreen("✓ 1 create", "✓ kept in")
	if s.nextLabel() != "prove it" {
		t.Fatalf("resumed at %q", s.nextLabel())
	}
	l.key("enter")
	l.waitScreen("✓ 2 prove", "revoke with the new secret was accepted", "ROLE", "new", "old")
	if uses := len(s.uses); uses != 2 {
		t.Fatalf("%d secrets in the hand-over", uses)
	}
	l.key("f")
	l.waitScreen("Delete the old secrets of rotate-me?", "has not been used since")
	l.key("y")
	l.waitScreen("Rotation done: 1 old secret deleted")
	secrets, err := l.c.Session().API.AppSecrets(context.Background(), id)
	if err != nil || len(secrets) != 1 || s.lastTail != secrets[0].ClientSecretTruncated {
		t.Fatalf("secrets after the rotation: %+v, %v", secrets, err)
	}
}
