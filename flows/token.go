package flows

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// TokenClient calls a token endpoint (exchange, refresh) through
// golang.org/x/oauth2 and a revocation endpoint (RFC 7009). Requests go through
// HTTP.HTTPClient() via the oauth2.HTTPClient context key, so they are bounded
// (timeout, body size), never follow redirects, and are recorded.
type TokenClient struct {
	HTTP          *client.Client
	TokenURL      string
	RevocationURL string
	ClientID      string
	ClientSecret  string
	// Method is the client authentication: AuthPost (v2.30's only method),
	// AuthBasic, or AuthNone (client_id only). AuthAuto means AuthPost with a
	// secret and AuthNone without; use ChooseAuthMethod for the metadata's choice.
	Method AuthMethod
	Now    func() time.Time
	// Header is sent as written on the raw token and revocation requests,
	// over the method's own Authorization: an edited request's headers.
	Header http.Header
}

// ChooseAuthMethod picks the client authentication as RFC 8414 §2 and RFC
// 6749 §2.3.1 say: client_secret_basic when the metadata lists it or lists
// nothing (the default every server must support), else client_secret_post
// when listed (Coder v2.30 lists only that), and none for a client without
// a secret.
func ChooseAuthMethod(supported []string, haveSecret bool) AuthMethod {
	switch {
	case !haveSecret:
		return AuthNone
	case len(supported) == 0 || slices.Contains(supported, string(AuthBasic)):
		return AuthBasic
	case slices.Contains(supported, string(AuthPost)):
		return AuthPost
	}
	return AuthBasic
}

// ParseAuthMethod reads a method as a user types it: basic, post or none,
// or the RFC 8414 names.
func ParseAuthMethod(s string) (AuthMethod, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return AuthAuto, nil
	case "basic", string(AuthBasic):
		return AuthBasic, nil
	case "post", string(AuthPost):
		return AuthPost, nil
	case "none", "public":
		return AuthNone, nil
	}
	return AuthAuto, fmt.Errorf("unknown client authentication %q: use basic (client_secret_basic), post (client_secret_post) or none (a public client)", s)
}

func (t TokenClient) method() AuthMethod {
	if t.Method != AuthAuto {
		return t.Method
	}
	if t.ClientSecret == "" {
		return AuthNone
	}
	return AuthPost
}

func (t TokenClient) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// ExchangeForm is the form an authorization-code exchange sends (client
// credentials included for client_secret_post / none), for preview and editing.
func (t TokenClient) ExchangeForm(code, redirectURI, verifier, resource string) url.Values {
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	setNonEmpty(v, "redirect_uri", redirectURI)
	setNonEmpty(v, "code_verifier", verifier)
	setNonEmpty(v, "resource", resource)
	t.addCredentials(v)
	return v
}

// RefreshForm is the form a refresh sends.
func (t TokenClient) RefreshForm(refreshToken, resource string) url.Values {
	v := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	setNonEmpty(v, "resource", resource)
	t.addCredentials(v)
	return v
}

func (t TokenClient) addCredentials(v url.Values) {
	switch t.method() {
	case AuthPost:
		v.Set("client_id", t.ClientID)
		v.Set("client_secret", t.ClientSecret)
	case AuthNone:
		v.Set("client_id", t.ClientID)
	}
}

func setNonEmpty(v url.Values, k, val string) {
	if val != "" {
		v.Set(k, val)
	}
}

// Exchange redeems an authorization code (RFC 6749 §4.1.3) with PKCE and RFC
// 8707 resource when given.
func (t TokenClient) Exchange(ctx context.Context, code, redirectURI, verifier, resource string) (Tokens, error) {
	return t.Token(ctx, t.ExchangeForm(code, redirectURI, verifier, resource))
}

// Refresh uses a refresh token (RFC 6749 §6).
func (t TokenClient) Refresh(ctx context.Context, refreshToken, resource string) (Tokens, error) {
	return t.Token(ctx, t.RefreshForm(refreshToken, resource))
}

// Token sends form to the token endpoint. Standard authorization_code forms
// go through oauth2.Config.Exchange; anything x/oauth2 cannot express (a
// refresh with extra parameters, a removed grant_type or code, repeated
// values) is sent as written with the client's raw Do, so edited requests
// reach the server exactly as edited. client_id/client_secret in form are
// credentials for client_secret_post; with AuthBasic they go in the header.
func (t TokenClient) Token(ctx context.Context, form url.Values) (Tokens, error) {
	if t.HTTP == nil || t.TokenURL == "" {
		return Tokens{}, errors.New("token client: no HTTP client or token endpoint")
	}
	for attempt := 1; ; attempt++ {
		tok, ok, answer, err := t.viaOAuth2(ctx, form)
		if !ok {
			return t.raw(ctx, form) // the client's own send waits on 429s
		}
		// By the status and header as received, whatever the body's shape.
		if err != nil && t.HTTP.WaitOnRateLimit(ctx, http.MethodPost, redactQuery(t.TokenURL), answer.status, answer.header, attempt) {
			continue
		}
		return tok, err
	}
}

