package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/keyring"
)

func (a *app) scopesCommand() *cobra.Command {
	return groupCommand("scopes", "The deployment's scope catalogue, and what it grants an app for a scope request, live",
		a.scopesListCommand(), a.scopesTryCommand())
}

func (a *app) scopesListCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the published scope names (scopes_supported) by kind: composite, wildcard, low-level",
		Args:    noArgs,
		RunE: a.withSession(func(ctx context.Context, s *session, _ []string) error {
			cat, err := flows.ReadScopeCatalog(ctx, s.client)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(a.io.Out, cat)
			}
			if cat.Len() == 0 {
				fmt.Fprintln(a.io.Out, "The server publishes no scopes_supported.")
				return nil
			}
			t := newTable("KIND", "SCOPE", "EXPANDS TO")
			for _, g := range []struct {
				kind  string
				names []string
			}{{"composite", cat.Composite}, {"wildcard", cat.Wildcard}, {"low-level", cat.LowLevel}, {"other", cat.Other}} {
				for _, n := range g.names {
					t.add(g.kind, n, strings.Join(cat.Expands[n], " "))
				}
			}
			if err := t.write(a.io.Out, a.palette(a.io.Out)); err != nil {
				return err
			}
			fmt.Fprintf(a.io.Err, "%d names; 'all' and 'application_connect' are aliases of coder:all and coder:application_connect; %s.\n", cat.Len(), cat.Note)
			return nil
		}),
	}
	outputFlag(cmd, &output, "table", "json")
	return cmd
}

func (a *app) scopesTryCommand() *cobra.Command {
	var scope, expect, output string
	var secretStdin bool
	cmd := &cobra.Command{
		Use:   "try APP_ID --scope 'a b'",
		Short: "Ask the deployment, live, to authorize a scope set for an app: what it grants, or why it refuses",
		Long: `Send an authorization request for the app with the scope set, consented by your
admin session (no browser), and report what the deployment did: accepted, and
with the app's secret (kept in the keyring, or --client-secret-stdin) the scope
the token response says was granted (that token is then revoked; like any new
grant it replaces your earlier tokens for the app); or refused, with the
server's reason (invalid_scope: an unknown name, one outside the app's
allowlist, an allowlist with nothing grantable). --expect granted|refused turns
it into an assertion: exit 1 when the outcome differs.`,
		Example: `  oauthdeck scopes try APP_ID --scope 'workspace:ssh'
  oauthdeck scopes try APP_ID --scope 'template:update' --expect refused`,
		Args: exactArgs("APP_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if expect != "" && expect != "granted" && expect != "refused" {
				return usagef("--expect must be granted or refused")
			}
			return a.withSession(func(ctx context.Context, s *session, args []string) error {
				secret := ""
				if secretStdin {
					v, err := a.readSecretLine(ctx, "the client secret", "Client secret: ")
					if err != nil {
						return err
					}
					secret = v
				} else {
					secret, _ = keyring.GetClientSecret(ctx, s.store, s.url, args[0]) // none kept: the code is not redeemed
				}
				trial, err := flows.TryScope(ctx, s.client, args[0], scope, secret)
				if err != nil {
					return err
				}
				if output == "json" {
					if err := writeJSON(a.io.Out, trial); err != nil {
						return err
					}
				} else {
					a.writeTrial(trial)
				}
				if got := map[bool]string{true: "granted", false: "refused"}[trial.Accepted]; expect != "" && got != expect {
					return &exitError{code: ExitFailure, err: fmt.Errorf("expected the scope request to be %s; it was %s", expect, got)}
				}
				return nil
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "", "the space-separated scope set to request (empty: what the server gives without one)")
	cmd.Flags().StringVar(&expect, "expect", "", "granted or refused: exit 1 when the outcome differs")
	cmd.Flags().BoolVar(&secretStdin, "client-secret-stdin", false, "read the app's client secret from stdin, to redeem the code and see what was granted")
	outputFlag(cmd, &output, "text", "json")
	return cmd
}

func (a *app) writeTrial(t flows.ScopeTrial) {
	p := a.palette(a.io.Out)
	req := t.Requested
	if req == "" {
		req = "(no scope parameter)"
	}
	switch {
	case !t.Accepted:
		fmt.Fprintf(a.io.Out, "%s %s\n  %s: %s\n", p.render(p.fail, "refused:"), req, t.Error, t.Description)
	case t.Redeemed:
		fmt.Fprintf(a.io.Out, "%s %s\n  granted: %s\n", p.render(p.pass, "accepted:"), req, orNone(t.Granted))
	default:
		fmt.Fprintf(a.io.Out, "%s %s\n", p.render(p.pass, "accepted:"), req)
	}
	if t.Note != "" {
		fmt.Fprintln(a.io.Out, "  "+safe.Line(t.Note))
	}
}
