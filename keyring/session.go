package keyring

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Session is a Coder session token for a deployment and where it came from.
type Session struct {
	URL    string // normalised deployment URL
	Token  string
	Source string // human label: "environment CODER_SESSION_TOKEN", "OS keyring (…)", …
}

// String masks the token so a Session printed by mistake leaks nothing.
func (s Session) String() string {
	return fmt.Sprintf("session for %s from %s (token %s)", s.URL, s.Source, maskToken(s.Token))
}

// GoString masks the token for %#v too.
func (s Session) GoString() string { return s.String() }

func maskToken(t string) string {
	if t == "" {
		return "empty"
	}
	return "set, " + fmt.Sprint(len(t)) + " chars, hidden"
}

// Labels used as Session.Source.
const (
	SourceEnvironment = "environment CODER_SESSION_TOKEN"
	sourceCoderCLI    = "Coder CLI config"
)

// ResolveOptions says where ResolveSession may look.
type ResolveOptions struct {
	URL                 string              // deployment wanted; empty means "whichever the source names"
	Store               Store               // oauthdeck's store (OS keyring or plain file); may be nil
	Env                 func(string) string // nil means os.Getenv
	AllowCoderCLIImport bool                // only when the user asked for it
	CoderConfigDir      string              // empty means CODER_CONFIG_DIR or the platform default
}

// NoSessionError lists every place ResolveSession looked, and why each gave
// nothing, so the user knows what to do next.
type NoSessionError struct {
	URL   string
	Tried []string
	Errs  []error // keyring and import failures, for errors.As
}

func (e *NoSessionError) Error() string {
	target := e.URL
	if target == "" {
		target = "any deployment"
	}
	return fmt.Sprintf("no Coder session for %s (%s); log in with oauthdeck, set CODER_URL and CODER_SESSION_TOKEN, "+
		"or import the Coder CLI's session", target, strings.Join(e.Tried, "; "))
}

func (e *NoSessionError) Unwrap() []error { return e.Errs }

// ResolveSession finds a session token, first match wins:
//  1. CODER_SESSION_TOKEN with CODER_URL, when CODER_URL is the URL asked
//     for or no URL was asked for;
//  2. oauthdeck's own entry in opts.Store;
//  3. the Coder CLI's config directory, only if opts.AllowCoderCLIImport.
//
// It never writes anything; the caller may SaveSession an imported token.
func ResolveSession(ctx context.Context, opts ResolveOptions) (Session, error) {
	env := opts.Env
	if env == nil {
		env = os.Getenv
	}
	want := ""
	if strings.TrimSpace(opts.URL) != "" {
		u, err := NormalizeURL(opts.URL)
		if err != nil {
			return Session{}, err
		}
		want = u
	}
	nf := &NoSessionError{URL: want}

	// 1. Environment.
	envToken := strings.TrimSpace(env("CODER_SESSION_TOKEN"))
	envURL := strings.TrimSpace(env("CODER_URL"))
	switch {
	case envToken == "":
		nf.Tried = append(nf.Tried, "CODER_SESSION_TOKEN is not set")
	case envURL == "":
		nf.Tried = append(nf.Tried, "CODER_SESSION_TOKEN is set but CODER_URL is not, so it was not used")
	default:
		u, err := NormalizeURL(envURL)
		switch {
		case err != nil:
			nf.Tried = append(nf.Tried, "CODER_URL is not usable: "+err.Error())
		case validateToken(envToken) != nil:
			nf.Tried = append(nf.Tried, "CODER_SESSION_TOKEN is not usable: "+validateToken(envToken).Error())
		case want != "" && u != want:
			nf.Tried = append(nf.Tried, "CODER_SESSION_TOKEN is for CODER_URL "+u+", not this deployment")
		default:
			return Session{URL: u, Token: envToken, Source: SourceEnvironment}, nil
		}
	}

	// 2. oauthdeck's own store.
	switch {
	case opts.Store == nil:
	case want == "":
		nf.Tried = append(nf.Tried, "no deployment URL given, so the "+opts.Store.Kind()+" was not searched")
	default:
		key, _ := SessionKey(want) // want is already normalised
		token, err := opts.Store.Get(ctx, key)
		switch {
		case err == nil:
			return Session{URL: want, Token: token, Source: opts.Store.Kind()}, nil
		case errors.Is(err, ErrNotFound):
			nf.Tried = append(nf.Tried, "no entry in the "+opts.Store.Kind())
		default:
			nf.Tried = append(nf.Tried, "the "+opts.Store.Kind()+" failed: "+err.Error())
			nf.Errs = append(nf.Errs, err)
		}
	}

	// 3. The Coder CLI's files, only on request.
	if !opts.AllowCoderCLIImport {
		nf.Tried = append(nf.Tried, "Coder CLI import not requested")
		return Session{}, nf
	}
	dir := opts.CoderConfigDir
	if dir == "" {
		d, err := DefaultCoderConfigDir(env)
		if err != nil {
			nf.Tried = append(nf.Tried, err.Error())
			nf.Errs = append(nf.Errs, err)
			return Session{}, nf
		}
		dir = d
	}
	cliURL, token, err := ImportCoderCLI(dir)
	if err != nil {
		nf.Tried = append(nf.Tried, err.Error())
		nf.Errs = append(nf.Errs, err)
		return Session{}, nf
	}
	if want != "" && cliURL != want {
		nf.Tried = append(nf.Tried, "the Coder CLI is logged in to "+cliURL+", not this deployment")
		return Session{}, nf
	}
	return Session{URL: cliURL, Token: token, Source: sourceCoderCLI + " (" + dir + ")"}, nil
}

