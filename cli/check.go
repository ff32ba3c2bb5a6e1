package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"oauthdeck/client/safe"
	"oauthdeck/flows/check"
)

func (a *app) checkCommand() *cobra.Command {
	var output, resource string
	var noBypass bool
	cmd := &cobra.Command{
		Use:   "check [URL]",
		Short: "Run the conformance checks (flow, negative probes) against a deployment's OAuth2 provider",
		Long: `Run the whole authorization-code chain plus negative probes against the
deployment and report each check (pass, fail, warn, skip) with its evidence and
the RFC or spec section it rests on. The suite creates its own apps with the
admin session and deletes them at the end, also when interrupted.

On Coder 2.38+, which rate-limits every /oauth2 endpoint to 60 requests a
minute, an owner's session sends X-Coder-Bypass-Ratelimit; without it (or with
--no-rate-limit-bypass) the suite waits on each 429's Retry-After, says so, and
reports how long it waited. The report counts the requests per endpoint.

Exit status: 0 when nothing failed, 1 when a check failed, 2 when the run could
not be carried out (usage, no session, no connection).`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), firstArg(args), output, resource, noBypass)
		},
	}
	cmd.Flags().StringVar(&resource, "resource", "", "RFC 8707 resource to ask tokens for (default: the deployment URL)")
	cmd.Flags().BoolVar(&noBypass, "no-rate-limit-bypass", false, "do not send the owner's X-Coder-Bypass-Ratelimit; pace on Retry-After instead")
	outputFlag(cmd, &output, "text", "json", "junit")
	return cmd
}

func (a *app) runCheck(ctx context.Context, arg, output, resource string, noBypass bool) error {
	s, err := a.resolveSession(ctx, arg, a.useCoderCLI)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	// Reachability first: a deployment that does not answer is a connection
	// problem (exit 2), not a list of failed checks.
	if _, err := s.client.Me(ctx); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	// Live progress only on a terminal, as one line rewritten in place: the
	// report itself goes to stdout.
	progress := func(check.Result) {}
	live := isTerminal(a.io.Err)
	if live {
		color := a.palette(a.io.Err)
		n := 0
		progress = func(r check.Result) {
			n++
			fmt.Fprintf(a.io.Err, "\r"+ansi.EraseLineRight+"[%d] %s %s", n, checkMark(r.Status, color), safe.Line(r.ID))
		}
		fmt.Fprintf(a.io.Err, "Checking %s ...", s.url)
	}
	rep, runErr := check.Run(ctx, check.Config{
		Client:   s.client,
		Recorder: a.recorder,
		Resource: resource,
		OnResult: progress,

		NoRateLimitBypass: noBypass,
	})
	if live {
		fmt.Fprint(a.io.Err, "\r"+ansi.EraseLineRight)
	}
	if len(rep.Checks) > 0 {
		var werr error
		switch output {
		case "json":
			werr = check.WriteJSON(a.io.Out, rep)
		case "junit":
			werr = check.WriteJUnit(a.io.Out, rep)
		default:
			werr = check.WriteText(a.io.Out, rep, a.palette(a.io.Out).checkStyles())
		}
		if werr != nil {
			return werr
		}
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return runErr // reported as an interruption
		}
		return &exitError{code: ExitUsage, err: fmt.Errorf("the check run did not complete: %w", runErr)}
	}
	if rep.Failed() {
		var failed []string
		for _, r := range rep.Checks {
			if r.Status == check.Fail {
				failed = append(failed, r.ID)
			}
		}
		return &exitError{code: ExitFailure, err: fmt.Errorf("%d of %d checks failed: %s",
			len(failed), len(rep.Checks), safe.Line(strings.Join(failed, ", ")))}
	}
	return nil
}

func checkMark(s check.Status, p palette) string {
	return p.status(s, strings.ToUpper(string(s)))
}
