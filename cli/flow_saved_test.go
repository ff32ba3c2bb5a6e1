package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

// flow --save writes the run without secrets; --replay on the same kind of
// server says every step is as recorded (exit 0). A saved flow with PKCE
// dropped, recorded as refused on 2.38, replayed on v2.30 (PKCE optional)
// names the authorize step and exits 1. (The file is in the form recorded
// before refusals had their own status: a failure with the same code still
// counts as the same outcome.)
func TestFlowSaveAndReplay(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	h := newHarness(t)
	h.loginEnv(srv)
	file := filepath.Join(t.TempDir(), "flow.json")
	r := h.run("", "flow", "--create-app", "--auto-consent", "--cleanup", "--port", testenv.LoopbackPort(t), "--save", file)
	if r.code != 0 || !strings.Contains(r.stderr, "Saved the flow") {
		t.Fatalf("flow --save: exit %d\n%s", r.code, r.stderr)
	}
	text, _ := os.ReadFile(file)
	if !strings.Contains(string(text), `"format": "oauthdeck-flow/1"`) || strings.Contains(string(text), "coder_") {
		t.Fatalf("saved:\n%s", text)
	}
	r = h.run("", "flow", "--replay", file, "--port", testenv.LoopbackPort(t))
	if r.code != 0 || !strings.Contains(r.stderr, "as recorded") {
		t.Fatalf("replay: exit %d\n%s", r.code, r.stderr)
	}

	noPKCE := filepath.Join(t.TempDir(), "no-pkce.json")
	_ = os.WriteFile(noPKCE, []byte(`{"format":"oauthdeck-flow/1","setup":{"client_mode":"create","consent":"auto"},"steps":[
		{"step":"discover","expect":{"status":"passed"}},
		{"step":"client","expect":{"status":"passed"}},
		{"step":"prepare","expect":{"status":"passed"}},
		{"step":"authorize","edits":[{"op":"delete","where":"param","name":"code_challenge"},{"op":"delete","where":"param","name":"code_challenge_method"}],
		 "expect":{"status":"failed","error":"invalid_request"}}]}`), 0o600)
	if r = h.run("", "flow", "--replay", noPKCE, "--port", testenv.LoopbackPort(t)); r.code != 0 {
		t.Fatalf("the refusal replayed on 2.38: exit %d\n%s", r.code, r.stderr)
	}
	old := startSandbox(t, sandbox.Options{Compat: sandbox.CompatV230})
	h.loginEnv(old)
	r = h.run("", "flow", "--replay", noPKCE, "--port", testenv.LoopbackPort(t))
	if r.code != 1 || !strings.Contains(r.stderr, "✗ authorize") || !strings.Contains(r.stderr, "recorded failed (invalid_request), now warned") ||
		!strings.Contains(r.stderr, "accepted an authorization request without PKCE") {
		t.Fatalf("replay on v2.30: exit %d\n%s", r.code, r.stderr)
	}
	if msg := h.fail(2, "", "flow", "--replay", file, "--save", file); !strings.Contains(msg, "exclude") {
		t.Fatal(msg)
	}
}
