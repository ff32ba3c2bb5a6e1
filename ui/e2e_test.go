package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"oauthdeck/keyring"
	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// TestE2EDemoAppLifecycle runs `oauthdeck demo` in tmux and, like a person:
// opens the apps, creates an app, creates a secret (masked, revealed once),
// deletes the app, and quits; the terminal is usable afterwards.
func TestE2EDemoAppLifecycle(t *testing.T) {
	t.Parallel()
	bin := oauthdeckBinary(t)
	tm := startTmux(t, 100, 30, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, bin, "demo")
	tm.waitFor("1 Deployments", "admin@127.0.0.1", "demo")

	tm.keys("2")
	tm.waitFor("cli-tool", "mcp-inspector", "16 of 16")

	tm.keys("n")
	tm.waitFor("New OAuth2 app")
	tm.text("e2e-app")
	tm.keys("Tab")
	tm.text("http://127.0.0.1:9999/callback")
	tm.keys("C-s")
	screen0 := tm.waitFor("Created app e2e-app", "Client ID", "Callback (default)  http://127.0.0.1:9999/callback")

	// Copy the client id: OSC 52 reaches the terminal (tmux keeps it as a buffer, P8).
	clientID := fieldAfter(screen0, "Client ID")
	tm.run("set-option", "-s", "set-clipboard", "on")
	tm.keys("c")
	tm.waitFor("Copied client id")
	if got := strings.TrimSpace(tm.run("show-buffer")); got != clientID {
		t.Fatalf("clipboard holds %q, want the client id %q", got, clientID)
	}

	tm.keys("n")
	masked := tm.waitFor("New client secret", "••••")
	tm.keys("v")
	fullRE := regexp.MustCompile(`coder_[0-9A-Za-z]{10}_[0-9A-Za-z]{20,}`)
	var full, revealed string
	for deadline := time.Now().Add(10 * time.Second); full == "" && time.Now().Before(deadline); {
		revealed = tm.capture()
		if full = fullRE.FindString(revealed); full == "" {
			time.Sleep(50 * time.Millisecond) // polling the pane for a condition
		}
	}
	if full == "" {
		t.Fatalf("no full secret after reveal:\n%s", revealed)
	}
	// Masked, only the public lookup prefix shows (as Coder's own list does).
	if strings.Contains(masked, full) || !strings.Contains(masked, full[:len("coder_")+10]+"_••••") {
		t.Fatalf("secret shown before reveal, or not its public prefix:\n%s", masked)
	}
	tm.keys("Enter")
	tm.waitFor("Secret", "Never")

	tm.keys("D")
	tm.waitFor("Delete app e2e-app?", "every access and refresh token")
	tm.keys("y")
	tm.waitFor("Deleted app e2e-app", "16 of 16")

	tm.keys("q")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s; screen:\n%s", code, tm.capture())
	}
	tm.requireRestored()
}

// TestE2EResizeBelowMinimum shrinks the window under the minimum and back.
func TestE2EResizeBelowMinimum(t *testing.T) {
	t.Parallel()
	bin := oauthdeckBinary(t)
	tm := startTmux(t, 100, 30, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, bin, "demo")
	tm.waitFor("1 Deployments", "admin@127.0.0.1")
	tm.run("resize-window", "-t", "e2e", "-x", "40", "-y", "12")
	tm.waitFor("Terminal too small")
	tm.run("resize-window", "-t", "e2e", "-x", "80", "-y", "24")
	tm.waitFor("1 Deployments", "admin@127.0.0.1")
	tm.keys("C-c")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	tm.requireRestored()
}

// TestE2EDemoCompatProfiles starts the demo on each older profile: the
// console reaches the deployment and shows the version the sandbox answers.
func TestE2EDemoCompatProfiles(t *testing.T) {
	t.Parallel()
	bin := oauthdeckBinary(t)
	for _, c := range []struct{ compat, version string }{{"v2.36", "v2.36.0"}, {"v2.37", "v2.36.0"}, {"v2.30", "v2.30.0"}} {
		t.Run(c.compat, func(t *testing.T) {
			tm := startTmux(t, 100, 30, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, bin, "demo", "--compat", c.compat)
			tm.waitFor("1 Deployments", "version       "+c.version, "provider enabled")
			tm.keys("2")
			tm.waitFor("cli-tool", "16 of 16")
			tm.keys("q")
			if code := tm.exitCode(); code != "0" {
				t.Fatalf("exit code %s; screen:\n%s", code, tm.capture())
			}
			tm.requireRestored()
		})
	}
}

