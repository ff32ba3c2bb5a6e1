package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"oauthdeck/flows"
)

// fromSaved fills the options a saved flow decides, where the command line
// did not: the client mode (an existing app still needs --client-id), the
// consent (automatic if it was), scope, resource and client authentication.
func (o flowOptions) fromSaved() flowOptions {
	sf := o.replayed
	if o.clientID == "" && !o.createApp && !o.register {
		switch sf.Setup.ClientMode {
		case flows.ClientRegister:
			o.register = true
		case flows.ClientCreate:
			o.createApp = true
		}
	}
	if sf.Setup.Consent == flows.ConsentAuto && !o.noBrowser && o.consentCmd == "" {
		o.autoConsent = true
	}
	if o.scope == "" {
		o.scope = sf.Setup.Scope
	}
	o.noResource = o.noResource || sf.Setup.NoResource && o.resource == ""
	if o.authMethod == "" {
		o.authMethod = map[flows.AuthMethod]string{flows.AuthBasic: "basic", flows.AuthPost: "post", flows.AuthNone: "none"}[sf.Setup.AuthMethod]
	}
	o.cleanup = true // a replay leaves nothing behind
	return o
}

func readSavedFlow(path string) (flows.SavedFlow, error) {
	f, err := os.Open(path)
	if err != nil {
		return flows.SavedFlow{}, err
	}
	defer func() { _ = f.Close() }()
	return flows.ReadSaved(f)
}

func saveFlow(path string, flow *flows.Flow) error {
	sf, ok := flow.Saved(time.Now())
	if !ok {
		return fmt.Errorf("no step ran")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := flows.WriteSaved(f, sf); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// replayFlow runs a saved flow again and says, step by step, whether each
// outcome is the recorded one; exit 1 when one differs.
func (a *app) replayFlow(ctx context.Context, w io.Writer, flow *flows.Flow, sf flows.SavedFlow) error {
	fmt.Fprintf(w, "Replaying %d steps recorded on %s at %s\n", len(sf.Steps), sf.Server, sf.SavedAt.Local().Format("2006-01-02 15:04"))
	differ := 0
	results := flow.Replay(ctx, sf, func(r flows.Replayed) {
		if r.Same {
			fmt.Fprintf(w, "  ✓ %-9s %s, as recorded\n", r.Step, r.Got)
			return
		}
		differ++
		fmt.Fprintf(w, "  ✗ %-9s recorded %s, now %s: %s\n", r.Step, r.Expected, r.Got, r.Verdict)
	})
	if err := flow.Close(); err != nil {
		fmt.Fprintf(w, "! closing the flow: %s\n", oneLine(err))
	}
	if n := len(sf.Steps) - len(results); n > 0 {
		fmt.Fprintf(w, "  %d later steps not run: they depended on the step that failed\n", n)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if differ > 0 {
		return &exitError{code: ExitFailure, err: fmt.Errorf("%d of %d replayed steps differ from the recording", differ, len(results))}
	}
	fmt.Fprintf(w, "All %d steps as recorded.\n", len(results))
	return nil
}
