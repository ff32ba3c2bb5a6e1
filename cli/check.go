package cli

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"os"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/flows/check"
)

type checkOptions struct {
	output, resource string
	baseline         string   // a previous run's -o json, to compare with
	spec             string   // an MCP specification version: report only its checks
	mcp              string   // the MCP endpoint the mcp.* checks probe
	clientProfiles   []string // emulate these real clients instead of running the suite
	compare          string   // a second deployment to run against and compare with
	noBypass         bool
	// Generic mode: a client registered at any authorization server.
	clientID, authMethod, redirectURI, consentCmd string
	secretStdin                                   bool
}

func (a *app) checkCommand() *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [URL]",
		Short: "Run the conformance checks (flow, negative probes) against a deployment's OAuth2 provider, or any authorization server",
		Long: `Run the whole authorization-code chain plus negative probes against the
deployment and report each check (pass, fail, warn, skip) with its evidence and
the RFC or spec section it rests on. The suite creates its own apps with the
admin session and deletes them at the end, also when interrupted.

With --client-id it runs against any standards-following authorization server
(generic mode), with no Coder session: it uses that client (registered with
--redirect-uri, a loopback URI), authenticates as --auth-method says, and gets
each authorization from --consent-command, which receives the URL in
OAUTHDECK_AUTH_URL and must bring a user agent to the redirect URI. Checks that
need Coder (a second client from its apps API, its API or MCP endpoint as the
resource server) are skipped with that reason.

On Coder 2.38+, which rate-limits every /oauth2 endpoint to 60 requests a
minute, an owner's session sends X-Coder-Bypass-Ratelimit; without it (or with
--no-rate-limit-bypass) the suite waits on each 429's Retry-After, says so, and
reports how long it waited. The report counts the requests per endpoint.

Exit status: 0 when nothing failed, 1 when a check failed, 2 when the run could
not be carried out (usage, no session, no connection).

--baseline FILE compares the run with a saved one (check -o json > FILE) and
prints on stderr what changed: new failures, fixed, new checks, checks skipped
now, removed. --compare URL_B runs the suite against a second deployment too and
compares B with this one. With either, the exit status is about the change: 1
when something fails that did not before, else 0.`,
		Example: `  oauthdeck check
  oauthdeck check -o json > before.json   # then upgrade, and:
  oauthdeck check --baseline before.json
  oauthdeck check https://coder-a.example --compare https://coder-b.example
  oauthdeck check https://idp.example --client-id my-app --client-secret-stdin --auth-method basic \
      --redirect-uri http://127.0.0.1:9876/callback \
      --consent-command 'curl -s -o /dev/null -L "$OAUTHDECK_AUTH_URL"' < secret.txt`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), firstArg(args), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.resource, "resource", "", "RFC 8707 resource to ask tokens for (default: the deployment URL on Coder; none in generic mode)")
	f.StringArrayVar(&o.clientProfiles, "client-profile", nil, "emulate a real client instead of running the suite: "+clientProfileNames()+", or all (repeatable); exit 1 when one breaks")
	f.StringVar(&o.mcp, "mcp", "", "the MCP endpoint the mcp.* checks probe (default: Coder's /api/experimental/mcp/http)")
	f.StringVar(&o.spec, "spec", "", "report and grade only the checks that count for this MCP specification version ("+strings.Join(check.MCPVersions, ", ")+")")
	f.StringVar(&o.baseline, "baseline", "", "compare with a saved run (check -o json); exit 1 only on a new failure")
	f.StringVar(&o.compare, "compare", "", "also run against this deployment and compare it with the first; exit 1 only on a new failure")
	f.BoolVar(&o.noBypass, "no-rate-limit-bypass", false, "do not send the owner's X-Coder-Bypass-Ratelimit; pace on Retry-After instead")
	f.StringVar(&o.clientID, "client-id", "", "generic mode: the client to run with, registered at the server")
	f.BoolVar(&o.secretStdin, "client-secret-stdin", false, "generic mode: read the client secret from stdin (none: a public client)")
	f.StringVar(&o.authMethod, "auth-method", "", "generic mode: basic, post or none (default: client_secret_basic when the server lists it or lists nothing, RFC 8414 §2)")
	f.StringVar(&o.redirectURI, "redirect-uri", check.DefaultRedirectURI, "generic mode: the client's registered loopback redirect URI, where the suite listens")
	f.StringVar(&o.consentCmd, "consent-command", "", "generic mode: the command that brings a user agent from "+flows.ConsentCommandEnv+" to the redirect URI")
	refuseSecretFlags(cmd, map[string]string{"client-secret": "pipe it with --client-secret-stdin"})
	outputFlag(cmd, &o.output, "text", "json", "junit")
	return cmd
}

