package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/keyring"
)

type loginOptions struct {
	email           string
	passwordStdin   bool
	insecureStorage bool
	importCoderCLI  bool
}

func (a *app) loginCommand() *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login [URL]",
		Short: "Log in to a Coder deployment and keep the session token in the OS keyring",
		Long: `Log in to a Coder deployment. The session token is read from a hidden prompt
when stdin is a terminal, or from stdin when piped; with --email and
--password-stdin, oauthdeck logs in with a password instead. Secrets are never
accepted as flag values.

The token is checked against the deployment, then kept in the OS keyring. If the
keyring is unavailable, oauthdeck says why and keeps the token in a plain file
only with --insecure-storage (or when you answer yes on a terminal).`,
		Example: `  oauthdeck login https://coder.example.com          # paste a token at the prompt
  coder tokens create | oauthdeck login https://coder.example.com
  oauthdeck login https://coder.example.com --email me@example.com --password-stdin < pw.txt
  oauthdeck login --import-coder-cli`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLogin(cmd.Context(), firstArg(args), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.email, "email", "", "log in with this email and a password read from stdin (needs --password-stdin)")
	f.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password for --email from stdin")
	f.BoolVar(&o.insecureStorage, "insecure-storage", false, "if the OS keyring is unavailable, keep the token in a plain file (mode 0600)")
	f.BoolVar(&o.importCoderCLI, "import-coder-cli", false, "import the Coder CLI's session (its url and session files)")
	refuseSecretFlags(cmd, map[string]string{
		"token":         "pipe the token on stdin, or paste it at the hidden prompt",
		"session-token": "pipe the token on stdin, or paste it at the hidden prompt",
		"password":      "use --email with --password-stdin",
	})
	return cmd
}

func firstArg(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return ""
}

func (a *app) runLogin(ctx context.Context, arg string, o loginOptions) error {
	if o.passwordStdin != (o.email != "") {
		return usagef("--email and --password-stdin go together")
	}
	if o.importCoderCLI && o.passwordStdin {
		return usagef("--import-coder-cli takes the Coder CLI's token; it cannot be combined with --password-stdin")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}

	var url, token string
	if o.importCoderCLI {
		url, token, err = a.importCoderCLI(arg, cfg)
		if err != nil {
			return err
		}
	} else {
		if url, err = a.deploymentURL(arg, cfg); err != nil {
			return err
		}
		if token, err = a.readLoginToken(ctx, url, o); err != nil {
			return err
		}
	}

	c, err := client.New(url, token, a.clientOptions())
	if err != nil {
		return err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return fmt.Errorf("checking the token with %s: %w", url, err)
	}

	store, err := a.saveToken(ctx, cfg, url, me.Username, token, o.insecureStorage)
	if err != nil {
		return err
	}
	// cfg was read before the (slow) login; the file is changed as it is now.
	saved, ok := cfg.Find(cfg.Current)
	if !ok {
		return fmt.Errorf("token saved in %s, but the deployment %s was not recorded", store.Kind(), url)
	}
	err = a.updateConfig(ctx, func(now *keyring.Config) error {
		if err := now.Upsert(saved); err != nil {
			return err
		}
		now.Current = saved.URL
		return nil
	})
	if err != nil {
		return fmt.Errorf("token saved in %s, but the deployment list could not be written: %w", store.Kind(), err)
	}
	fmt.Fprintf(a.io.Err, "Logged in to %s as %s; token kept in %s.\n",
		url, safe.Line(me.Username), store.Kind())
	if a.keyringFile != "" {
		fmt.Fprintf(a.io.Err, "Pass --keyring-file %s to later commands to use it.\n", a.keyringFile)
	}
	return nil
}

// importCoderCLI reads the Coder CLI's url and session; a URL given on the
// command line must be the same deployment.
func (a *app) importCoderCLI(arg string, cfg *keyring.Config) (url, token string, err error) {
	dir, err := keyring.DefaultCoderConfigDir(a.io.Env)
	if err != nil {
		return "", "", err
	}
	rawURL, token, err := keyring.ImportCoderCLI(dir)
	if err != nil {
		return "", "", err
	}
	url, err = keyring.NormalizeURL(rawURL)
	if err != nil {
		return "", "", fmt.Errorf("the Coder CLI's url file (in %s) holds a bad URL: %w", safe.Line(dir), err)
	}
	if arg != "" || a.url != "" {
		want, err := a.deploymentURL(arg, cfg)
		if err != nil {
			return "", "", err
		}
		if want != url {
			return "", "", fmt.Errorf("the Coder CLI is logged in to %s, not %s", url, want)
		}
	}
	return url, token, nil
}