// BenchmarkE2EStartToFirstFrame reports how long the binary takes from
// launch to the first frame on screen in tmux, next to a baseline measured in
// the same run: sh printing the same text, which costs the tmux start and the
// 2 ms polling alone. Run it with
// go test -run '^$' -bench E2EStartToFirstFrame -benchtime 3x ./ui
func BenchmarkE2EStartToFirstFrame(b *testing.B) {
	bin := oauthdeckBinary(b)
	for _, c := range []struct {
		name string
		argv []string
		quit string
	}{
		{"baseline-sh", []string{"sh", "-c", "echo '1 Deployments'; read x"}, "Enter"},
		{"oauthdeck", []string{bin}, "C-c"},
		{"oauthdeck-demo", []string{bin, "demo"}, "C-c"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				tm := startTmux(b, 100, 30, []string{"OAUTHDECK_CONFIG_DIR=" + b.TempDir(), "DBUS_SESSION_BUS_ADDRESS="}, c.argv...)
				tm.Poll = 2 * time.Millisecond
				tm.waitForWithin(10*time.Second, "1 Deployments")
				b.StopTimer()
				tm.keys(c.quit)
				tm.exitCode()
				b.StartTimer()
			}
		})
	}
}

// TestE2EKeyringLoginPersists logs in through the console with the real OS
// keyring, quits, starts again and is still logged in. It needs a Secret
// Service (gnome-keyring in CI); elsewhere it skips, in CI it fails.
func TestE2EKeyringLoginPersists(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	service := testenv.KeyringService(t)
	store := keyring.NewOS(service, 5*time.Second)
	if err := keyring.Probe(ctx, store); err != nil {
		testenv.Missing(t, "the OS keyring", testenv.KeyringInstall, err)
	}
	srv, err := sandbox.Start(ctx, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	key, _ := keyring.SessionKey(srv.URL())
	t.Cleanup(func() { _ = store.Delete(context.Background(), key) })

	bin := oauthdeckBinary(t)
	env := []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir(), "OAUTHDECK_KEYRING_SERVICE=" + service, "CODER_URL=", "CODER_SESSION_TOKEN="}
	tm := startTmux(t, 110, 30, env, bin)
	tm.waitFor("None saved yet")
	tm.keys("n")
	tm.waitFor("Add a deployment")
	tm.text(srv.URL())
	tm.keys("Tab", "Tab")
	tm.paste(srv.AdminSessionToken())
	tm.keys("C-s")
	tm.waitFor("Signed in to "+srv.URL(), "OS keyring")
	if strings.Contains(tm.capture(), srv.AdminSessionToken()) {
		t.Fatal("the session token is on screen")
	}
	tm.keys("q")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	if got, err := store.Get(ctx, key); err != nil || got != srv.AdminSessionToken() {
		t.Fatalf("keyring after login: %v", err)
	}

	start := time.Now()
	tm2 := startTmux(t, 110, 30, env, bin)
	tm2.Poll = 2 * time.Millisecond
	tm2.waitFor("1 Deployments")
	firstFrame := time.Since(start)
	tm2.waitFor("In use: "+srv.URL(), "admin@", "OS keyring")
	t.Logf("start to first frame with a saved deployment and the OS keyring: %.0f ms; logged in after %.0f ms",
		float64(firstFrame)/float64(time.Millisecond), float64(time.Since(start))/float64(time.Millisecond))
	tm2.keys("2")
	tm2.waitFor("OAuth2 apps")
	tm2.keys("q")
	tm2.exitCode()
	tm2.requireRestored()
}

// fieldAfter returns the first word after label on the screen.
func fieldAfter(screen, label string) string {
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, label); i >= 0 {
			if f := strings.Fields(l[i+len(label):]); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

// TestE2ENoticesLogAfterItFaded: as a person would: a notice shows in the
// status bar, fades after its few seconds, and is still in the notices log
// (!) with its time.
func TestE2ENoticesLogAfterItFaded(t *testing.T) {
	t.Parallel()
	bin := oauthdeckBinary(t)
	tm := startTmux(t, 100, 30, []string{"OAUTHDECK_CONFIG_DIR=" + t.TempDir()}, bin, "demo")
	tm.waitFor("1 Deployments", "admin@127.0.0.1")
	tm.keys("4")
	tm.waitFor("Guided authorization-code flow")
	tm.keys("n")
	tm.waitFor("Set up an authorization-code flow")
	tm.keys("C-s")
	tm.waitFor("Flow ready")
	tm.keys("c") // copy the authorization URL before there is one: an info notice
	tm.waitFor("No authorization URL yet")
	// An info notice stays 4 s; wait until the status bar no longer has it.
	deadline := time.Now().Add(15 * time.Second)
	for strings.Contains(tm.capture(), "No authorization URL yet") {
		if time.Now().After(deadline) {
			t.Fatalf("the notice never faded:\n%s", tm.capture())
		}
		time.Sleep(200 * time.Millisecond)
	}
	tm.keys("!")
	tm.waitFor("Notices", "No authorization URL yet")
	tm.keys("q")
	tm.waitFor("Flow  new app", "Token inspector") // back on the flow (its "Flow ready" notice faded)
	tm.keys("C-c")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	tm.requireRestored()
}
