package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"oauthdeck/sandbox"
)

type sandboxOptions struct {
	addr             string
	compat           string
	dcr              bool
	providerDisabled bool
	reveal           bool
}

func (o sandboxOptions) options() (sandbox.Options, error) {
	opts := sandbox.Options{Addr: o.addr, EnableDCR: o.dcr, ProviderDisabled: o.providerDisabled}
	switch o.compat {
	case "", "main":
		opts.Compat = sandbox.CompatMain
	case "v2.30", "2.30", "v2.30.0":
		opts.Compat = sandbox.CompatV230
	default:
		return opts, usagef("--compat must be main or v2.30, not %q", o.compat)
	}
	return opts, nil
}

func (a *app) sandboxCommand() *cobra.Command {
	var o sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run an in-memory, Coder-compatible OAuth2 provider on loopback for testing",
		Long: `Run the sandbox: an in-memory server that answers like a Coder deployment's
OAuth2 provider (--compat main for newer Coder, v2.30 for Coder v2.30.0). It
prints CODER_URL and CODER_SESSION_TOKEN lines for its admin on stdout, notes on
stderr, and serves until interrupted. Nothing is kept after it stops.`,
		Example: `  oauthdeck sandbox --compat v2.30 > sandbox.env &
  set -a; . ./sandbox.env; set +a; oauthdeck status`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := o.options()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			srv, err := sandbox.Start(ctx, opts)
			if err != nil {
				return fmt.Errorf("starting the sandbox: %w", err)
			}
			defer func() { _ = srv.Close() }() // the process is ending; nothing is lost
			fmt.Fprintf(a.io.Out, "CODER_URL=%s\nCODER_SESSION_TOKEN=%s\n", srv.URL(), srv.AdminSessionToken())
			if f, ok := a.io.Out.(interface{ Sync() error }); ok {
				_ = f.Sync()
			}
			password := "(hidden; --reveal shows it)"
			if o.reveal {
				password = srv.AdminPassword()
			}
			notes := []string{
				fmt.Sprintf("oauthdeck sandbox (%s) listening on %s", opts.Compat, srv.URL()),
				fmt.Sprintf("admin: %s, password %s", srv.AdminEmail(), password),
			}
			if opts.ProviderDisabled {
				notes = append(notes, "the OAuth2 provider is switched off, as on a deployment without it")
			}
			if opts.EnableDCR || opts.Compat == sandbox.CompatV230 {
				notes = append(notes, "dynamic client registration is open")
			}
			notes = append(notes, "press Ctrl-C to stop; everything is forgotten")
			for _, n := range notes {
				fmt.Fprintln(a.io.Err, n)
			}
			<-ctx.Done()
			fmt.Fprintln(a.io.Err, "sandbox stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:0", "loopback address to listen on")
	f.StringVar(&o.compat, "compat", "main", "behave like Coder main (newer) or v2.30")
	f.BoolVar(&o.dcr, "dcr", false, "open dynamic client registration (main mode; v2.30 always has it)")
	f.BoolVar(&o.providerDisabled, "provider-disabled", false, "answer as a deployment whose OAuth2 provider is off")
	f.BoolVar(&o.reveal, "reveal", false, "print the admin password on stderr")
	_ = cmd.RegisterFlagCompletionFunc("compat", cobra.FixedCompletions([]string{"main", "v2.30"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
