package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

func (a *app) appsCommand() *cobra.Command {
	return groupCommand("apps", "Manage the deployment's OAuth2 apps (the app ID is the OAuth2 client_id)",
		a.appsListCommand(), a.appsGetCommand(), a.appsCreateCommand(),
		a.appsUpdateCommand(), a.appsDeleteCommand(), a.appsPruneCommand(), a.appsHistoryCommand(), a.secretsCommand())
}

func (a *app) appsListCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List OAuth2 apps",
		Args:    noArgs,
		RunE: a.withSession(func(ctx context.Context, s *session, _ []string) error {
			if output == "json" {
				// Streamed: each app is written as it is decoded, so memory
				// stays flat however many apps the deployment has.
				out := newJSONArray(a.io.Out)
				if err := s.client.EachApp(ctx, func(app client.App) error { return out.add(app) }); err != nil {
					_ = out.w.Flush() // what came is kept; the error says the list is cut short
					return err
				}
				return out.close()
			}
			t := newTable("ID", "NAME", "REDIRECT URIS", "SCOPE")
			err := s.client.EachApp(ctx, func(app client.App) error {
				t.add(app.ID, app.Name, strings.Join(redirectURIs(app), " "), app.Scope)
				return nil
			})
			if err != nil {
				return err
			}
			return t.write(a.io.Out, a.palette(a.io.Out))
		}),
	}
	outputFlag(cmd, &output, "table", "json")
	return cmd
}

func (a *app) appsGetCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "get APP_ID",
		Short: "Show one OAuth2 app and its endpoints",
		Args:  exactArgs("APP_ID"),
		RunE: a.withSession(func(ctx context.Context, s *session, args []string) error {
			app, err := s.client.App(ctx, args[0])
			if err != nil {
				return err
			}
			return a.writeApp(app, output)
		}),
	}
	outputFlag(cmd, &output, "table", "json")
	return cmd
}

// redirectURIs is the app's list, or its callback URL on servers without one.
func redirectURIs(app client.App) []string {
	if len(app.RedirectURIs) > 0 {
		return app.RedirectURIs
	}
	if app.CallbackURL != "" {
		return []string{app.CallbackURL}
	}
	return nil
}

func (a *app) writeApp(app client.App, output string) error {
	if output == "json" {
		return writeJSON(a.io.Out, app)
	}
	revoke := app.Endpoints.Revocation
	if revoke == "" {
		revoke = app.Endpoints.TokenRevoke
	}
	rows := [][2]string{
		{"ID (client_id)", app.ID},
		{"Name", app.Name},
		{"Redirect URIs", strings.Join(redirectURIs(app), " ")},
		{"Icon", app.Icon},
		{"Scope", app.Scope},
	}
	// Newer Coder reports these; older releases do not, and nothing is guessed.
	if app.ClientType != "" {
		rows = append(rows, [2]string{"Client type", app.ClientType})
	}
	if app.DynamicallyRegistered != nil {
		rows = append(rows, [2]string{"Dynamically registered", map[bool]string{true: "yes", false: "no"}[*app.DynamicallyRegistered]})
	}
	rows = append(rows, [2]string{"Authorization", app.Endpoints.Authorization}, [2]string{"Token", app.Endpoints.Token},
		[2]string{"Revocation", revoke})
	if app.Endpoints.DeviceAuthorization != "" {
		rows = append(rows, [2]string{"Device authorization", app.Endpoints.DeviceAuthorization})
	}
	return writeKeyValues(a.io.Out, rows)
}

// appFlags are the fields of create and update.
type appFlags struct {
	name         string
	callbackURL  string
	redirectURIs []string
	icon         string
	scope        string
	strict       bool
}

func (f *appFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "app name: 1-32 letters, digits and single dashes")
	fl.StringVar(&f.callbackURL, "callback-url", "", "primary redirect URI (the first of the app's redirect URIs)")
	fl.StringArrayVar(&f.redirectURIs, "redirect-uri", nil, "another redirect URI (repeatable; newer Coder only)")
	fl.StringVar(&f.icon, "icon", "", "icon URL or path, e.g. /icon/code.svg")
	fl.StringVar(&f.scope, "scope", "", "space-separated scope allowlist (newer Coder only); \"\" clears it")
	fl.BoolVar(&f.strict, "strict", false, "exit 1 when the server accepts but does not keep a value sent (Coder before "+coder.AppFieldsSince+" drops --redirect-uri and --scope)")
}

// reportDropped warns on stderr about each value the server accepted but
// did not keep. The app exists either way, so this is exit 0 unless the
// user asked for --strict.
func (a *app) reportDropped(sent client.AppRequest, got client.App, strict bool) error {
	dropped := flows.DroppedAppFields(sent, got)
	for _, d := range dropped {
		fmt.Fprintln(a.io.Err, "warning: "+flows.DroppedText(d))
	}
	if strict && len(dropped) > 0 {
		fmt.Fprintf(a.io.Err, "--strict: app %s was saved without those values\n", safe.Line(got.ID))
		return &exitError{code: 1}
	}
	return nil
}

