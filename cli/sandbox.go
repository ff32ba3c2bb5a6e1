package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"oauthdeck/sandbox"
)

type sandboxOptions struct {
	addr             string
	compat           string
	dcr              bool
	providerDisabled bool
	reveal           bool
	seedApps         int
	demoApps         bool
	rateLimit        int
	tokenLifetime    time.Duration
}

func (o sandboxOptions) options() (sandbox.Options, error) {
	opts := sandbox.Options{Addr: o.addr, EnableDCR: o.dcr, ProviderDisabled: o.providerDisabled, RateLimit: o.rateLimit,
		AccessTokenLifetime: o.tokenLifetime}
	if o.seedApps < 0 || o.seedApps > maxSeedApps {
		return opts, usagef("--seed-apps must be 0-%d", maxSeedApps)
	}
	if o.rateLimit < -1 {
		return opts, usagef("--rate-limit must be -1 (off), 0 (the profile's) or a number of requests a minute")
	}
	// expires_in is whole seconds, rounded down: below 2s a token would state 0.
	if o.tokenLifetime != 0 && o.tokenLifetime < 2*time.Second {
		return opts, usagef("--token-lifetime must be at least 2s (or 0, the session's 24h)")
	}
	compat, err := sandbox.ParseCompat(o.compat)
	if err != nil {
		return opts, usagef("--compat: %v", err)
	}
	opts.Compat = compat
	return opts, nil
}

func (a *app) sandboxCommand() *cobra.Command {
	var o sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run an in-memory, Coder-compatible OAuth2 provider on loopback for testing",
		Long: `Run the sandbox: an in-memory server that answers like a Coder deployment's
OAuth2 provider. --compat picks the Coder version it answers like:
  main (or v2.38)  the newer, stricter 2.38 line (the default)
  v2.36            Coder v2.36.0 as measured; v2.37 is an alias until a real
                   v2.37 has been measured
  v2.30            Coder v2.30.0 as measured
It prints CODER_URL and CODER_SESSION_TOKEN lines for its admin on stdout, notes on
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
			if o.seedApps > 0 {
				srv.SeedApps(o.seedApps)
			}
			if o.demoApps {
				for _, spec := range sandbox.DemoApps(time.Now()) {
					srv.Seed(spec)
				}
			}
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
			if o.seedApps > 0 {
				notes = append(notes, fmt.Sprintf("seeded %d apps (seed-00001 …)", o.seedApps))
			}
			if o.demoApps {
				notes = append(notes, fmt.Sprintf("seeded the demo's %d apps, an estate with a finding of each kind for 'oauthdeck audit'", len(sandbox.DemoApps(time.Now()))))
			}
			if srv.RateLimits() {
				notes = append(notes, fmt.Sprintf("rate limits: %d requests a minute per /oauth2 endpoint and caller (owners may send %s)", srv.RateLimitPerMinute(), sandbox.BypassRateLimitHeader))
			}
			if o.tokenLifetime > 0 {
				notes = append(notes, fmt.Sprintf("OAuth2 access tokens expire after %s (sessions keep 24h)", o.tokenLifetime))
			}
			if srv.DCROpen() {
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
	f.StringVar(&o.compat, "compat", "main", compatUsage)
	f.BoolVar(&o.dcr, "dcr", false, "open dynamic client registration (main; v2.36 and v2.30 always have it open)")
	f.BoolVar(&o.providerDisabled, "provider-disabled", false, "answer as a deployment whose OAuth2 provider is off")
	f.BoolVar(&o.reveal, "reveal", false, "print the admin password on stderr")
	f.BoolVar(&o.demoApps, "demo-apps", false, "seed the demo's apps: an estate with a finding of each kind of 'oauthdeck audit'")
	f.IntVar(&o.seedApps, "seed-apps", 0, "seed this many apps (seed-00001 …) for scale tests and benchmarks")
	f.IntVar(&o.rateLimit, "rate-limit", 0, "requests a minute per /oauth2 endpoint on profiles with rate limits (main): 0 the profile's 60, -1 off")
	f.DurationVar(&o.tokenLifetime, "token-lifetime", 0, "lifetime of OAuth2 access tokens, at least 2s (0: the session's 24h); a short one lets 'oauthdeck check' see a token expire (mcp.expired-token)")
	completeCompat(cmd)
	return cmd
}

// maxSeedApps bounds --seed-apps: the scale goal is 100,000 apps.
const maxSeedApps = 1_000_000

// compatUsage is the --compat help of sandbox and demo.
const compatUsage = "Coder version to answer like: main (v2.38), v2.36 (v2.37 is its alias) or v2.30"

func completeCompat(cmd *cobra.Command) {
	names := []string{}
	for _, p := range sandbox.Profiles() {
		names = append(names, string(p))
	}
	_ = cmd.RegisterFlagCompletionFunc("compat", cobra.FixedCompletions(names, cobra.ShellCompDirectiveNoFileComp))
}
