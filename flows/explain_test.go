package flows

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
)

// Each Coder error text maps to an explanation that names the real cause.
func TestExplainCoderErrors(t *testing.T) {
	t.Parallel()
	oauth := func(status int, code, desc string) error {
		return fmt.Errorf("exchange: %w", &client.OAuth2Error{StatusCode: status, Code: code, Description: desc})
	}
	cases := []struct {
		err      error
		code     string
		mentions string
	}{
		{oauth(400, "invalid_grant", "The PKCE code verifier is invalid"), "invalid_grant", "PKCE"},
		{oauth(400, "invalid_request", "Missing required parameter: code_verifier"), "invalid_request", "PKCE"},
		{oauth(400, "invalid_grant", "The authorization code is invalid or expired"), "invalid_grant", "expired"},
		{oauth(400, "invalid_grant", "The refresh token is invalid or expired"), "invalid_grant", "rotated"},
		{oauth(400, "invalid_target", "The resource parameter is invalid"), "invalid_target", "resource"},
		{oauth(400, "invalid_request", `Invalid query params: field: redirect_uri detail: Query param "redirect_uri" must be a subset of http://127.0.0.1:9876/callback`), "invalid_request", "callback"},
		{oauth(400, "invalid_request", "Missing client_id parameter"), "invalid_request", "Basic"},
		{oauth(400, "invalid_request", "Missing required parameter: client_secret"), "invalid_request", "secret"},
		{oauth(400, "invalid_request", "code_challenge_method 'plain' is not supported; use 'S256'"), "invalid_request", "S256"},
		{oauth(400, "invalid_request", `Invalid query params: field: nonce detail: "nonce" is not a valid query param`), "invalid_request", "extra parameter"},
		{&client.OAuth2Error{StatusCode: 401, Code: "invalid_client", Description: "The client credentials are invalid", WWWAuthenticate: `Basic realm="coder"`}, "invalid_client", "refresh and revoke"},
		{oauth(401, "invalid_client", "The client credentials are invalid"), "invalid_client", "secret"},
		{oauth(400, "unsupported_grant_type", `The grant type "client_credentials" is not supported`), "unsupported_grant_type", "authorization_code"},
		{&CallbackError{Err: ErrAuthorization, Code: "unsupported_response_type", Description: "Only response_type=code is supported"}, "unsupported_response_type", "response_type=code"},
		{&CallbackError{Err: ErrAuthorization, Code: "access_denied"}, "access_denied", "Cancel"},
		{&CallbackError{Err: ErrStateMismatch}, "state", "forged"},
		{&CallbackError{Err: ErrListenTimeout}, "timeout", "paste"},
		{&CallbackError{Err: ErrPortInUse}, "port-in-use", "port"},
		{&client.ProviderDisabledError{StatusCode: 403}, "provider-disabled", "CODER_EXPERIMENTS=oauth2"},
		{&client.ProviderDisabledError{StatusCode: 404}, "provider-disabled", "CODER_OAUTH2_PROVIDER_ENABLE"},
		{&client.SessionError{StatusCode: 401, Detail: "API key is invalid."}, "session", "Log in"},
		{fmt.Errorf("%w: %w", ErrNotLoggedIn, &client.SessionError{StatusCode: 303}), "session", "/login"},
		{&client.APIError{StatusCode: 403, Message: "Token audience validation failed"}, "audience", "access URL"},
		{&client.UnexpectedResponseError{StatusCode: 200, Reason: "expected JSON, got text/html"}, "unexpected-response", "HTML"},
		{&client.TimeoutError{}, "timeout", "in time"},
		{fmt.Errorf("%w: the access token still works", ErrNotProven), "not-revoked", "defect"},
		{fmt.Errorf("%w: %w", ErrTokenRejected, &client.SessionError{StatusCode: 401}), "invalid_token", "refresh"},
	}
	for _, tc := range cases {
		e := Explain(tc.err)
		if e == nil || e.Code != tc.code || !strings.Contains(e.Cause+" "+e.Fix, tc.mentions) || e.Basis == "" {
			t.Errorf("Explain(%v) = %+v; want code %s mentioning %q", tc.err, e, tc.code, tc.mentions)
		}
	}
	if Explain(nil) != nil {
		t.Error("Explain(nil) should be nil")
	}
	if e := Explain(errors.New("weird \x1b[31mthing")); e == nil || strings.Contains(e.Cause, "\x1b") {
		t.Errorf("unknown errors must be explained and sanitised: %+v", e)
	}
	// An OAuth2 error as the client package decodes it (code kept as sent).
	if e := Explain(&client.OAuth2Error{StatusCode: 400, Code: "odd\x1b]0;title\x07_code"}); e == nil || strings.ContainsAny(e.Code+e.Cause, "\x1b\x07") {
		t.Errorf("unknown OAuth2 codes must be sanitised: %+v", e)
	}
}

