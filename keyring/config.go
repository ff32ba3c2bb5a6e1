package keyring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Token store names recorded per deployment, so the next run knows where
// its session lives.
const (
	TokenStoreKeyring = "keyring"
	TokenStoreFile    = "file"
)

// configVersion is written to every config file; a newer one is refused
// rather than rewritten with fields dropped.
const configVersion = 1

// Config is oauthdeck's non-secret state: the deployments the user has
// logged in to and the current one. Secrets never go here.
type Config struct {
	Version     int          `json:"version"`
	Deployments []Deployment `json:"deployments"`
	Current     string       `json:"current,omitempty"` // normalised URL
}

// Deployment is one Coder deployment the user has a session for.
type Deployment struct {
	URL        string    `json:"url"` // normalised
	Username   string    `json:"username,omitempty"`
	TokenStore string    `json:"token_store"` // TokenStoreKeyring or TokenStoreFile
	AddedAt    time.Time `json:"added_at"`
	LastUsed   time.Time `json:"last_used"`
}

// DefaultConfigPath is $OAUTHDECK_CONFIG_DIR/config.json when that is set
// (tests use it), else <user config dir>/oauthdeck/config.json.
func DefaultConfigPath() (string, error) {
	dir, err := defaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "config.json"), nil
}

// DefaultSecretsFilePath is where the plain-file store lives when the user
// chooses it: next to the config, as secrets.json.
func DefaultSecretsFilePath() (string, error) {
	dir, err := defaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "secrets.json"), nil
}

func defaultDir() (string, error) {
	if dir := os.Getenv("OAUTHDECK_CONFIG_DIR"); dir != "" {
		return dir, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the config directory (set OAUTHDECK_CONFIG_DIR): %w", err)
	}
	return filepath.Join(base, "oauthdeck"), nil
}

// LoadConfig reads the config at path. A missing file is an empty config.
// A file that cannot be parsed is a *CorruptFileError and is left as it is;
// Save will refuse to overwrite it (see Save).
func LoadConfig(path string) (*Config, error) {
	data, _, err := readFileLimited(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{Version: configVersion}, nil
	}
	if err != nil {
		return nil, &CorruptFileError{Path: path, What: "config file", Err: err}
	}
	var cfg Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, &CorruptFileError{Path: path, What: "config file", Err: err}
	}
	if cfg.Version > configVersion {
		return nil, &CorruptFileError{Path: path, What: "config file",
			Err: fmt.Errorf("it was written by a newer oauthdeck (format %d, this one reads %d)", cfg.Version, configVersion)}
	}
	for i, d := range cfg.Deployments {
		u, err := NormalizeURL(d.URL)
		if err != nil {
			return nil, &CorruptFileError{Path: path, What: "config file", Err: fmt.Errorf("deployment %d: %w", i+1, err)}
		}
		cfg.Deployments[i].URL = u
	}
	cfg.Version = configVersion
	return &cfg, nil
}

// Save writes the config to path atomically with mode 0600. It refuses to
// replace an existing file that LoadConfig cannot read, so a hand-edited
// file with a typo is never silently lost; the error says how to move it.
func (c *Config) Save(path string) error {
	if _, err := os.Stat(path); err == nil {
		if _, err := LoadConfig(path); err != nil {
			return err
		}
	}
	return c.write(path)
}

// write replaces the file at path with c, atomically and with mode 0600.
func (c *Config) write(path string) error {
	c.Version = configVersion
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// Find returns the deployment with the given URL (any spelling), if any.
func (c *Config) Find(deploymentURL string) (Deployment, bool) {
	u, err := NormalizeURL(deploymentURL)
	if err != nil {
		return Deployment{}, false
	}
	for _, d := range c.Deployments {
		if d.URL == u {
			return d, true
		}
	}
	return Deployment{}, false
}

// Upsert adds d or updates the entry with the same URL, keeping its AddedAt.
// d.URL is normalised; an empty TokenStore means the keyring.
func (c *Config) Upsert(d Deployment) error {
	u, err := NormalizeURL(d.URL)
	if err != nil {
		return err
	}
	d.URL = u
	switch d.TokenStore {
	case "":
		d.TokenStore = TokenStoreKeyring
	case TokenStoreKeyring, TokenStoreFile:
	default:
		return fmt.Errorf("unknown token store %q (want %q or %q)", d.TokenStore, TokenStoreKeyring, TokenStoreFile)
	}
	for i := range c.Deployments {
		if c.Deployments[i].URL == u {
			if !c.Deployments[i].AddedAt.IsZero() {
				d.AddedAt = c.Deployments[i].AddedAt
			}
			c.Deployments[i] = d
			return nil
		}
	}
	c.Deployments = append(c.Deployments, d)
	return nil
}

// Remove drops the deployment with the given URL and clears Current if it
// pointed there. It reports whether anything was removed.
func (c *Config) Remove(deploymentURL string) bool {
	u, err := NormalizeURL(deploymentURL)
	if err != nil {
		return false
	}
	for i, d := range c.Deployments {
		if d.URL == u {
			c.Deployments = append(c.Deployments[:i], c.Deployments[i+1:]...)
			if c.Current == u {
				c.Current = ""
			}
			return true
		}
	}
	return false
}

// UpdateConfig loads the config at path, applies change and saves the
// result, all under a lock on path+".lock", so that two oauthdeck
// processes editing the config at once (the TUI and a CLI command) do not
// lose each other's changes. If change returns an error nothing is saved.
func UpdateConfig(ctx context.Context, path string, change func(*Config) error) (*Config, error) {
	unlock, err := lockForUpdate(ctx, path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cfg, err := LoadConfig(path)
	if err != nil {
		return nil, err
	}
	if err := change(cfg); err != nil {
		return nil, err
	}
	// The file was just read under the lock, so Save's check is not needed.
	if err := cfg.write(path); err != nil {
		return nil, err
	}
	return cfg, nil
}