// SaveSession stores token for deploymentURL in store and records the
// deployment (not the token) in cfg as the current one; the caller saves
// cfg. If the store fails, cfg is untouched and the error is returned as is:
// CanFallBack(err) tells the caller it may offer the plain-file store.
// There is no silent fallback.
func SaveSession(ctx context.Context, store Store, cfg *Config, deploymentURL, username, token string) error {
	u, err := NormalizeURL(deploymentURL)
	if err != nil {
		return err
	}
	token = strings.TrimSpace(token)
	if err := validateToken(token); err != nil {
		return err
	}
	key, _ := SessionKey(u)
	if err := store.Set(ctx, key, token); err != nil {
		return fmt.Errorf("saving the session for %s in the %s: %w", u, store.Kind(), err)
	}
	tokenStore := TokenStoreKeyring
	if !store.Secure() {
		tokenStore = TokenStoreFile
	}
	now := time.Now().UTC()
	if err := cfg.Upsert(Deployment{URL: u, Username: username, TokenStore: tokenStore, AddedAt: now, LastUsed: now}); err != nil {
		return err
	}
	cfg.Current = u
	return nil
}

// DeleteSession removes the session for deploymentURL from store and then
// the deployment from cfg (the caller saves cfg). If the store fails, cfg is
// left alone so the user can retry.
func DeleteSession(ctx context.Context, store Store, cfg *Config, deploymentURL string) error {
	u, err := NormalizeURL(deploymentURL)
	if err != nil {
		return err
	}
	key, _ := SessionKey(u)
	if err := store.Delete(ctx, key); err != nil {
		return fmt.Errorf("deleting the session for %s from the %s: %w", u, store.Kind(), err)
	}
	cfg.Remove(u)
	return nil
}

// validateToken rejects tokens that cannot be a Coder session token: empty,
// multi-line or with spaces or control characters (e.g. a pasted HTML page).
func validateToken(token string) error {
	if token == "" {
		return errors.New("session token is empty")
	}
	if len(token) > MaxSecretBytes {
		return &TooLargeError{Size: len(token), Limit: MaxSecretBytes}
	}
	for _, r := range token {
		if r <= ' ' || r == 0x7f {
			return errors.New("session token contains spaces or control characters; paste only the token")
		}
	}
	return nil
}
