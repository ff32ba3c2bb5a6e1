package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"oauthdeck/sandbox/fositeas"
)

// --consent-command against an independent server: curl follows the
// authorization server's redirect to the real loopback listener; a failing
// command ends the step with its status and (sanitised) output; one that
// succeeds without delivering leaves the wait to its deadline and says so.
func TestFlowConsentCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, command string
		timeout       time.Duration
		wantStatus    string // "" = the flow authorizes
		wantOutput    string
		wantWaitErr   bool
	}{
		{name: "curl follows to the listener", command: `curl -sf -o /dev/null -L "$OAUTHDECK_AUTH_URL"`, timeout: 20 * time.Second},
		{name: "fails", command: `echo "no robot here" >&2; exit 3`, timeout: 20 * time.Second, wantStatus: "exit status 3", wantOutput: "no robot here"},
		{name: "hostile output", command: `printf '\033]0;owned\007\033[2Jline'; exit 1`, timeout: 20 * time.Second, wantStatus: "exit status 1", wantOutput: "line"},
		{name: "succeeds without delivering", command: `true`, timeout: time.Second, wantStatus: "exit status 0", wantWaitErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := startFositeWith(t, fositeas.Options{AutoApprove: true, Introspection: true})
			f, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: fositeClientID, ClientSecret: fositeSecret,
				Consent: ConsentCommand, ConsentCommand: tc.command, CallbackURL: "http://127.0.0.1:0/callback", ListenTimeout: tc.timeout})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ctx := testCtx(t)
			for _, id := range []StepID{StepDiscover, StepClient, StepPrepare} {
				if r := f.Run(ctx, id); r.Status == StatusFailed {
					t.Fatalf("%s: %v", id, r.Err)
				}
			}
			r := f.Run(ctx, StepAuthorize)
			if tc.wantStatus == "" {
				if r.Status != StatusPassed {
					t.Fatalf("authorize: %s %v", r.Status, r.Err)
				}
				if ex := f.Run(ctx, StepExchange); ex.Status != StatusPassed {
					t.Fatalf("exchange: %s %v", ex.Status, ex.Err)
				}
				return
			}
			var ce *ConsentCommandError
			if !errors.As(r.Err, &ce) {
				t.Fatalf("authorize err = %v, want a ConsentCommandError", r.Err)
			}
			if ce.Status != tc.wantStatus || !strings.Contains(ce.Output, tc.wantOutput) {
				t.Errorf("status %q output %q, want %q and %q", ce.Status, ce.Output, tc.wantStatus, tc.wantOutput)
			}
			if (ce.Err != nil) != tc.wantWaitErr {
				t.Errorf("wait error %v, want one: %v", ce.Err, tc.wantWaitErr)
			}
			if strings.ContainsAny(r.Err.Error(), "\x1b\x07") {
				t.Errorf("the command's output reached the error unsanitised: %q", r.Err.Error())
			}
			if r.Explain == nil || r.Explain.Code != "consent-command" {
				t.Errorf("explanation %+v", r.Explain)
			}
		})
	}
}

func TestConsentCommandNeedsItsMode(t *testing.T) {
	t.Parallel()
	_, c := startFositeWith(t, fositeas.Options{})
	if _, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: "x", Consent: ConsentCommand}); err == nil {
		t.Error("ConsentCommand mode without a command was accepted")
	}
	if _, err := New(Config{Client: c, ClientMode: ClientExisting, ClientID: "x", ConsentCommand: "true"}); err == nil {
		t.Error("a command without ConsentCommand mode was accepted")
	}
}