// Transport failures are explained by the same explainer, by what they are.
func TestExplainTransport(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	resp, refused := http.Get("http://" + addr + "/")
	if refused == nil {
		resp.Body.Close()
	}
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"refused", refused, CodeRefused},
		{"dns", &url.Error{Op: "Get", URL: "https://nowhere.invalid", Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid"}}, CodeDNS},
		{"closed", &url.Error{Op: "Post", URL: "http://127.0.0.1:1/oauth2/authorize", Err: io.EOF}, CodeClosed},
		{"tls", &url.Error{Op: "Get", URL: "https://x", Err: x509.UnknownAuthorityError{}}, CodeTLS},
		{"timeout", fmt.Errorf("waiting: %w", context.DeadlineExceeded), CodeTimeout},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Fatalf("%s: no error to explain", c.name)
		}
		if got := Explain(c.err).Code; got != c.code {
			t.Errorf("%s: Explain(%v).Code = %q, want %q", c.name, c.err, got, c.code)
		}
		if want := c.code != CodeTimeout; Unreachable(c.err) != want {
			t.Errorf("%s: Unreachable = %v, want %v", c.name, !want, want)
		}
	}
	if Unreachable(&client.OAuth2Error{StatusCode: 400, Code: "invalid_grant"}) {
		t.Error("an OAuth2 error answer counted as unreachable")
	}
}

// Every explanation told to a server that is not Coder names no Coder
// release and still says something: a cause, a fix and (where the table
// has a non-Coder source) its basis.
func TestExplanationsForOtherServers(t *testing.T) {
	t.Parallel()
	var all []Explanation
	for _, r := range oauth2Rules {
		all = append(all, r.exp)
	}
	for _, err := range []error{ErrTokenRejected, ErrNotProven, &client.BodyTooLargeError{}, &client.UnexpectedResponseError{},
		&client.RedirectError{}, &client.TimeoutError{}, &client.OAuth2Error{Code: "invalid_client", WWWAuthenticate: "Basic"},
		&client.APIError{StatusCode: 403}, &client.APIError{StatusCode: 404}, &client.APIError{StatusCode: 400}, &client.APIError{StatusCode: 500},
		&ConsentCommandError{}} {
		all = append(all, *Explain(err))
	}
	fallbacks := 0
	for _, exp := range all {
		g := exp.ForOtherServer()
		for _, text := range []string{g.Cause, g.Fix, g.Basis} {
			if coderSpecific().MatchString(text) {
				t.Errorf("%s: still about Coder: %q", exp.Code, text)
			}
		}
		if g.Cause == "" || g.Fix == "" {
			t.Errorf("%s: nothing left: %+v", exp.Code, g)
		}
		if g.Cause == "The server answered "+exp.Code+"." || strings.HasPrefix(g.Fix, "See the server's error description") {
			fallbacks++
			t.Logf("%s falls back: %+v (from %+v)", exp.Code, g, exp)
		}
	}
	if fallbacks > 2 {
		t.Errorf("%d explanations lose everything but the fallback for other servers", fallbacks)
	}
	// What is not about Coder stays word for word.
	g := Explanation{Code: "x", Cause: "A (aside). Kept; Coder dropped. Coder v2.30 only.", Fix: "Do it (Coder does).", Basis: "RFC 6749 §5.2; Coder X"}.ForOtherServer()
	if g.Cause != "A (aside). Kept." || g.Fix != "Do it." || g.Basis != "RFC 6749 §5.2" {
		t.Errorf("ForOtherServer = %+v", g)
	}
}

// The three invalid_scope refusals are told apart by their descriptions.
func TestExplainInvalidScopeReasons(t *testing.T) {
	t.Parallel()
	for desc, want := range map[string]string{
		`"template:update": scope is not in this app's allowed scope list`: "allowlist",
		`scope: unknown scope "root:all"`:                                  "catalog",
		"this app's allowed scope list has no grantable entry":             "grants nothing",
		"the allowlist grants nothing; the app needs re-registering":       "grants nothing",
	} {
		exp := Explain(&client.OAuth2Error{StatusCode: 400, Code: "invalid_scope", Description: desc})
		if !strings.Contains(exp.Cause, want) {
			t.Errorf("%q: cause %q, want it to mention %q", desc, exp.Cause, want)
		}
	}
}

// An error delivered to the redirect URI cites the authorization response
// (RFC 6749 §4.1.2.1), a token error §5.2; no explanation sends the user
// to "the error description".
func TestExplainCitesWhereTheErrorCameFrom(t *testing.T) {
	t.Parallel()
	atRedirect := Explain(&CallbackError{Err: ErrAuthorization, Code: "vendor_specific", Description: "nope"})
	if atRedirect == nil || atRedirect.Basis != "RFC 6749 §4.1.2.1" || !strings.Contains(atRedirect.Cause, "nope") {
		t.Fatalf("at the redirect URI: %+v", atRedirect)
	}
	scope := Explain(&CallbackError{Err: ErrAuthorization, Code: "invalid_scope", Description: "x"})
	if scope == nil || !strings.Contains(scope.Basis, "§4.1.2.1") {
		t.Fatalf("invalid_scope at the redirect URI: %+v", scope)
	}
	token := Explain(&client.OAuth2Error{StatusCode: 400, Code: "vendor_specific"})
	if token == nil || token.Basis != "RFC 6749 §5.2" {
		t.Fatalf("in a token response: %+v", token)
	}
	for _, code := range []string{"invalid_request", "invalid_grant", "unauthorized_client", "vendor_specific", "invalid_client"} {
		e := Explain(&client.OAuth2Error{StatusCode: 400, Code: code})
		if e == nil || strings.Contains(e.Fix, "error description") || e.Fix == "" {
			t.Errorf("%s: %+v", code, e)
		}
	}
}

// Times carry the date when they are not today's.
func TestClockTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.Local)
	if got := ClockTime(now.Add(time.Hour), now); got != "13:00:00" {
		t.Fatalf("today: %q", got)
	}
	if got := ClockTime(now.Add(20*time.Hour), now); got != "2026-12-05 08:00:00" {
		t.Fatalf("tomorrow: %q", got)
	}
}