// given is generic mode's client, or nil for a Coder run.
func (a *app) given(ctx context.Context, o checkOptions) (*check.GivenClient, error) {
	switch {
	case o.clientID == "" && (o.secretStdin || o.authMethod != "" || o.consentCmd != ""):
		return nil, usagef("--client-secret-stdin, --auth-method and --consent-command go with --client-id (generic mode)")
	case o.clientID == "":
		return nil, nil
	case o.consentCmd == "":
		return nil, usagef("generic mode needs --consent-command: each of the suite's authorizations needs a user agent to reach %s", o.redirectURI)
	}
	method, err := authMethodFlag(o.authMethod, o.secretStdin)
	if err != nil {
		return nil, err
	}
	if problem := flows.ListenerURIProblem(o.redirectURI); problem != "" {
		return nil, usagef("--redirect-uri: %s", problem)
	}
	if u, err := neturl.Parse(o.redirectURI); err != nil || u.Port() == "" || u.Port() == "0" {
		return nil, usagef("--redirect-uri needs the port the client registered: the suite listens there")
	}
	g := &check.GivenClient{ID: o.clientID, Method: method, RedirectURI: o.redirectURI, ConsentCommand: o.consentCmd}
	if o.secretStdin {
		if g.Secret, err = a.readSecretLine(ctx, "client secret", "Client secret (input hidden): "); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func (a *app) runCheck(ctx context.Context, arg string, o checkOptions) error {
	if o.mcp != "" {
		if err := checkHTTPURL(o.mcp); err != nil {
			return usagef("--mcp: %s", err.Error())
		}
	}
	if len(o.clientProfiles) > 0 {
		return a.runClientProfiles(ctx, arg, o)
	}
	var baseline *check.Report
	if o.spec != "" {
		v, err := check.ParseMCPVersion(o.spec)
		if err != nil {
			return usagef("--spec: %v", err)
		}
		o.spec = v
	}
	switch {
	case o.compare != "" && (o.baseline != "" || o.clientID != ""):
		return usagef("--compare runs the suite on two Coder deployments: not with --baseline or --client-id")
	case o.compare != "" && o.mcp != "":
		return usagef("--mcp names one deployment's MCP endpoint: not with --compare, which runs two")
	case o.compare != "" && o.output == "junit":
		return usagef("--compare prints the comparison: -o text or json")
	case o.baseline != "":
		rep, err := readBaseline(o.baseline)
		if err != nil {
			return usagef("--baseline %s: %v", o.baseline, err)
		}
		baseline = &rep
	}
	write := o.output
	if o.compare != "" {
		write = "" // the comparison is the output
	}
	rep, err := a.runSuite(ctx, arg, o, write)
	if err != nil {
		return err
	}
	var cmp check.Comparison
	switch {
	case o.compare != "":
		fmt.Fprintf(a.io.Err, "Now the same suite against %s ...\n", safe.Line(o.compare))
		other, err := a.runSuite(ctx, o.compare, o, "")
		if err != nil {
			return err
		}
		cmp = check.Compare(rep, other)
		if o.output == "json" {
			err = writeJSON(a.io.Out, cmp)
		} else {
			err = check.WriteComparison(a.io.Out, cmp, a.palette(a.io.Out).checkStyles())
		}
		if err != nil {
			return err
		}
	case baseline != nil:
		if o.spec != "" {
			*baseline = check.ForSpec(*baseline, o.spec) // compare like with like
		}
		cmp = check.Compare(*baseline, rep)
		if err := check.WriteComparison(a.io.Err, cmp, a.palette(a.io.Err).checkStyles()); err != nil {
			return err
		}
	default:
		return failedChecks(rep)
	}
	if n := cmp.Regressions(); n > 0 {
		var ids []string
		for _, ch := range cmp.Changes {
			if ch.Kind == check.NewFailure || ch.Kind == check.NewCheck && ch.New == check.Fail {
				ids = append(ids, ch.ID)
			}
		}
		return &exitError{code: ExitFailure, err: fmt.Errorf("%d checks fail that did not before: %s", n, strings.Join(ids, ", "))}
	}
	return nil
}

func readBaseline(path string) (check.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return check.Report{}, err
	}
	defer func() { _ = f.Close() }()
	return check.ReadReport(f)
}

// failedChecks is the exit of a plain run: 1 naming the failed checks.
func failedChecks(rep check.Report) error {
	if !rep.Failed() {
		return nil
	}
	var failed []string
	for _, r := range rep.Checks {
		if r.Status == check.Fail {
			failed = append(failed, r.ID)
		}
	}
	return &exitError{code: ExitFailure, err: fmt.Errorf("%d of %d checks failed: %s",
		len(failed), len(rep.Checks), safe.Line(strings.Join(failed, ", ")))}
}

// runSuite runs the suite against arg's deployment and writes the report
// as output says ("" writes nothing). The error is the run's, with its exit
// status; failed checks are not an error here.
func (a *app) runSuite(ctx context.Context, arg string, o checkOptions, output string) (check.Report, error) {
	given, err := a.given(ctx, o)
	if err != nil {
		return check.Report{}, err
	}
	var c *client.Client
	var url string
	if given != nil {
		cfg, _ := a.loadConfig()
		if url, err = a.deploymentURL(arg, cfg); err != nil {
			return check.Report{}, &exitError{code: ExitUsage, err: err}
		}
		if c, err = client.New(url, "", a.clientOptions()); err != nil {
			return check.Report{}, &exitError{code: ExitUsage, err: err}
		}
		// Reachability first, as below: the metadata must answer.
		if _, err := c.AuthorizationServerMetadata(ctx, ""); err != nil {
			return check.Report{}, &exitError{code: ExitUsage, err: err}
		}
	} else {
		s, err := a.resolveSession(ctx, arg, a.useCoderCLI)
		if err != nil {
			return check.Report{}, &exitError{code: ExitUsage, err: err}
		}
		// Reachability first: a deployment that does not answer is a connection
		// problem (exit 2), not a list of failed checks.
		if _, err := s.client.Me(ctx); err != nil {
			return check.Report{}, &exitError{code: ExitUsage, err: err}
		}
		c, url = s.client, s.url
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
		fmt.Fprintf(a.io.Err, "Checking %s ...", url)
	}
	rep, runErr := check.Run(ctx, check.Config{
		Client:   c,
		Recorder: a.recorder,
		Resource: o.resource,
		OnResult: progress,
		Given:    given,

		NoRateLimitBypass: o.noBypass,
		MCPURL:            o.mcp,
	})
	if live {
		fmt.Fprint(a.io.Err, "\r"+ansi.EraseLineRight)
	}
	if o.spec != "" {
		rep = check.ForSpec(rep, o.spec)
	}
	if len(rep.Checks) > 0 && output != "" {
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
			return rep, werr
		}
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return rep, runErr // reported as an interruption
		}
		return rep, &exitError{code: ExitUsage, err: fmt.Errorf("the check run did not complete: %w", runErr)}
	}
	return rep, nil
}

func checkMark(s check.Status, p palette) string {
	return p.status(s, strings.ToUpper(string(s)))
}