// uris merges --callback-url and --redirect-uri: the callback first, no duplicates.
func (f *appFlags) uris() []string {
	var out []string
	for _, u := range append([]string{f.callbackURL}, f.redirectURIs...) {
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func (a *app) appsCreateCommand() *cobra.Command {
	var f appFlags
	var output string
	cmd := &cobra.Command{
		Use:   "create --name NAME --callback-url URL",
		Short: "Create an OAuth2 app (-o env also creates a secret and prints export lines)",
		Example: `  oauthdeck apps create --name my-tool --callback-url http://127.0.0.1:9876/callback
  eval "$(oauthdeck apps create --name my-tool --callback-url http://127.0.0.1:9876/callback -o env)"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			uris := f.uris()
			if f.name == "" {
				return usagef("--name is required")
			}
			if len(uris) == 0 {
				return usagef("--callback-url is required")
			}
			req := client.AppRequest{Name: f.name, CallbackURL: uris[0], Icon: f.icon}
			if len(uris) > 1 {
				req.RedirectURIs = uris
			}
			if cmd.Flags().Changed("scope") {
				req.Scope = &f.scope
			}
			s, err := a.resolveSession(ctx, "", a.useCoderCLI)
			if err != nil {
				return err
			}
			app, err := s.client.CreateApp(ctx, req)
			if err != nil {
				return err
			}
			if output != "env" {
				err = a.writeApp(app, output)
			} else {
				err = a.printAppEnv(ctx, s, app)
			}
			if err != nil {
				return err
			}
			return a.reportDropped(req, app, f.strict)
		},
	}
	f.register(cmd)
	outputFlag(cmd, &output, "table", "json", "env")
	return cmd
}

// printAppEnv creates a secret for a new app and prints shell export lines.
// When the secret cannot be created, the app is deleted again so no
// half-made app is left behind.
func (a *app) printAppEnv(ctx context.Context, s *session, app client.App) error {
	secret, err := s.client.CreateAppSecret(ctx, app.ID)
	if err != nil {
		if delErr := s.client.DeleteApp(context.WithoutCancel(ctx), app.ID); delErr != nil {
			return fmt.Errorf("app %s created but its secret failed (%w); deleting the app failed too: %w", app.ID, err, delErr)
		}
		return fmt.Errorf("creating the app's secret failed, so the app was deleted again: %w", err)
	}
	// Sanitised too: the line may be printed rather than eval'd.
	fmt.Fprintf(a.io.Out, "export CLIENT_ID=%s CLIENT_SECRET=%s\n",
		safe.ShellQuote(safe.Line(app.ID)), safe.ShellQuote(safe.Line(secret.ClientSecretFull)))
	fmt.Fprintf(a.io.Err, "Created app %s (%s) with a secret; the secret will not be shown again.\n",
		safe.Line(app.Name), safe.Line(app.ID))
	return nil
}

func (a *app) appsUpdateCommand() *cobra.Command {
	var f appFlags
	var output string
	cmd := &cobra.Command{
		Use:   "update APP_ID [--name NAME] [--callback-url URL] ...",
		Short: "Change an OAuth2 app; fields not given keep their value",
		Args:  exactArgs("APP_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			changed := cmd.Flags().Changed
			if !changed("name") && !changed("callback-url") && !changed("redirect-uri") && !changed("icon") && !changed("scope") {
				return usagef("nothing to change: give --name, --callback-url, --redirect-uri, --icon or --scope")
			}
			s, err := a.resolveSession(ctx, "", a.useCoderCLI)
			if err != nil {
				return err
			}
			cur, err := s.client.App(ctx, args[0])
			if err != nil {
				return err
			}
			// PUT replaces the app (the name is required and a missing icon
			// clears it), so start from the current values.
			req := client.AppRequest{Name: cur.Name, Icon: cur.Icon, RedirectURIs: redirectURIs(cur)}
			if changed("name") {
				req.Name = f.name
			}
			if changed("icon") {
				req.Icon = f.icon
			}
			if changed("callback-url") || changed("redirect-uri") {
				if !changed("callback-url") && len(req.RedirectURIs) > 0 {
					f.callbackURL = req.RedirectURIs[0]
				}
				req.RedirectURIs = f.uris()
			}
			if len(req.RedirectURIs) > 0 {
				req.CallbackURL = req.RedirectURIs[0]
			}
			if len(req.RedirectURIs) <= 1 && len(cur.RedirectURIs) == 0 {
				req.RedirectURIs = nil // v2.30 knows callback_url only
			}
			if changed("scope") {
				req.Scope = &f.scope
			}
			app, err := s.client.UpdateApp(ctx, cur.ID, req)
			if err != nil {
				return err
			}
			if err := a.writeApp(app, output); err != nil {
				return err
			}
			return a.reportDropped(req, app, f.strict)
		},
	}
	f.register(cmd)
	outputFlag(cmd, &output, "table", "json")
	return cmd
}

func (a *app) appsDeleteCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete APP_ID",
		Short: "Delete an OAuth2 app with its secrets, codes and every token issued to it",
		Args:  exactArgs("APP_ID"),
		RunE: a.withSession(func(ctx context.Context, s *session, args []string) error {
			app, err := s.client.App(ctx, args[0])
			if err != nil {
				return err
			}
			name, id := safe.Line(app.Name), safe.Line(app.ID)
			if !yes {
				ok, err := a.confirm(ctx, fmt.Sprintf("Delete app %s (%s)? Its secrets, codes and every token issued to it stop working.", name, id))
				if err != nil {
					return err
				}
				if !ok {
					return usagef("not deleting app %s without confirmation; pass --yes", id)
				}
			}
			if err := s.client.DeleteApp(ctx, app.ID); err != nil {
				return err
			}
			fmt.Fprintf(a.io.Err, "Deleted app %s (%s).\n", name, id)
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}
