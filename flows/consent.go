package flows

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/pkce"
)

// AutoConsent completes consent without a browser, as Coder allows: it POSTs
// authURL (every parameter in its query, no body) with c's session token in
// the Coder-Session-Token header, does not follow the redirect, and checks the
// Location against exp (pass Expect{} to take it unchecked).
//
// Outcomes: a Callback with the code; a *CallbackError wrapping
// ErrAuthorization for a redirect carrying ?error= (newer Coder); an error
// wrapping ErrNotLoggedIn and a *client.SessionError for a 303 to /login; a
// *client.OAuth2Error, *client.ProviderDisabledError or *client.APIError for
// an error body; *client.UnexpectedResponseError otherwise.
func AutoConsent(ctx context.Context, c *client.Client, authURL string, exp Expect) (Callback, error) {
	loc, err := ConsentRedirect(ctx, c, authURL)
	if err != nil {
		return Callback{}, err
	}
	return ParseRedirectURL(loc.String(), exp)
}

// ConsentRedirect is AutoConsent's first half: the POST and its redirect
// target, unvalidated. The flow follows it to the loopback listener as a
// browser would.
func ConsentRedirect(ctx context.Context, c *client.Client, authURL string) (*url.URL, error) {
	resp, err := c.Do(ctx, client.Request{Method: http.MethodPost, URL: authURL, WithSession: true})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil, resp.Error(http.StatusSeeOther)
	}
	loc, err := resp.Location()
	if err != nil || loc == nil {
		return nil, &client.UnexpectedResponseError{StatusCode: resp.StatusCode, Method: http.MethodPost,
			URL: redactQuery(authURL), Reason: "redirect without a usable Location"}
	}
	if resp.StatusCode == http.StatusSeeOther && !loc.Query().Has("code") && !loc.Query().Has("error") ||
		strings.HasSuffix(loc.Path, "/login") {
		return nil, fmt.Errorf("%w: %w", ErrNotLoggedIn,
			&client.SessionError{StatusCode: resp.StatusCode, URL: redactQuery(authURL), Detail: "redirected to " + safe.Line(loc.Path)})
	}
	return loc, nil
}

// redactQuery drops the query of a URL for error text (it may hold a code or state).
func redactQuery(raw string) string {
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		return safe.Line(raw[:i])
	}
	return safe.Line(raw)
}

// ConsentCode gets an authorization code with the admin session's
// automatic consent, as a client that sends a fresh state and an S256
// challenge would: both are added to p, exp's State is set to p's, and the
// PKCE verifier comes back with the callback for the exchange.
func ConsentCode(ctx context.Context, c *client.Client, authEndpoint string, p AuthParams, exp Expect) (Callback, string, error) {
	state, err := NewState()
	if err != nil {
		return Callback{}, "", err
	}
	pair := pkce.New()
	p.State, p.CodeChallenge, p.CodeChallengeMethod = state, pair.Challenge, string(pair.Method)
	authURL, err := AuthorizationURL(authEndpoint, p.Values())
	if err != nil {
		return Callback{}, "", err
	}
	exp.State = state
	cb, err := AutoConsent(ctx, c, authURL, exp)
	return cb, pair.Verifier, err
}