// tokenAnswer is the status and header of the token endpoint's answer.
type tokenAnswer struct {
	status int
	header http.Header
}

func (t TokenClient) viaOAuth2(ctx context.Context, form url.Values) (Tokens, bool, tokenAnswer, error) {
	if !headersOnlyAuth(t.Header, t.authHeader()) {
		return Tokens{}, false, tokenAnswer{}, nil // x/oauth2 sends its own headers only
	}
	for _, vals := range form {
		if len(vals) != 1 {
			return Tokens{}, false, tokenAnswer{}, nil
		}
	}
	refresh := form.Get("grant_type") == "refresh_token" && form.Get("refresh_token") != "" &&
		onlyKeys(form, "grant_type", "refresh_token", "client_id", "client_secret")
	if !refresh && (form.Get("grant_type") != "authorization_code" || form.Get("code") == "") {
		return Tokens{}, false, tokenAnswer{}, nil
	}
	id, secret := form.Get("client_id"), form.Get("client_secret")
	style := oauth2.AuthStyleInParams
	if t.method() == AuthBasic {
		style, id, secret = oauth2.AuthStyleInHeader, t.ClientID, t.ClientSecret
	}
	cfg := oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: form.Get("redirect_uri"),
		Endpoint: oauth2.Endpoint{TokenURL: t.TokenURL, AuthStyle: style}}
	var opts []oauth2.AuthCodeOption
	for k := range form {
		switch k {
		case "grant_type", "code", "redirect_uri", "client_id", "client_secret":
			continue
		}
		opts = append(opts, oauth2.SetAuthURLParam(k, form.Get(k)))
	}
	hc, capture := capturingClient(t.HTTP.HTTPClient())
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	var tok *oauth2.Token
	var err error
	if refresh {
		tok, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: form.Get("refresh_token")}).Token()
	} else {
		tok, err = cfg.Exchange(ctx, form.Get("code"), opts...)
	}
	if err != nil {
		status, header, _, _ := capture.get()
		return Tokens{}, true, tokenAnswer{status, header}, t.oauth2Error(err, capture, hc.Timeout)
	}
	out := Tokens{AccessToken: tok.AccessToken, TokenType: tok.TokenType, RefreshToken: tok.RefreshToken,
		ExpiresIn: tok.ExpiresIn, Expiry: tok.Expiry, Received: t.now()}
	if s, ok := tok.Extra("scope").(string); ok {
		out.Scope = s
	}
	if s, ok := tok.Extra("id_token").(string); ok {
		out.IDToken = s
	}
	if out.Expiry.IsZero() {
		if s, ok := tok.Extra("expiry").(string); ok {
			out.Expiry, _ = time.Parse(time.RFC3339Nano, s)
		}
	}
	return out, true, tokenAnswer{}, nil
}

// oauth2Error maps x/oauth2's errors onto the client's typed errors. x/oauth2
// flattens body-read and parse failures into plain strings, so what the
// response really was comes from the capture.
func (t TokenClient) oauth2Error(err error, cap *responseCapture, timeout time.Duration) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status, header := 0, http.Header(nil)
		if re.Response != nil {
			status, header = re.Response.StatusCode, re.Response.Header
		}
		resp := client.ResponseOf(http.MethodPost, t.TokenURL, status, header, re.Body)
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return &client.UnexpectedResponseError{StatusCode: resp.StatusCode, Method: http.MethodPost,
				URL: t.TokenURL, Reason: "token response carries an error", Excerpt: excerpt(re.Body)}
		}
		return resp.Error(http.StatusOK)
	}
	status, header, body, readErr := cap.get()
	var ue *url.Error
	switch {
	case readErr != nil && !isTimeout(readErr):
		return readErr // e.g. *client.BodyTooLargeError
	case isTimeout(readErr) || errors.As(err, &ue) && ue.Timeout():
		return &client.TimeoutError{Method: http.MethodPost, URL: t.TokenURL, After: timeout}
	case status != 0 && cap.cutShort():
		return &client.BodyTooLargeError{Method: http.MethodPost, URL: t.TokenURL, Limit: oauth2BodyLimit}
	case status != 0:
		reason := tokenBodyWant // x/oauth2 refused what this decoder would take
		if _, problem := readTokenBody(body); problem != "" {
			reason = problem
		}
		return &client.UnexpectedResponseError{StatusCode: status, Method: http.MethodPost, URL: t.TokenURL,
			ContentType: safe.Line(header.Get("Content-Type")), Reason: reason, Excerpt: excerpt(body)}
	}
	var (
		te  *client.TimeoutError
		be  *client.BodyTooLargeError
		rde *client.RedirectError
	)
	if errors.As(err, &te) || errors.As(err, &be) || errors.As(err, &rde) {
		return err
	}
	return fmt.Errorf("POST %s: %w", t.TokenURL, err)
}

