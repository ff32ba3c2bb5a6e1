package cli_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// tmuxSession is a command in a pane of testenv's tmux server (a real terminal).
type tmuxSession struct {
	*testenv.Tmux
	t *testing.T
}

func newTmux(t *testing.T) *tmuxSession {
	t.Helper()
	return &tmuxSession{Tmux: testenv.NewTmux(t), t: t}
}

func (s *tmuxSession) cmd(stdin string, args ...string) string {
	s.t.Helper()
	return s.RunInput(stdin, args...)
}

func (s *tmuxSession) screen() string { return s.cmd("", "capture-pane", "-p", "-S", "-", "-t", "t") }

// styled is the screen with its SGR sequences kept.
func (s *tmuxSession) styled() string {
	return s.cmd("", "capture-pane", "-p", "-e", "-S", "-", "-t", "t")
}

func (s *tmuxSession) waitFor(want string) string {
	s.t.Helper()
	return s.WaitFor(s.screen, 20*time.Second, want)
}

// TestLoginPromptHidesToken types a token at the interactive prompt in a
// real terminal: it must not be echoed, and login must work. The token
// reaches tmux through a paste buffer loaded from stdin, never an argument.
func TestLoginPromptHidesToken(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := startSandbox(t, sandbox.Options{})
	tm := newTmux(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "secrets.json")
	tm.cmd("", "new-session", "-d", "-s", "t", "-x", "150", "-y", "20",
		"-e", "OAUTHDECK_CONFIG_DIR="+filepath.Join(dir, "cfg"), "-e", "HOME="+dir,
		"sh", "-c", `"$0" login "$1" --keyring-file "$2"; echo "EXIT=$?"; exec sleep 600`, bin, srv.URL(), file)
	tm.waitFor("(input hidden):")
	tm.cmd(srv.AdminSessionToken(), "load-buffer", "-b", "tok", "-")
	tm.cmd("", "paste-buffer", "-b", "tok", "-d", "-t", "t")
	tm.cmd("", "send-keys", "-t", "t", "Enter")
	scr := tm.waitFor("EXIT=")
	mustContain(t, scr, "Logged in to "+srv.URL()+" as admin", "EXIT=0")
	mustNotContain(t, scr, srv.AdminSessionToken())
	data, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(data), srv.AdminSessionToken()) {
		t.Fatalf("the token was not kept in the file: %v", err)
	}
}

// TestTableColourAndNoColor runs 'apps list' on a real terminal: the header
// is bold, and NO_COLOR turns that off. The session reaches the program
// through an env file, never an argument.
func TestTableColourAndNoColor(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	os.WriteFile(envFile, []byte("export CODER_URL="+srv.URL()+" CODER_SESSION_TOKEN="+srv.AdminSessionToken()+"\n"), 0o600)
	for _, noColor := range []string{"", "1"} {
		tm := newTmux(t)
		tm.cmd("", "new-session", "-d", "-s", "t", "-x", "150", "-y", "20",
			"-e", "OAUTHDECK_CONFIG_DIR="+filepath.Join(dir, "cfg"), "-e", "NO_COLOR="+noColor,
			"sh", "-c", `. "$0"; "$1" apps list; echo "EXIT=$?"; exec sleep 600`, envFile, bin)
		tm.waitFor("EXIT=0")
		bold := strings.Contains(tm.styled(), "\x1b[1m")
		if bold != (noColor == "") {
			t.Fatalf("NO_COLOR=%q: bold header = %v\n%q", noColor, bold, tm.styled())
		}
	}
}

// TestFlowPasteRedirect runs 'oauthdeck flow --no-browser' on a real
// terminal as over SSH: the test consents as the browser would but does not
// follow the redirect; it pastes the redirect URL at the prompt instead.
func TestFlowPasteRedirect(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	os.WriteFile(envFile, []byte("export CODER_URL="+srv.URL()+" CODER_SESSION_TOKEN="+srv.AdminSessionToken()+"\n"), 0o600)
	tm := newTmux(t)
	tm.cmd("", "new-session", "-d", "-s", "t", "-x", "250", "-y", "50",
		"-e", "OAUTHDECK_CONFIG_DIR="+filepath.Join(dir, "cfg"), "-e", "HOME="+dir,
		"sh", "-c", `. "$0"; "$1" --keyring-file "$2" flow --create-app --cleanup --no-browser --port "$3"; echo "EXIT=$?"; exec sleep 600`,
		envFile, bin, filepath.Join(dir, "secrets.json"), testenv.LoopbackPort(t))
	tm.waitFor("paste the redirect URL")
	var authURL string
	for _, line := range strings.Split(tm.cmd("", "capture-pane", "-p", "-J", "-S", "-", "-t", "t"), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, srv.URL()+"/oauth2/authorize?") {
			authURL = l
		}
	}
	if authURL == "" {
		t.Fatalf("no authorization URL on screen:\n%s", tm.screen())
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, authURL, nil)
	req.Header.Set("Coder-Session-Token", srv.AdminSessionToken())
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	redirect := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(redirect, "code=") {
		t.Fatalf("consent: %d %q", resp.StatusCode, redirect)
	}
	tm.cmd(redirect, "load-buffer", "-b", "r", "-")
	tm.cmd("", "paste-buffer", "-b", "r", "-d", "-t", "t")
	tm.cmd("", "send-keys", "-t", "t", "Enter")
	scr := tm.waitFor("EXIT=")
	mustContain(t, scr, "PASSED authorize", "PASSED use", "PASSED cleanup", "EXIT=0")
}

