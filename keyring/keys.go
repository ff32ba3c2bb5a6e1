package keyring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// NormalizeURL returns the canonical form of a deployment URL so that
// "HTTPS://Coder.Example.com:443/" and "https://coder.example.com" name the
// same keyring entry: scheme and host lower-case, default port dropped, no
// trailing slash. A URL without a scheme is taken as https, as the Coder CLI
// does. Credentials, queries and fragments are rejected.
func NormalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("deployment URL is empty")
	}
	// Errors quote the URL without query or fragment, which may hold a
	// token, and only once user info has been ruled out.
	shown := s
	if i := strings.IndexAny(shown, "?#"); i >= 0 {
		shown = shown[:i]
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Error repeats the URL, which may hold a password; the
		// remaining cause names the bad part.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", fmt.Errorf("deployment URL is not a valid URL: %w", err)
	}
	if u.User != nil {
		return "", fmt.Errorf("deployment URL must not contain a user name or password")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("deployment URL %q must use http or https, not %q", shown, u.Scheme)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("deployment URL %q must not have a query or fragment", shown)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", fmt.Errorf("deployment URL %q has no host", shown)
	}
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	return scheme + "://" + host + path, nil
}

// SessionKey is the key of the Coder session token for a deployment.
func SessionKey(deploymentURL string) (string, error) {
	u, err := NormalizeURL(deploymentURL)
	if err != nil {
		return "", err
	}
	return "session " + u, nil
}

// ClientSecretKey is the key of an OAuth2 app's client secret that the
// user chose to keep, for a deployment.
func ClientSecretKey(deploymentURL, clientID string) (string, error) {
	return clientKey("client-secret", deploymentURL, clientID)
}

// TokenKey is the key of the OAuth2 tokens obtained for a client on a
// deployment (typically JSON holding access and refresh tokens).
func TokenKey(deploymentURL, clientID string) (string, error) {
	return clientKey("token", deploymentURL, clientID)
}

// clientKey joins kind, URL and client ID with spaces: a normalised URL has
// no spaces, and the client ID is escaped so it cannot add any.
func clientKey(kind, deploymentURL, clientID string) (string, error) {
	u, err := NormalizeURL(deploymentURL)
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(clientID)
	if id == "" {
		return "", errors.New("client ID is empty")
	}
	return kind + " " + u + " " + url.PathEscape(id), nil
}

// GetClientSecret reads the client secret kept for an app (ErrNotFound when
// none is).
func GetClientSecret(ctx context.Context, s Store, deploymentURL, clientID string) (string, error) {
	k, err := ClientSecretKey(deploymentURL, clientID)
	if err != nil {
		return "", err
	}
	return s.Get(ctx, k)
}

// SetClientSecret keeps an app's client secret, for later flows.
func SetClientSecret(ctx context.Context, s Store, deploymentURL, clientID, secret string) error {
	k, err := ClientSecretKey(deploymentURL, clientID)
	if err != nil {
		return err
	}
	return s.Set(ctx, k, secret)
}

// DeleteClientSecret forgets the client secret kept for an app.
func DeleteClientSecret(ctx context.Context, s Store, deploymentURL, clientID string) error {
	k, err := ClientSecretKey(deploymentURL, clientID)
	if err != nil {
		return err
	}
	return s.Delete(ctx, k)
}