func (t TokenClient) raw(ctx context.Context, form url.Values) (Tokens, error) {
	req := client.Request{Method: http.MethodPost, URL: t.TokenURL, Form: form, Header: t.requestHeader()}
	resp, err := t.HTTP.Do(ctx, req)
	if err != nil {
		return Tokens{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Tokens{}, resp.Error(http.StatusOK)
	}
	return decodeTokenResponse(resp, t.now())
}

func decodeTokenResponse(resp *client.Response, now time.Time) (Tokens, error) {
	tr, problem := readTokenBody(resp.Body)
	if problem != "" {
		return Tokens{}, &client.UnexpectedResponseError{StatusCode: resp.StatusCode, Method: http.MethodPost,
			URL: redactQuery(resp.URL), ContentType: safe.Line(resp.Header.Get("Content-Type")),
			Reason: problem, Excerpt: excerpt(resp.Body)}
	}
	out := Tokens{AccessToken: tr.AccessToken, TokenType: tr.TokenType, RefreshToken: tr.RefreshToken,
		Scope: tr.Scope, IDToken: tr.IDToken, ExpiresIn: tr.ExpiresIn, Received: now}
	switch {
	case tr.ExpiresIn > 0:
		out.Expiry = now.Add(time.Duration(tr.ExpiresIn) * time.Second)
	case tr.Expiry != nil:
		out.Expiry = *tr.Expiry
	}
	return out, nil
}

const tokenBodyWant = "expected a JSON token response with access_token"

// readTokenBody decodes a token response body, or says what is wrong with
// it: a named field when the JSON is an object, else the shape.
func readTokenBody(body []byte) (client.TokenResponse, string) {
	var tr client.TokenResponse
	err := json.Unmarshal(body, &tr)
	var se *json.SyntaxError
	switch {
	case err == nil && tr.AccessToken == "":
		return tr, tokenBodyWant + ": the response has none"
	case err == nil:
		return tr, ""
	case errors.As(err, &se) || !json.Valid(body):
		return tr, tokenBodyWant + ": the body is not JSON"
	}
	return tr, tokenBodyWant + ": " + safe.Line(err.Error())
}

// BasicAuth encodes client credentials per RFC 6749 §2.3.1 (form-encoded
// first), for an Authorization: Basic header.
func BasicAuth(id, secret string) string { return basicAuth(id, secret) }

// basicAuth encodes client credentials per RFC 6749 §2.3.1 (form-encoded first).
func basicAuth(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}

// RevokeForm is the RFC 7009 form for token with an optional hint.
func (t TokenClient) RevokeForm(token, hint string) url.Values {
	v := url.Values{"token": {token}}
	setNonEmpty(v, "token_type_hint", hint)
	t.addCredentials(v)
	return v
}

// Revoke revokes token (RFC 7009). A 200 does not prove the token existed;
// the flow proves death by using the token afterwards.
func (t TokenClient) Revoke(ctx context.Context, token, hint string) error {
	return t.RevokeWithForm(ctx, t.RevokeForm(token, hint))
}

// RevokeWithForm sends form to the revocation endpoint as written.
func (t TokenClient) RevokeWithForm(ctx context.Context, form url.Values) error {
	if t.RevocationURL == "" {
		return errors.New("the server advertises no revocation_endpoint")
	}
	req := client.Request{Method: http.MethodPost, URL: t.RevocationURL, Form: form, Header: t.requestHeader()}
	resp, err := t.HTTP.Do(ctx, req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.Error(http.StatusOK)
	}
	return nil
}

// describeAuth names the client authentication for display.
func describeAuth(m AuthMethod) string {
	switch m {
	case AuthBasic:
		return "client_secret_basic (Authorization: Basic header)"
	case AuthNone:
		return "none (public client: client_id only)"
	default:
		return fmt.Sprintf("%s (client_id and client_secret in the form)", AuthPost)
	}
}

// authHeader is the Authorization header client_secret_basic adds (nil otherwise).
// requestHeader is the method's Authorization, then Header over it.
func (t TokenClient) requestHeader() http.Header {
	h := http.Header{}
	if t.method() == AuthBasic {
		h.Set("Authorization", "Basic "+basicAuth(t.ClientID, t.ClientSecret))
	}
	for k, vs := range t.Header {
		h[http.CanonicalHeaderKey(k)] = slices.Clone(vs)
	}
	return h
}

func (t TokenClient) authHeader() http.Header {
	if t.method() != AuthBasic {
		return nil
	}
	return headerWith("Authorization", "Basic "+basicAuth(t.ClientID, t.ClientSecret))
}

// onlyKeys reports whether form has no keys besides allowed.
func onlyKeys(form url.Values, allowed ...string) bool {
	for k := range form {
		if !slices.Contains(allowed, k) {
			return false
		}
	}
	return true
}
func excerpt(b []byte) string {
	const max = 200
	s := safe.Line(safe.Redact(string(b)))
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// headersOnlyAuth: h holds no more than the method's own auth header.
func headersOnlyAuth(h, auth http.Header) bool {
	for k, vs := range h {
		if !slices.Equal(vs, auth.Values(k)) {
			return false
		}
	}
	return true
}
