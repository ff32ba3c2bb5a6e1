package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"oauthdeck/keyring"
	"oauthdeck/sandbox"
	"oauthdeck/ui"
)

// terminalIO reports whether stdin and stdout are both terminals, which the TUI needs.
func (a *app) terminalIO() bool { return isTerminal(a.io.In) && isTerminal(a.io.Out) }

// runTUI opens the console. A session found the usual way (environment,
// keyring) becomes the current deployment; without one the console starts on
// its deployments screen.
func (a *app) runTUI(ctx context.Context) error {
	if !a.terminalIO() {
		return errors.New("the terminal UI needs a terminal on stdin and stdout; see 'oauthdeck --help' for the headless commands")
	}
	path, err := a.configPath()
	if err != nil {
		return err
	}
	// The console's own store; it finds the plain file itself for the
	// deployments kept there (handing it the file would send every other
	// deployment's token to the file too).
	deps := a.uiDeps(a.mainStore(), path)
	if s, err := a.resolveSession(ctx, "", a.useCoderCLI); err == nil {
		deps.InitialURL, deps.InitialToken, deps.InitialSource = s.url, s.client.SessionToken(), s.source
	}
	return ui.Run(ctx, deps)
}

func (a *app) uiDeps(store keyring.Store, configPath string) ui.Deps {
	deps := ui.Deps{
		Store:         store,
		ConfigPath:    configPath,
		Recorder:      a.recorder,
		ClientOptions: a.clientOptions(),
		Version:       Version,
	}
	deps.ClientOptions.OnRateLimit = nil // stderr is the screen: the console shows waits in its status bar
	if a.debugLog != nil {
		// ui.Run takes over the recorder's callback and writes the log itself.
		a.recorder.OnExchange(nil)
		deps.DebugLog = a.debugLog
	}
	return deps
}

func (a *app) demoCommand() *cobra.Command {
	var o sandboxOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start a sandbox with sample apps and open the terminal UI against it",
		Long: `Start an in-memory sandbox deployment (dynamic client registration on), log in
as its admin, add a few sample apps, and open the console against it. Secrets
stay in memory: nothing is written to your keyring or config.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if !a.terminalIO() {
				return errors.New("the demo opens the terminal UI, which needs a terminal on stdin and stdout")
			}
			o.dcr = true
			opts, err := o.options()
			if err != nil {
				return err
			}
			opts.DemoSignIn = true // browser and paste consent end in one click, not a password nobody was shown
			srv, err := sandbox.Start(ctx, opts)
			if err != nil {
				return fmt.Errorf("starting the demo sandbox: %w", err)
			}
			defer func() { _ = srv.Close() }() // the in-memory demo ends with the console
			store := keyring.NewMemory()
			if !opts.ProviderDisabled {
				if err := seedDemo(ctx, srv, store); err != nil {
					return err
				}
			}
			deps := a.uiDeps(store, "")
			deps.Demo = true
			deps.InitialURL, deps.InitialToken, deps.InitialSource = srv.URL(), srv.AdminSessionToken(), "demo sandbox"
			return ui.Run(ctx, deps)
		},
	}
	cmd.Flags().StringVar(&o.compat, "compat", "main", compatUsage)
	completeCompat(cmd)
	cmd.Flags().BoolVar(&o.providerDisabled, "provider-disabled", false, "start with the OAuth2 provider switched off")
	return cmd
}

// seedDemo adds the demo's apps straight into the sandbox's store (no round
// trip stands between the command and the console's first frame), keeping
// the flow apps' secrets in store.
func seedDemo(ctx context.Context, srv *sandbox.Server, store keyring.Store) error {
	for i, spec := range sandbox.DemoApps(time.Now()) {
		id, secrets := srv.Seed(spec)
		if i >= sandbox.DemoFlowApps || len(secrets) == 0 {
			continue
		}
		if err := keyring.SetClientSecret(ctx, store, srv.URL(), id, secrets[len(secrets)-1]); err != nil {
			return fmt.Errorf("seeding the demo: %w", err)
		}
	}
	return nil
}
