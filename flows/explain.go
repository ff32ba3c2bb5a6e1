package flows

import (
	"errors"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// explainRule matches an error by OAuth2 code and/or a fragment of its text.
type explainRule struct {
	code     string // OAuth2 error code, "" for any
	contains string // case-insensitive fragment of the description/message, "" for any
	status   int    // HTTP status, 0 for any
	exp      Explanation
}

// oauth2Rules is ordered: the first match wins, specific texts before codes.
var oauth2Rules = []explainRule{
	{code: "invalid_grant", contains: "PKCE code verifier", exp: Explanation{
		Cause: "The PKCE code_verifier is missing or does not hash to the code_challenge sent at authorize.",
		Fix:   "Send the same verifier that produced the challenge (S256: BASE64URL(SHA256(verifier))); run prepare and authorize again for a fresh pair. Newer Coder also revokes the code after a wrong verifier.",
		Basis: "RFC 7636 §4.6; Coder tokens.go \"The PKCE code verifier is invalid\""}},
	{code: "invalid_grant", contains: "authorization code is invalid or expired", exp: Explanation{
		Cause: "The code is unknown, expired (10 minutes), already redeemed, or superseded by a newer code for the same user and app.",
		Fix:   "Authorize again and exchange the new code once, promptly.",
		Basis: "RFC 6749 §4.1.2; Coder issues one outstanding code per (user, app)"}},
	{code: "invalid_grant", contains: "refresh token is invalid or expired", exp: Explanation{
		Cause: "The refresh token was rotated by an earlier refresh, revoked, expired, or its app or secret was deleted.",
		Fix:   "Use the newest refresh token (Coder rotates on every refresh), or authorize again.",
		Basis: "RFC 6749 §6; OAuth 2.1 §4.3.1 rotation"}},
	{code: "invalid_target", exp: Explanation{
		Cause: "The resource parameter differs between authorize and token, was sent at only one of them, or differs from the refresh token's audience.",
		Fix:   "Send byte-identical resource values at authorize and token (or none at both). To use the token on Coder's API, resource must be the access URL.",
		Basis: "RFC 8707 §2; Coder \"The resource parameter is invalid\""}},
	{code: "invalid_request", contains: "must be a subset of", exp: Explanation{
		Cause: "redirect_uri is not under the client's registered redirect URI. Coder v2.30 requires the same host:port and a path starting with the callback path.",
		Fix:   "Use the app's callback URL (or a sub-path of it) as redirect_uri, or update the app's callback URL to the listener's address.",
		Basis: "Coder v2.30 QueryParamParser.RedirectURL; RFC 6749 §3.1.2"}},
	{code: "invalid_request", contains: "Missing client_id parameter", exp: Explanation{
		Cause: "The server found no client_id in the query or form. On Coder v2.30 this is also the answer to HTTP Basic client authentication, which it ignores.",
		Fix:   "Send client_id and client_secret in the form body (client_secret_post, the one method Coder v2.30 advertises).",
		Basis: "Coder v2.30 supports only client_secret_post; Basic arrived with PR #21793"}},
	{code: "invalid_request", contains: "Missing required parameter: code_verifier", exp: Explanation{
		Cause: "The code was issued with a PKCE code_challenge, but the token request carries no code_verifier.",
		Fix:   "Send the code_verifier from the prepare step (newer Coder requires PKCE for every code).",
		Basis: "RFC 7636 §4.5; Coder PKCE enforcement"}},
	{code: "invalid_request", contains: "Missing required parameter: client_secret", exp: Explanation{
		Cause: "The server requires client_secret for this client. Coder v2.30 demands it even of clients registered with auth method none.",
		Fix:   "Send the app's secret (create one with the apps API if none is stored).",
		Basis: "Coder tokens.go authorization-code grant"}},
	{code: "invalid_request", contains: "Missing required parameter", exp: Explanation{
		Cause: "A required token-request parameter is missing.",
		Fix:   "Add the parameter the description names.",
		Basis: "RFC 6749 §4.1.3"}},
	{code: "invalid_request", contains: "plain", exp: Explanation{
		Cause: "code_challenge_method=plain is refused; Coder supports only S256.",
		Fix:   "Use S256 (the prepare step does by default).",
		Basis: "RFC 9700 §2.1.1; Coder authorize.go"}},
	{code: "invalid_request", contains: "is not a valid query param", exp: Explanation{
		Cause: "The server refused an authorize parameter it does not know. Coder v2.30 refuses any it does not know (e.g. nonce, or a session token in the query).",
		Fix:   "Remove the extra parameter; send the session as a header.",
		Basis: "Coder v2.30 ErrorExcessParams"}},
	{code: "invalid_request", contains: "Conflicting client credentials", exp: Explanation{
		Cause: "The Basic header and the form carry different client credentials.",
		Fix:   "Send the credentials one way only.",
		Basis: "RFC 6749 §2.3.1; newer Coder"}},
	{code: "invalid_request", contains: "otherwise malformed", exp: Explanation{
		Cause: "The server rejected the token request as malformed. On Coder: an unknown parameter (v2.30 accepts only the standard names), a redirect_uri outside the callback URL, or a resource with a fragment.",
		Fix:   "Remove extra parameters and check redirect_uri and resource.",
		Basis: "Coder v2.30 token endpoint parameter parser"}},
	{code: "invalid_request", contains: "code_verifier", exp: Explanation{
		Cause: "The code_verifier is malformed: RFC 7636 allows 43–128 characters from [A-Za-z0-9-._~] (newer Coder enforces it).",
		Fix:   "Use a verifier from the pkce package (43 characters).",
		Basis: "RFC 7636 §4.1; Coder PR #28003"}},
	{code: "invalid_request", contains: "client_secret", exp: Explanation{
		Cause: "client_secret was sent in the URL query, which OAuth 2.1 forbids (newer Coder refuses it).",
		Fix:   "Send the secret in the form body or a Basic header.",
		Basis: "OAuth 2.1 §2.4.1; Coder PR #29508"}},
	{code: "invalid_client", contains: "", exp: Explanation{
		Cause: "The client is unknown (client_id not a registered app, or the app was deleted), or the client secret is wrong, malformed or deleted. A WWW-Authenticate: Basic realm means newer Coder wanted client authentication (also on refresh and revoke).",
		Fix:   "Check client_id, and use a current secret for this app; on newer Coder authenticate refresh and revoke too.",
		Basis: "RFC 6749 §5.2; Coder GHSA-whr4-xxrp-33vc"}},
	{code: "unsupported_grant_type", exp: Explanation{
		Cause: "grant_type is missing or not supported; Coder supports only authorization_code and refresh_token.",
		Fix:   "Use grant_type=authorization_code or refresh_token.",
		Basis: "RFC 6749 §5.2"}},
	{code: "unsupported_response_type", exp: Explanation{
		Cause: "Only response_type=code is supported (newer Coder reports this to the callback).",
		Fix:   "Use response_type=code.",
		Basis: "OAuth 2.1 removes the implicit grant; RFC 9700 §2.1.2"}},
	{code: "invalid_scope", contains: "no grantable", exp: Explanation{
		Cause: "The client's scope allowlist is configured but grants nothing (for example a whitespace-only allowlist), so every scope is refused.",
		Fix:   "Register the client again, or set a real allowlist through the apps API.",
		Basis: "RFC 6749 §3.3; Coder SCOPES.md (configured-but-empty allowlist)"}},
	{code: "invalid_scope", contains: "grants nothing", exp: Explanation{
		Cause: "The client's scope allowlist is configured but grants nothing (for example a whitespace-only allowlist), so every scope is refused.",
		Fix:   "Register the client again, or set a real allowlist through the apps API.",
		Basis: "RFC 6749 §3.3; Coder SCOPES.md (configured-but-empty allowlist)"}},
	{code: "invalid_scope", contains: "allowed scope list", exp: Explanation{
		Cause: "The scope asked for is a real one, but not in this client's scope allowlist; the request is refused whole, never trimmed.",
		Fix:   "Ask only for scopes in the app's allowlist (oauthdeck apps get), or widen the allowlist through the apps API (Coder's web UI cannot set it).",
		Basis: "RFC 6749 §3.3; Coder SCOPES.md (allowlist)"}},
	{code: "invalid_scope", contains: "unknown scope", exp: Explanation{
		Cause: "A requested scope is not in the server's catalog (scopes_supported).",
		Fix:   "Pick names from scopes_supported in the metadata (oauthdeck metadata); Coder also lists them at /api/v2/auth/scopes.",
		Basis: "RFC 6749 §3.3; RFC 8414 §2 scopes_supported"}},
	{code: "invalid_scope", exp: Explanation{
		Cause: "The requested scope is unknown, not in the app's allowlist, or wider than the original grant on refresh.",
		Fix:   "Request scopes from scopes_supported that the app allows; on refresh only narrow.",
		Basis: "RFC 6749 §3.3; newer Coder scope negotiation"}},
	{code: "access_denied", exp: Explanation{
		Cause: "The user pressed Cancel on the consent page (or the server refused consent).",
		Fix:   "Authorize again and press Allow.",
		Basis: "RFC 6749 §4.1.2.1"}},
	{code: "temporarily_unavailable", exp: Explanation{
		Cause: "Rate limited (newer Coder: 60 requests per minute per endpoint).",
		Fix:   "Wait a minute and retry.",
		Basis: "RFC 6749 §4.1.2.1; Coder rate limits"}},
	{code: "server_error", exp: Explanation{
		Cause: "The server failed internally (on Coder v2.30 also a revoke of a token with a known prefix but wrong secret).",
		Fix:   "Check the server logs; retry.",
		Basis: "RFC 6749 §4.1.2.1"}},

	// The rest of RFC 6749's codes, by their defined meaning, when no text
	// above says more.
	{code: "invalid_request", exp: Explanation{
		Cause: "A parameter is missing, repeated, or has a value the server does not accept.",
		Fix:   "Compare the request with the one the prepare step builds (reset an edited request with R in the editor); the description names the parameter.",
		Basis: "RFC 6749 §4.1.2.1, §5.2"}},
	{code: "invalid_grant", exp: Explanation{
		Cause: "The code or refresh token is invalid, expired, revoked, already used, or was issued to another client or redirect URI.",
		Fix:   "Authorize again for a fresh code, or refresh with the newest refresh token.",
		Basis: "RFC 6749 §5.2"}},
	{code: "unauthorized_client", exp: Explanation{
		Cause: "This client may not use this grant or response type.",
		Fix:   "Use the authorization-code flow the client is registered for, or register it for this grant.",
		Basis: "RFC 6749 §4.1.2.1, §5.2"}},
}

// genericBasis is the section a rule-less error code rests on: one sent
// to the redirect URI is an authorization response (§4.1.2.1), one in a
// token response body §5.2.
func genericBasis(atRedirect bool) string {
	if atRedirect {
		return "RFC 6749 §4.1.2.1"
	}
	return "RFC 6749 §5.2"
}

// Explain says what err means and how to fix it, keyed to the error texts
// Coder returns (v2.30 and newer). It returns nil for a nil error and a
// generic explanation for errors it does not know.
func Explain(err error) *Explanation {
	if err == nil {
		return nil
	}
	var (
		oe  *client.OAuth2Error
		ce  *CallbackError
		pd  *client.ProviderDisabledError
		se  *client.SessionError
		ae  *client.APIError
		ue  *client.UnexpectedResponseError
		te  *client.TimeoutError
		be  *client.BodyTooLargeError
		re  *client.RedirectError
		cc  *ConsentCommandError
		exp Explanation
	)
	switch {
	case errors.As(err, &cc):
		exp = Explanation{Code: "consent-command",
			Cause: "The consent command did not bring a user agent to the loopback callback: it failed, or it ran and no redirect reached the listener before the deadline.",
			Fix:   "Run it by hand with " + ConsentCommandEnv + " set to the authorization URL shown; it must follow the authorization server's redirects to the redirect URI (for curl: -L).",
			Basis: "RFC 8252 §7.3 (loopback redirect)"}
	case errors.As(err, &pd):
		exp = Explanation{Code: "provider-disabled",
			Cause: "The deployment's OAuth2 provider is switched off (v2.30: 403 naming the 'oauth2' experiment; newer: 404 Route not found).",
			Fix:   "v2.30: start coder with CODER_EXPERIMENTS=oauth2. Newer (2.38+): CODER_OAUTH2_PROVIDER_ENABLE=true.",
			Basis: "Coder httpmw.RequireExperimentWithDevBypass / RequireOAuth2Provider"}
	case errors.Is(err, ErrTokenRejected):
		exp = Explanation{Code: "invalid_token",
			Cause: "The server refused the access token (401): it expired, was revoked, or was replaced by a refresh. On Coder also by a newer exchange (one live token per user and app), or its app or secret was deleted.",
			Fix:   "Refresh with the newest refresh token, or authorize again.",
			Basis: "RFC 6750 §3.1; Coder deletes the previous API key on exchange and refresh"}
	case errors.Is(err, ErrNotLoggedIn) || errors.As(err, &se):
		exp = Explanation{Code: "session",
			Cause: "The admin session is missing, invalid or expired (the authorize endpoint answers 303 to /login).",
			Fix:   "Log in again (oauthdeck login) or use browser consent.",
			Basis: "Coder httpmw/apikey.go RedirectToLogin"}
	case errors.As(err, &oe):
		exp = explainOAuth2(oe.Code, oe.Description, oe.StatusCode)
		if oe.Code == "invalid_client" && strings.Contains(oe.WWWAuthenticate, "Basic") {
			exp.Cause = "The server wants client authentication and rejected what was sent (WWW-Authenticate: Basic realm): wrong or missing secret, or a method the client is not registered for; newer Coder also requires it on refresh and revoke."
		}
	case errors.As(err, &ce):
		exp = explainCallback(ce)
	case errors.As(err, &ae):
		exp = explainAPI(ae)
	case errors.As(err, &te):
		exp = Explanation{Code: "timeout", Cause: "The server did not answer in time.", Fix: "Check the URL and that the server is up; raise the timeout.", Basis: "client timeout"}
	case errors.As(err, &be):
		exp = Explanation{Code: "body-too-large", Cause: "The response was larger than the client accepts; it was not read further.", Fix: "Check that the URL points at the server you meant.", Basis: "client size limit"}
	case errors.As(err, &re):
		exp = Explanation{Code: "redirect", Cause: "The server redirected and the client does not follow redirects (they could leak credentials).", Fix: "Use the final URL directly (check the access URL, http vs https).", Basis: "RFC 9700 §4.11"}
	case errors.As(err, &ue):
		exp = Explanation{Code: "unexpected-response", Cause: "The server answered with something that is not the expected JSON (e.g. an HTML page, Coder's SPA fallback, or a proxy error).", Fix: "Check the deployment URL and that the OAuth2 provider is enabled.", Basis: "—"}
	case errors.Is(err, ErrNotProven):
		exp = Explanation{Code: "not-revoked", Cause: "A token that should be dead still works.", Fix: "This is a server defect: report it.", Basis: "RFC 7009 §2.2; OAuth 2.1 §4.3.1"}
	default:
		var ok bool
		if exp, ok = explainTransport(err); !ok {
			exp = Explanation{Code: "error", Cause: safe.Line(err.Error()), Fix: "See the request and response of this step.", Basis: "—"}
		}
	}
	return &exp
}

func explainOAuth2(code, description string, status int) Explanation {
	// The client package keeps the server's code as sent; it is shown here.
	code = safe.Line(code)
	d := strings.ToLower(description)
	for _, r := range oauth2Rules {
		if r.code != "" && r.code != code {
			continue
		}
		if r.contains != "" && !strings.Contains(d, strings.ToLower(r.contains)) {
			continue
		}
		if r.status != 0 && r.status != status {
			continue
		}
		e := r.exp
		e.Code = code
		return e
	}
	cause := "The server returned OAuth2 error " + code + ", which RFC 6749 does not define"
	if description != "" {
		cause += ": " + safe.Line(description)
	}
	return Explanation{Code: code, Cause: cause + ".",
		Fix:   "Look the code up in the server's documentation; if the request was edited, reset it (R in the editor) and run the step again.",
		Basis: genericBasis(false)}
}

func explainCallback(ce *CallbackError) Explanation {
	switch {
	case errors.Is(ce, ErrAuthorization):
		e := explainOAuth2(ce.Code, ce.Description, 0)
		// An error sent to the redirect URI is an authorization response.
		switch {
		case e.Basis == genericBasis(false):
			e.Basis = genericBasis(true)
		case !strings.Contains(e.Basis, "§4.1.2.1"):
			e.Basis += "; sent to the redirect URI: " + genericBasis(true)
		}
		return e
	case errors.Is(ce, ErrStateMismatch), errors.Is(ce, ErrStateMissing):
		return Explanation{Code: "state", Cause: "The callback's state does not match this flow's request: it answers another request, or it is forged (CSRF).", Fix: "Start the authorization again from this flow; do not reuse old browser tabs.", Basis: "RFC 6749 §10.12; RFC 8252 §8.9"}
	case errors.Is(ce, ErrIssMismatch), errors.Is(ce, ErrIssMissing):
		return Explanation{Code: "iss", Cause: "The callback's iss is missing or names another authorization server (mix-up attack defence).", Fix: "Check which server the browser talked to; the server advertises RFC 9207 so it must send iss.", Basis: "RFC 9207 §2.4"}
	case errors.Is(ce, ErrListenTimeout):
		return Explanation{Code: "timeout", Cause: "No callback reached the loopback listener in time.", Fix: "Open the URL again, finish consent, or paste the redirect URL from the browser's address bar (SSH sessions).", Basis: "RFC 8252 §8.3"}
	case errors.Is(ce, ErrPortInUse):
		return Explanation{Code: "port-in-use", Cause: "Another program (or flow) listens on the callback port.", Fix: "Stop it, or register an app whose callback uses another port.", Basis: "RFC 8252 §7.3"}
	case errors.Is(ce, ErrNotLoopback):
		return Explanation{Code: "redirect-uri", Cause: "oauthdeck only listens on http loopback redirect URIs with a port.", Fix: "Use http://127.0.0.1:<port>/<path> as the app's callback URL.", Basis: "RFC 8252 §7.3"}
	}
	return Explanation{Code: "callback", Cause: ce.Error(), Fix: "Authorize again.", Basis: "RFC 6749 §4.1.2"}
}

func explainAPI(ae *client.APIError) Explanation {
	switch {
	case ae.StatusCode == 403 && strings.Contains(ae.Message, "audience"):
		return Explanation{Code: "audience", Cause: "The token is bound to another resource: its audience (the resource sent at authorize) is not this deployment's access URL.", Fix: "Authorize with resource set to the access URL, or with no resource.", Basis: "RFC 8707; Coder \"Token audience validation failed\""}
	case ae.StatusCode == 403:
		return Explanation{Code: "forbidden", Cause: "The user lacks permission (apps and secrets need the owner role).", Fix: "Log in as an owner.", Basis: "Coder RBAC oauth2_app"}
	case ae.StatusCode == 404 && strings.Contains(ae.Message, "application not found"):
		return Explanation{Code: "app-not-found", Cause: "The OAuth2 app does not exist (deleted?).", Fix: "Pick or create another app.", Basis: "Coder apps API"}
	case ae.StatusCode == 400 && len(ae.Validations) > 0:
		return Explanation{Code: "validation", Cause: "The server rejected fields: " + ae.Error(), Fix: "App names are 1–32 letters, digits and single hyphens; callback URLs must be http(s) URLs.", Basis: "Coder codersdk validation"}
	}
	return Explanation{Code: "api", Cause: ae.Error(), Fix: "See the response.", Basis: "Coder API"}
}
