package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// rotateApp seeds an app with one secret, used an hour ago.
func rotateApp(t *testing.T, compat sandbox.Compat) (*sandbox.Server, *harness, string) {
	t.Helper()
	srv := startSandbox(t, sandbox.Options{Compat: compat})
	id, _ := srv.Seed(sandbox.AppSeed{Name: "rotate-me", RedirectURIs: []string{"http://127.0.0.1:9876/callback"},
		Secrets: []sandbox.SecretSeed{{LastUsed: time.Now().Add(-time.Hour)}}})
	h := newHarness(t)
	h.loginEnv(srv)
	return srv, h, id
}

func secretTails(t *testing.T, h *harness, appID string) string {
	t.Helper()
	return h.ok("", "apps", "secrets", "list", appID)
}

// Stage by stage (--step), as a stopped and resumed run: create (the
// secret on stdout, nothing else), prove (the secret piped on stdin, as it
// was not kept), hand over, finish. At the end one secret is left, the new
// one; finishing before the proof, or a second rotation's --finish after
// the end, is refused.
func TestRotateStageByStage(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			_, h, id := rotateApp(t, compat)
			r := h.run("", "apps", "secrets", "rotate", id, "--step")
			secret := strings.TrimSpace(r.stdout)
			if r.code != 0 || !strings.HasPrefix(secret, "coder_") || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stderr, "1/4 created") {
				t.Fatalf("create: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if msg := h.fail(1, "", "apps", "secrets", "rotate", id, "--finish", "--yes"); !strings.Contains(msg, "not proven") {
				t.Fatalf("finish before proof: %s", msg)
			}
			if msg := h.fail(1, "coder_abcdefghij_wrongwrongwrongwrong\n", "apps", "secrets", "rotate", id, "--step"); !strings.Contains(msg, "not the new secret") {
				t.Fatalf("a wrong secret: %s", msg)
			}
			r = h.run(secret+"\n", "apps", "secrets", "rotate", id, "--step")
			if r.code != 0 || !strings.Contains(r.stderr, "2/4 proven") {
				t.Fatalf("prove: exit %d\n%s", r.code, r.stderr)
			}
			r = h.run("", "apps", "secrets", "rotate", id)
			if r.code != 0 || !strings.Contains(r.stderr, "3/4 hand-over") || !strings.Contains(r.stderr, "…"+secret[len(secret)-6:]) {
				t.Fatalf("hand-over: exit %d\n%s", r.code, r.stderr)
			}
			if compat == sandbox.CompatV230 && !strings.Contains(r.stderr, "does not record") {
				t.Fatalf("v2.30 hand-over does not say use is not recorded:\n%s", r.stderr)
			}
			r = h.run("", "apps", "secrets", "rotate", id, "--finish", "--yes")
			if r.code != 0 || !strings.Contains(r.stderr, "4/4 done") {
				t.Fatalf("finish: exit %d\n%s", r.code, r.stderr)
			}
			list := secretTails(t, h, id)
			if strings.Count(list, "•••••") != 1 || !strings.Contains(list, secret[len(secret)-6:]) {
				t.Fatalf("secrets after the rotation:\n%s", list)
			}
			h.fail(1, "", "apps", "secrets", "rotate", id, "--finish", "--yes")
		})
	}
}

// One run with --keep goes as far as the hand-over (the kept secret proves
// itself); --abort then deletes the new secret and the old one stays.
func TestRotateKeepThenAbort(t *testing.T) {
	t.Parallel()
	_, h, id := rotateApp(t, sandbox.CompatMain)
	before := secretTails(t, h, id)
	r := h.run("", "apps", "secrets", "rotate", id, "--keep")
	if r.code != 0 || !strings.Contains(r.stderr, "2/4 proven") || !strings.Contains(r.stderr, "3/4 hand-over") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if got := secretTails(t, h, id); strings.Count(got, "•••••") != 2 {
		t.Fatalf("during the rotation:\n%s", got)
	}
	h.fail(2, "", "apps", "secrets", "rotate", id, "--abort") // no terminal to confirm on, no --yes
	h.ok("", "apps", "secrets", "rotate", id, "--abort", "--yes")
	if got := secretTails(t, h, id); got != before {
		t.Fatalf("after abort:\n%s\nwant:\n%s", got, before)
	}
}

// --watch refreshes the hand-over until the new secret is used after the
// proof (here by a flow with it), then says the clients have moved and
// stops by itself.
func TestRotateWatchSeesTheClientsMove(t *testing.T) {
	t.Parallel()
	_, h, id := rotateApp(t, sandbox.CompatMain)
	secret := strings.TrimSpace(h.ok("", "apps", "secrets", "rotate", id, "--step"))
	if r := h.run(secret+"\n", "apps", "secrets", "rotate", id, "--step"); r.code != 0 {
		t.Fatalf("prove: exit %d\n%s", r.code, r.stderr)
	}
	watched := make(chan result, 1)
	go func() {
		watched <- h.runCtx(context.Background(), "", "apps", "secrets", "rotate", id, "--watch", "--interval", "1s")
	}()
	// Last use is kept to the second: the client's use must fall after the proof's.
	time.Sleep(1100 * time.Millisecond)
	if r := h.run(secret+"\n", "flow", "--client-id", id, "--client-secret-stdin", "--auto-consent", "--port", testenv.LoopbackPort(t)); r.code != 0 {
		t.Fatalf("flow with the new secret: exit %d\n%s", r.code, r.stderr)
	}
	select {
	case r := <-watched:
		if r.code != 0 || !strings.Contains(r.stderr, "Not moved yet") || !strings.Contains(r.stderr, "the clients have moved") {
			t.Fatalf("watch: exit %d\n%s", r.code, r.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("--watch did not see the clients move within 30 s")
	}
}
