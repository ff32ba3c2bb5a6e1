package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// In a real terminal, a deliberate negative edit (PKCE dropped from the
// authorization request) is judged "refused as it should", not a failure.
func TestE2ENegativeEditRefusedAsItShould(t *testing.T) {
	t.Parallel()
	p := startTmux(t, 120, 34, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, oauthdeckBinary(t), "demo")
	openFlowForm(p)
	p.keys("C-s")
	p.waitFor("new app · auto consent")
	for _, done := range []string{"✓ discover", "✓ client", "✓ prepare"} {
		p.keys("Enter")
		p.waitFor(done)
	}
	p.keys("e")
	p.waitFor("Edit the authorize request", "code_challenge ")
	p.keys("Down", "Down") // URL, client_id, then code_challenge
	p.keys("d")
	p.keys("C-s")
	p.waitFor("authorize ✎")
	p.keys("Enter")
	screen := p.waitFor("✓ refused as it should (PKCE required)", "1 refused as asked")
	if strings.Contains(screen, "✗ authorize") {
		t.Fatalf("the refusal reads as a failure:\n%s", screen)
	}
	p.keys("q")
	if code := p.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	p.requireRestored()
}

// Esc on a sign-in that hangs ends its spinner: nothing keeps spinning or
// stacks "(+1)" after the form has gone.
func TestE2EEscEndsTheSignInSpinner(t *testing.T) {
	t.Parallel()
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hung.Close)
	p := startTmux(t, 120, 34, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, oauthdeckBinary(t))
	p.waitFor("1 Deployments")
	for round := 0; round < 2; round++ {
		p.keys("n")
		p.waitFor("Add a deployment")
		p.text(hung.URL)
		p.keys("Tab", "Tab")
		p.paste("AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB")
		p.keys("C-s")
		p.waitFor("Signing in")
		p.keys("Escape")
		deadline := time.Now().Add(10 * time.Second)
		for s := p.capture(); strings.Contains(s, "Add a deployment") || strings.Contains(s, "Signing in"); s = p.capture() {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the spinner outlived the form:\n%s", round, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if s := p.capture(); strings.Contains(s, "(+1)") {
			t.Fatalf("round %d: spinners stacked:\n%s", round, s)
		}
	}
	p.keys("q")
	if code := p.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
}

// At 80×24 every tab's status bar keeps "? help".
func TestE2EHelpVisibleOnEveryTabAt80x24(t *testing.T) {
	t.Parallel()
	p := startTmux(t, 80, 24, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, oauthdeckBinary(t), "demo")
	p.waitFor("1 Deployments", "admin@")
	for _, tab := range []string{"1", "2", "3", "4", "5", "6", "7"} {
		p.keys(tab)
		deadline := time.Now().Add(10 * time.Second)
		for {
			lines := strings.Split(strings.TrimRight(p.capture(), "\n"), "\n")
			if strings.Contains(lines[len(lines)-1], "? help") && strings.Contains(lines[0], "["+tab+" ") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("tab %s: the status bar lacks ? help:\n%s", tab, p.capture())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	p.keys("q")
	if code := p.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
}
