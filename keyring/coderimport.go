package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// DefaultCoderConfigDir is where the Coder CLI keeps its url and session
// files: $CODER_CONFIG_DIR if set, else the platform's user config dir plus
// "coderv2" (Linux: $XDG_CONFIG_HOME or ~/.config). A nil env means os.Getenv.
func DefaultCoderConfigDir(env func(string) string) (string, error) {
	if env == nil {
		env = os.Getenv
	}
	if dir := strings.TrimSpace(env("CODER_CONFIG_DIR")); dir != "" {
		return dir, nil
	}
	var base string
	switch runtime.GOOS {
	case "windows":
		base = env("APPDATA")
	case "darwin":
		if home := env("HOME"); home != "" {
			base = filepath.Join(home, "Library", "Application Support")
		}
	default:
		base = env("XDG_CONFIG_HOME")
		if base == "" && env("HOME") != "" {
			base = filepath.Join(env("HOME"), ".config")
		}
	}
	if base == "" {
		return "", errors.New("cannot find the Coder CLI config directory: set CODER_CONFIG_DIR")
	}
	return filepath.Join(base, "coderv2"), nil
}

// ImportCoderCLI reads the deployment URL and session token the Coder CLI
// saved in dir (files "url" and "session", whitespace trimmed). The URL is
// returned normalised. On macOS and Windows the CLI keeps the token in the
// OS keyring by default, so a missing session file is explained as such.
func ImportCoderCLI(dir string) (deploymentURL, token string, err error) {
	rawURL, err := readCoderCLIFile(dir, "url")
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("the Coder CLI config %s has no url file; run `coder login <url>` first: %w", dir, err)
	}
	if err != nil {
		return "", "", err
	}
	deploymentURL, err = NormalizeURL(rawURL)
	if err != nil {
		return "", "", fmt.Errorf("the Coder CLI config %s: %w", dir, err)
	}
	token, err = readCoderCLIFile(dir, "session")
	if errors.Is(err, fs.ErrNotExist) {
		msg := fmt.Sprintf("the Coder CLI config %s has no session file; run `coder login %s` first", dir, deploymentURL)
		if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
			msg = fmt.Sprintf("the Coder CLI config %s has no session file: on %s the Coder CLI keeps its session "+
				"in the OS keyring, which oauthdeck does not read; set CODER_URL and CODER_SESSION_TOKEN instead "+
				"(a token from `coder tokens create`)", dir, runtime.GOOS)
		}
		return "", "", fmt.Errorf("%s: %w", msg, err)
	}
	if err != nil {
		return "", "", err
	}
	if err := validateToken(token); err != nil {
		return "", "", fmt.Errorf("the Coder CLI session file in %s: %w", dir, err)
	}
	return deploymentURL, token, nil
}

func readCoderCLIFile(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	data, _, err := readFileLimited(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("reading the Coder CLI's %s file: %w", name, err)
	}
	return strings.TrimSpace(string(data)), nil
}