// readLoginToken gets the token from stdin or the hidden prompt, or logs in
// with a password.
func (a *app) readLoginToken(ctx context.Context, url string, o loginOptions) (string, error) {
	if o.passwordStdin {
		password, err := a.readSecretLine(ctx, "password", "Password for "+o.email+" (input hidden): ")
		if err != nil {
			return "", err
		}
		c, err := client.New(url, "", a.clientOptions())
		if err != nil {
			return "", err
		}
		token, err := c.Login(ctx, o.email, password)
		if err != nil {
			return "", fmt.Errorf("password login to %s: %w", url, err)
		}
		return token, nil
	}
	if a.stdinTerminal() {
		fmt.Fprintf(a.io.Err, "Create a token with 'coder tokens create', or copy one from %s/cli-auth.\n", url)
	}
	return a.readSecret(ctx, "session token", "Session token for "+url+" (input hidden): ")
}

// saveToken keeps token in the chosen store. The OS keyring comes first; the
// plain file only when asked (--keyring-file), allowed (--insecure-storage)
// or confirmed on a terminal, and then it says so.
func (a *app) saveToken(ctx context.Context, cfg *keyring.Config, url, username, token string, insecureOK bool) (keyring.Store, error) {
	key, err := keyring.SessionKey(url)
	if err != nil {
		return nil, err
	}
	if a.keyringFile != "" {
		store := keyring.NewFile(a.keyringFile)
		if err := keyring.SaveSession(ctx, store, cfg, url, username, token); err != nil {
			return nil, err
		}
		fmt.Fprintf(a.io.Err, "! Token kept in plain text in %s (insecure, as --keyring-file asks).\n", a.keyringFile)
		return store, nil
	}
	store := a.osStore()
	err = keyring.SaveSession(ctx, store, cfg, url, username, token)
	if err == nil {
		// A token left in the plain file from an earlier fallback is stale now.
		_ = keyring.NewFile(a.plainFilePath()).Delete(ctx, key)
		return store, nil
	}
	if !keyring.CanFallBack(err) {
		return nil, err
	}
	path := a.plainFilePath()
	if !insecureOK {
		ok, cerr := a.confirm(ctx, fmt.Sprintf("%v\nKeep the token in a plain file (%s) instead?", err, path))
		if cerr != nil {
			return nil, cerr
		}
		if !ok {
			return nil, fmt.Errorf("%w; to keep the token in a plain file (%s) instead, run again with --insecure-storage", err, path)
		}
	}
	file := keyring.NewFile(path)
	if err := keyring.SaveSession(ctx, file, cfg, url, username, token); err != nil {
		return nil, err
	}
	fmt.Fprintf(a.io.Err, "! %v\n! Token kept in plain text in %s (insecure).\n", err, path)
	return file, nil
}

func (a *app) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout [URL]",
		Short: "Remove a deployment's session token from the keyring and forget the deployment",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLogout(cmd.Context(), firstArg(args))
		},
	}
}

func (a *app) runLogout(ctx context.Context, arg string) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	url, err := a.deploymentURL(arg, cfg)
	if err != nil {
		return err
	}
	key, err := keyring.SessionKey(url)
	if err != nil {
		return err
	}
	store := a.storeFor(url, cfg)
	_, getErr := store.Get(ctx, key)
	known := cfg.Remove(url)
	if errors.Is(getErr, keyring.ErrNotFound) && !known {
		return fmt.Errorf("not logged in to %s", url)
	}
	if err := store.Delete(ctx, key); err != nil {
		return fmt.Errorf("removing the token of %s from %s: %w", url, store.Kind(), err)
	}
	if store.Secure() {
		_ = keyring.NewFile(a.plainFilePath()).Delete(ctx, key) // stale fallback copy, if any
	}
	err = a.updateConfig(ctx, func(now *keyring.Config) error {
		now.Remove(url)
		if now.Current == url {
			now.Current = ""
			if len(now.Deployments) > 0 {
				now.Current = now.Deployments[0].URL
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.io.Err, "Logged out of %s; token removed from %s.\n", url, store.Kind())
	if a.env("CODER_SESSION_TOKEN") != "" {
		fmt.Fprintln(a.io.Err, "Note: CODER_SESSION_TOKEN is still set in your environment and is still used.")
	}
	return nil
}
