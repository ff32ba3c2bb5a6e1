package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/keyring"
)

// keyringService is the OS keyring service name for every oauthdeck secret,
// unless OAUTHDECK_KEYRING_SERVICE names another (a separate profile; the
// tests use a throwaway one so they never touch a developer's own).
const keyringService = "oauthdeck"

// keyringTimeout bounds each OS keyring call: a locked desktop keyring can
// wait for a prompt for ever.
const keyringTimeout = 5 * time.Second

// configPath is the non-secret config file; OAUTHDECK_CONFIG_DIR moves it (tests).
func (a *app) configPath() (string, error) {
	if dir := a.env("OAUTHDECK_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "config.json"), nil
	}
	return keyring.DefaultConfigPath()
}

// plainFilePath is where --insecure-storage keeps secrets: next to the config.
func (a *app) plainFilePath() string {
	p, err := a.configPath()
	if err != nil {
		return "secrets.json"
	}
	return filepath.Join(filepath.Dir(p), "secrets.json")
}

func (a *app) loadConfig() (*keyring.Config, error) {
	p, err := a.configPath()
	if err != nil {
		return nil, err
	}
	return keyring.LoadConfig(p)
}

// updateConfig reads, changes and writes the config under its lock, so two
// oauthdeck processes writing at once (two logins, a login and the console)
// never lose each other's deployments.
func (a *app) updateConfig(ctx context.Context, change func(*keyring.Config) error) error {
	p, err := a.configPath()
	if err != nil {
		return err
	}
	_, err = keyring.UpdateConfig(ctx, p, change)
	return err
}

// osStore is the OS keyring, or the injected replacement.
func (a *app) osStore() keyring.Store {
	if a.io.Keyring != nil {
		return a.io.Keyring
	}
	service := keyringService
	if s := a.env("OAUTHDECK_KEYRING_SERVICE"); s != "" {
		service = s
	}
	return keyring.NewOS(service, keyringTimeout)
}

// mainStore is the store chosen for this run: --keyring-file when given,
// else the OS keyring.
func (a *app) mainStore() keyring.Store {
	if a.keyringFile != "" {
		return keyring.NewFile(a.keyringFile)
	}
	return a.osStore()
}

// storeFor picks the store that holds url's secrets: the plain file when the
// deployment was saved there after a fallback, else the main store.
func (a *app) storeFor(url string, cfg *keyring.Config) keyring.Store {
	if a.keyringFile == "" && cfg != nil {
		if d, ok := cfg.Find(url); ok && d.TokenStore == keyring.TokenStoreFile {
			return keyring.NewFile(a.plainFilePath())
		}
	}
	return a.mainStore()
}

// deploymentURL picks the deployment: the argument, --url, CODER_URL, then
// the config's current deployment. The result is normalised.
func (a *app) deploymentURL(arg string, cfg *keyring.Config) (string, error) {
	raw, from := arg, "the argument"
	for _, c := range [][2]string{{a.url, "--url"}, {a.env("CODER_URL"), "CODER_URL"}} {
		if raw == "" {
			raw, from = c[0], c[1]
		}
	}
	if raw == "" && cfg != nil {
		raw, from = cfg.Current, "the config's current deployment"
	}
	if raw == "" {
		return "", usagef("no deployment: pass its URL, use --url, set CODER_URL, or run 'oauthdeck login URL' first")
	}
	u, err := keyring.NormalizeURL(raw)
	if err != nil {
		// The error quotes what may be shown of the URL (never its user
		// info or query, which may hold a password or a token); the raw
		// value is not repeated, only where it came from.
		return "", usagef("bad deployment URL in %s: %v", from, err)
	}
	return u, nil
}

// session is a resolved deployment with a client carrying its token.
type session struct {
	url    string
	source string        // where the token came from, for the user
	store  keyring.Store // where the deployment's secrets are kept
	client *client.Client
}

// resolveSession finds the deployment and its session token (environment,
// then keyring, then the Coder CLI's config when allowed).
func (a *app) resolveSession(ctx context.Context, arg string, allowCoderCLI bool) (*session, error) {
	// A corrupt config must not block a session from the environment; it
	// is reported when nothing else works.
	cfg, cfgErr := a.loadConfig()
	if cfgErr != nil {
		cfg = nil
	}
	url, err := a.deploymentURL(arg, cfg)
	if err != nil {
		if cfgErr != nil {
			return nil, cfgErr
		}
		return nil, err
	}
	store := a.storeFor(url, cfg)
	s, err := keyring.ResolveSession(ctx, keyring.ResolveOptions{
		URL:                 url,
		Store:               store,
		Env:                 a.io.Env,
		AllowCoderCLIImport: allowCoderCLI,
		CoderConfigDir:      a.coderConfigDir(),
	})
	if err != nil {
		if cfgErr != nil {
			return nil, fmt.Errorf("%w; also, %w", err, cfgErr)
		}
		return nil, err
	}
	c, err := client.New(s.URL, s.Token, a.clientOptions())
	if err != nil {
		return nil, err
	}
	return &session{url: s.URL, source: s.Source, store: store, client: c}, nil
}

// anonymousClient talks to a deployment without a session (discovery).
func (a *app) anonymousClient(arg string) (*client.Client, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		cfg = nil // discovery needs no config; a broken one is reported by login/status
	}
	url, err := a.deploymentURL(arg, cfg)
	if err != nil {
		return nil, err
	}
	return client.New(url, "", a.clientOptions())
}

// coderConfigDir is where the Coder CLI keeps url and session; "" lets the
// keyring package report why it cannot tell.
func (a *app) coderConfigDir() string {
	d, _ := keyring.DefaultCoderConfigDir(a.io.Env)
	return d
}

// withSession is a RunE that resolves the admin session first (the
// deployment from --url, CODER_URL or the config), so every apps and secrets
// command gets it, and its errors, the same way.
func (a *app) withSession(run func(ctx context.Context, s *session, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		s, err := a.resolveSession(cmd.Context(), "", a.useCoderCLI)
		if err != nil {
			return err
		}
		return run(cmd.Context(), s, args)
	}
}
