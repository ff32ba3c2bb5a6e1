package flows

import (
	"slices"
	"testing"

	"oauthdeck/sandbox"
)

// The table is coherent: unique ids, every step runs, prerequisites come
// earlier, and an editable step has a request to edit.
func TestStepTableIsCoherent(t *testing.T) {
	t.Parallel()
	seen := map[StepID]int{}
	for i, d := range Steps() {
		if _, dup := seen[d.ID]; dup {
			t.Errorf("step %s listed twice", d.ID)
		}
		seen[d.ID] = i
		if d.run == nil || d.Title == "" || d.Purpose == "" {
			t.Errorf("step %s lacks a run function, title or purpose", d.ID)
		}
		if d.Needs != "" {
			if j, ok := seen[d.Needs]; !ok || j >= i {
				t.Errorf("step %s needs %s, which does not come before it", d.ID, d.Needs)
			}
		}
		if d.Editable && d.request == nil {
			t.Errorf("step %s is editable but sends no request", d.ID)
		}
	}
	if !slices.Equal(StepIDs()[:2], []StepID{StepDiscover, StepClient}) {
		t.Errorf("StepIDs() = %v", StepIDs())
	}
}

// Snapshot.TokensDead follows the engine: false after the exchange and a
// refresh, true only once revoke proved the tokens dead, false again when a
// new attempt clears the tokens.
func TestSnapshotTokensDead(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	f, err := New(Config{Client: env.c, Recorder: env.rec, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := testCtx(t)
	run := func(id StepID, wantDead bool) {
		t.Helper()
		if res := f.Run(ctx, id); res.Status == StatusFailed {
			t.Fatalf("%s failed: %v", id, res.Err)
		}
		if got := f.Snapshot().TokensDead; got != wantDead {
			t.Fatalf("after %s TokensDead = %v, want %v", id, got, wantDead)
		}
	}
	for _, id := range []StepID{StepDiscover, StepClient, StepPrepare, StepAuthorize, StepExchange, StepRefresh} {
		run(id, false)
	}
	run(StepRevoke, true)
	run(StepPrepare, false)
	if s := f.Snapshot(); s.Tokens != nil {
		t.Fatalf("prepare kept the old tokens: %+v", s.Tokens)
	}
}

// The form's check and the listener accept exactly the same redirect URIs.
func TestListenerURIProblemIsTheListenersRule(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"http://127.0.0.1:9876/callback", "http://localhost:0/cb", "http://[::1]:1/x",
		"https://127.0.0.1:9876/cb", "http://127.0.0.1/cb", "http://127.0.0.2:9/cb", "http://example.com:80/cb",
		"http://127.0.0.1:99999/cb", "not a url"} {
		_, _, err := parseLoopbackURI(raw)
		if problem := ListenerURIProblem(raw); (problem == "") != (err == nil) {
			t.Errorf("%q: form says %q, listener says %v", raw, problem, err)
		}
	}
}
