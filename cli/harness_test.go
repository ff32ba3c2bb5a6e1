package cli_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"oauthdeck/cli"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
)

// harness runs oauthdeck in-process with a private environment: a temp
// config dir and HOME, and an in-memory keyring, so a test never touches the
// developer's real keyring or config.
type harness struct {
	t     *testing.T
	env   map[string]string
	store keyring.Store
	dir   string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	return &harness{
		t:     t,
		dir:   dir,
		store: keyring.NewMemory(),
		env: map[string]string{
			"OAUTHDECK_CONFIG_DIR": dir + "/config",
			"HOME":                 dir + "/home",
			"XDG_CONFIG_HOME":      dir + "/home/.config",
			"NO_COLOR":             "1",
		},
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	return h.runCtx(context.Background(), stdin, args...)
}

func (h *harness) runCtx(ctx context.Context, stdin string, args ...string) result {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	stdio := cli.IO{
		In:  strings.NewReader(stdin),
		Out: &out,
		Err: &errb,
		Env: func(k string) string { return h.env[k] },
	}
	if h.store != nil {
		stdio.Keyring = h.store // nil: the real OS keyring (only TestLoginRealOSKeyring)
	}
	code := cli.Main(ctx, args, stdio)
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// ok runs a command that must succeed and returns its stdout.
func (h *harness) ok(stdin string, args ...string) string {
	h.t.Helper()
	r := h.run(stdin, args...)
	if r.code != 0 {
		h.t.Fatalf("oauthdeck %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fail runs a command that must fail with code and a one-line error; it
// returns that line.
func (h *harness) fail(code int, stdin string, args ...string) string {
	h.t.Helper()
	r := h.run(stdin, args...)
	if r.code != code {
		h.t.Fatalf("oauthdeck %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "oauthdeck: ") {
		h.t.Fatalf("oauthdeck %s: error is not one 'oauthdeck: ...' line:\n%s", strings.Join(args, " "), r.stderr)
	}
	return last
}

// loginEnv points the harness at srv through the environment.
func (h *harness) loginEnv(srv *sandbox.Server) {
	h.env["CODER_URL"] = srv.URL()
	h.env["CODER_SESSION_TOKEN"] = srv.AdminSessionToken()
}

func startSandbox(t *testing.T, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// clock is a settable clock for the sandbox (session expiry).
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("output lacks %q:\n%s", w, got)
		}
	}
}

func mustNotContain(t *testing.T, got string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if b != "" && strings.Contains(got, b) {
			t.Fatalf("output contains %q:\n%s", b, got)
		}
	}
}
