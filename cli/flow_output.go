package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// What a headless flow prints: each step on stderr, the tokens on stdout,
// and the error a failed step ends the command with.

// readPastedRedirect lets an SSH user paste the redirect URL instead of
// waiting for the browser to reach the listener.
func (a *app) readPastedRedirect(w io.Writer, flow *flows.Flow) {
	fmt.Fprintln(w, "  or paste the redirect URL from the browser's address bar here:")
	line, err := bufio.NewReader(io.LimitReader(a.io.In, maxSecretInput)).ReadString('\n')
	if err != nil && line == "" {
		return
	}
	if err := flow.PasteRedirect(strings.TrimSpace(line)); err != nil {
		fmt.Fprintf(w, "  ! %s\n", oneLine(err))
	}
}

// printStep reports a finished step on stderr: verdict, fields, findings,
// and for a failure the error with its explanation.
func (a *app) printStep(w io.Writer, res flows.StepResult, reveal bool) {
	fmt.Fprintf(w, "  %s %s", strings.ToUpper(string(res.Status)), res.Step)
	if res.Verdict != "" {
		fmt.Fprintf(w, ": %s", safe.Line(res.Verdict))
	}
	fmt.Fprintln(w)
	for _, f := range res.Fields {
		v := f.Value
		if reveal && f.Secret {
			v = f.Reveal()
		}
		fmt.Fprintf(w, "    %s: %s\n", safe.Line(f.Label), safe.Line(v))
	}
	for _, f := range res.Findings {
		if f.Severity == flows.SeverityPass {
			continue
		}
		fmt.Fprintf(w, "    %s %s", strings.ToUpper(string(f.Severity)), safe.Line(f.Message))
		if f.Basis != "" {
			fmt.Fprintf(w, " [%s]", safe.Line(f.Basis))
		}
		fmt.Fprintln(w)
	}
	if res.Err != nil {
		if msg := oneLine(res.Err); msg != safe.Line(res.Verdict) {
			fmt.Fprintf(w, "    error: %s\n", msg)
		}
		if ex := res.Explain; known(ex) {
			fmt.Fprintf(w, "    cause: %s\n    fix: %s\n", safe.Line(ex.Cause), safe.Line(ex.Fix))
			if ex.Basis != "" {
				fmt.Fprintf(w, "    basis: %s\n", safe.Line(ex.Basis))
			}
		}
	}
}

func flowFailure(res flows.StepResult) error {
	msg := "the " + string(res.Step) + " step failed"
	if res.Err != nil {
		msg += ": " + res.Err.Error()
	} else if res.Verdict != "" {
		msg += ": " + res.Verdict
	}
	if ex := res.Explain; known(ex) && ex.Fix != "" {
		msg += " — " + ex.Fix
	}
	return errors.New(msg)
}

// known reports whether an explanation adds to the error itself.
func known(ex *flows.Explanation) bool {
	return ex != nil && ex.Code != "" && ex.Code != "unknown" && ex.Code != "error" // the generic fallbacks
}

// flowJSON is `oauthdeck flow -o json`.
type flowJSON struct {
	Deployment string     `json:"deployment"`
	Issuer     string     `json:"issuer,omitempty"` // differs from the deployment when --target leads elsewhere
	ClientID   string     `json:"client_id"`
	Resource   string     `json:"resource,omitempty"`
	Tokens     tokensJSON `json:"tokens"`
}

func (a *app) writeFlowTokens(url string, snap flows.Snapshot, t flows.Tokens, o flowOptions) error {
	if o.output != "json" {
		return writeTokens(a.io.Out, t, o.reveal, "text")
	}
	return writeJSON(a.io.Out, flowJSON{Deployment: url, Issuer: snap.Issuer, ClientID: snap.ClientID,
		Resource: snap.Resource, Tokens: tokenView(t, o.reveal)})
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