// TestDemoStartsAndQuits opens 'oauthdeck demo' on a real terminal, waits
// for the console to show the sandbox, quits with ctrl+c, and checks the
// exit status and that nothing was written to the config directory.
func TestDemoStartsAndQuits(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg")
	tm := newTmux(t)
	tm.cmd("", "new-session", "-d", "-s", "t", "-x", "120", "-y", "35",
		"-e", "OAUTHDECK_CONFIG_DIR="+cfg, "-e", "HOME="+dir,
		"sh", "-c", `"$0" demo; echo "EXIT=$?"; exec sleep 600`, bin)
	tm.waitFor("127.0.0.1:") // the sandbox deployment is on screen
	tm.cmd("", "send-keys", "-t", "t", "C-c")
	mustContain(t, tm.waitFor("EXIT="), "EXIT=0")
	if entries, _ := os.ReadDir(cfg); len(entries) != 0 {
		t.Fatalf("the demo wrote to the config dir: %v", entries)
	}
}

// TestLoginPromptInterrupt presses ctrl+c at the hidden prompt: login must
// stop at once (not wait for Enter), exit 130, and leave echo on.
func TestLoginPromptInterrupt(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	tm := newTmux(t)
	tm.cmd("", "new-session", "-d", "-s", "t", "-x", "150", "-y", "20",
		"-e", "OAUTHDECK_CONFIG_DIR="+filepath.Join(dir, "cfg"), "-e", "HOME="+dir,
		// bash, not sh: dash gives up its script when the child it waits on got SIGINT.
		"bash", "-c", `"$0" login http://127.0.0.1:1 --keyring-file "$1"; echo "EXIT=$?"; stty -a | tr ' ' '\n' | grep -x -- '-*echo' | sed 's/^/MODE=/'; exec sleep 600`,
		bin, filepath.Join(dir, "s.json"))
	tm.waitFor("(input hidden):")
	tm.cmd("", "send-keys", "-t", "t", "C-c")
	scr := tm.waitFor("MODE=")
	mustContain(t, scr, "EXIT=130", "interrupted", "MODE=echo")
}

// TestDeleteAsksOnATerminal answers the delete confirmation on a real
// terminal: "n" keeps the app, "y" deletes it.
func TestDeleteAsksOnATerminal(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	id := strings.Fields(h.ok("", "apps", "create", "--name", "ask-me", "--callback-url", "http://127.0.0.1:9876/cb"))[2]
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	os.WriteFile(envFile, []byte("export CODER_URL="+srv.URL()+" CODER_SESSION_TOKEN="+srv.AdminSessionToken()+"\n"), 0o600)
	for _, answer := range []string{"n", "y"} {
		tm := newTmux(t)
		tm.cmd("", "new-session", "-d", "-s", "t", "-x", "200", "-y", "20", "-e", "OAUTHDECK_CONFIG_DIR="+filepath.Join(dir, "cfg"),
			"bash", "-c", `. "$0"; "$1" apps delete "$2"; echo "EXIT=$?"; exec sleep 600`, envFile, bin, id)
		tm.waitFor("[y/N]")
		tm.cmd("", "send-keys", "-t", "t", "-l", answer)
		tm.cmd("", "send-keys", "-t", "t", "Enter")
		scr := tm.waitFor("EXIT=")
		r := h.run("", "apps", "get", id)
		if answer == "n" {
			mustContain(t, scr, "EXIT=2", "--yes")
			if r.code != 0 {
				t.Fatalf("answering n deleted the app: %s", r.stderr)
			}
		} else {
			mustContain(t, scr, "Deleted app ask-me", "EXIT=0")
			if r.code == 0 {
				t.Fatal("answering y kept the app")
			}
		}
	}
}
