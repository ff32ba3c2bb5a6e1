package check

import "context"

// definition is one entry of the registry: a stable id, what it checks, the
// rule it rests on and that rule's strength, and the function that runs it.
type definition struct {
	ID    string
	Title string
	Basis string
	Level Level
	run   func(ctx context.Context, s *suite, p *probe) verdict
}

// Info describes a check without running it (for listings and for the TUI
// to draw pending rows before results arrive).
type Info struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Basis string `json:"basis"`
	Level Level  `json:"level"`
}

// Checks lists the registry in run order.
func Checks() []Info {
	out := make([]Info, len(registry))
	for i, d := range registry {
		out[i] = Info{ID: d.ID, Title: d.Title, Basis: d.Basis, Level: d.Level}
	}
	return out
}

// registry is the suite, in run order. The order matters: Coder keeps one
// outstanding code and one live token pair per (user, app), so checks that
// hand results to the next one sit next to each other. Ids are stable; add
// new checks, never rename.
var registry = []definition{
	// Discovery and the resource server's challenge.
	{"discovery.as-metadata", "Authorization server metadata is published and complete",
		"RFC 8414 §2, §3; MCP 2025-11-25 Authorization Server Metadata Discovery", Must, checkASMetadata},
	{"discovery.issuer", "Metadata issuer equals the URL it was fetched from (https or loopback)",
		"RFC 8414 §2, §3.3", Must, checkIssuer},
	{"discovery.pkce-methods", "Metadata lists S256 in code_challenge_methods_supported",
		"MCP 2025-11-25 Authorization Code Protection; RFC 7636 §4.2; RFC 9700 §2.1.1", Must, checkPKCEMethods},
	{"discovery.protected-resource", "Protected resource metadata names the resource and its authorization server",
		"RFC 9728 §2, §3.3; MCP 2025-06-18 Authorization Server Location", Must, checkProtectedResource},
	{"token.www-authenticate", "Unauthenticated API call gets 401 with a Bearer challenge and resource_metadata",
		"RFC 6750 §3; RFC 9728 §5.1; MCP 2025-06-18 Authorization Server Location", Must, checkWWWAuthenticate},

	// The good path, as Coder's own test script walks it.
	{"setup.apps", "Create the suite's test apps and secrets",
		"Coder apps API /api/v2/oauth2-provider/apps", Must, checkSetup},
	{"flow.pkce", "Authorization code with PKCE S256 is issued and exchanged with its verifier",
		"RFC 7636 §4.3–4.6; RFC 6749 §4.1, §5.1", Must, checkFlowPKCE},
	{"authorize.state", "state is returned unchanged with the code",
		"RFC 6749 §4.1.2", Must, checkState},
	{"authorize.iss", "iss in the authorization response equals the issuer",
		"RFC 9207 §2, §2.4; MCP 2026-07-28 (iss)", Must, checkIss},
	{"token.cache-control", "Token response carries Cache-Control: no-store",
		"RFC 6749 §5.1; OAuth 2.1 §3.2.3", Must, checkCacheControl},
	{"flow.resource", "resource parameter is accepted at authorization and token requests",
		"RFC 8707 §2, §2.1, §2.2; MCP 2025-06-18 Resource Parameter Implementation", Must, checkFlowResource},
	{"token.bearer-use", "Access token for the deployment works as a Bearer token on its API",
		"RFC 6750 §2.1; RFC 8707 §2", Must, checkBearerUse},
	{"mcp.www-authenticate", "MCP endpoint answers 401 with a Bearer challenge and resource_metadata",
		"MCP 2025-06-18 Authorization Server Location; RFC 9728 §5.1", Must, checkMCPChallenge},
	{"mcp.bearer-use", "MCP endpoint accepts a token issued for the deployment",
		"MCP 2025-06-18 Access Token Usage; RFC 6750 §2.1", Must, checkMCPBearer},
	{"mcp.tools-list", "MCP initialize then tools/list work with the token, in one session",
		"MCP 2025-06-18 Access Token Usage; MCP 2025-06-18 Lifecycle", Must, checkMCPToolsList},
	{"mcp.prm-discovery", "Protected resource metadata is found where MCP clients look, in their order",
		"MCP 2025-11-25 Protected Resource Metadata Discovery; RFC 9728 §3.1, §5.1", Must, checkMCPPRMDiscovery},
	{"mcp.unknown-token", "MCP endpoint refuses, with 401, a token nobody was issued",
		"MCP 2025-06-18 Token Handling (invalid or expired tokens: 401); RFC 6750 §3.1", Must, checkMCPUnknownToken},
	{"mcp.expired-token", "MCP endpoint refuses, with 401, an access token whose expires_in is over",
		"MCP 2025-06-18 Token Handling (invalid or expired tokens: 401); RFC 6750 §3.1", Must, checkMCPExpiredToken},
	{"mcp.client-registration", "An MCP client without a pre-registered client_id can get one (CIMD, then DCR)",
		"MCP 2026-07-28 Client Registration Approaches; RFC 7591", Should, checkMCPClientRegistration},
	// Scopes at the MCP endpoint; each mints its own tokens, after the checks that share one.
	{"mcp.scope-challenge", "A read-only tool call beyond the token's scope gets 403 and one insufficient_scope challenge",
		"MCP 2025-11-25 Scope Challenge Handling; MCP 2026-07-28 Runtime Insufficient Scope Errors (SEP-2350: every needed scope in one challenge); RFC 6750 §3.1", Should, checkMCPScopeChallenge},
	{"mcp.scope-step-up", "One retry with a token for the previous plus the challenged scopes gets through",
		"MCP 2025-11-25 Step-Up Authorization Flow; MCP 2026-07-28 Runtime Insufficient Scope Errors (SEP-2350: union of scopes); RFC 6750 §3.1", Should, checkMCPScopeStepUp},
	{"flow.pkce-wrong-verifier", "Token request with a wrong or missing code_verifier is refused",
		"RFC 7636 §4.5, §4.6", Must, checkWrongVerifier},

	// Negative probes at the authorization endpoint.
	{"authorize.pkce-required", "Authorization request without code_challenge is refused",
		"OAuth 2.1 §4.1.1, §7.5.1; RFC 9700 §2.1.1; MCP 2025-06-18 (PKCE required)", Should, checkPKCERequired},
	{"token.pkce-downgrade", "code_verifier is refused for a code issued without code_challenge",
		"RFC 9700 §2.1.1 (PKCE downgrade); OAuth 2.1 §4.1.3", Must, checkPKCEDowngrade},
	{"authorize.plain-refused", "code_challenge_method=plain is refused",
		"RFC 9700 §2.1.1; OAuth 2.1 §4.1.1; MCP 2025-11-25 (S256)", Should, checkPlainRefused},
	{"authorize.response-type", "response_type=token is refused with unsupported_response_type",
		"RFC 6749 §3.1.1, §4.1.2.1; RFC 9700 §2.1.2", Must, checkResponseType},
	{"authorize.redirect-mismatch", "Unregistered redirect_uri is refused without redirecting to it",
		"RFC 6749 §3.1.2.4, §4.1.2.1; RFC 9700 §4.1.3", Must, checkAuthorizeRedirectMismatch},
	{"authorize.error-state", "Authorization errors redirected to the client carry its state",
		"RFC 6749 §4.1.2.1", Must, checkErrorState},
	{"authorize.loopback-port", "Loopback redirect URI is accepted on another port",
		"RFC 8252 §7.3; RFC 9700 §4.1.3", Should, checkLoopbackPort},

	// Negative probes at the token endpoint.
	{"token.redirect-mismatch", "Code is refused when redirect_uri differs from the authorization request",
		"RFC 6749 §4.1.3", Must, checkTokenRedirectMismatch},
	{"token.resource-mismatch", "Code is refused when resource differs from the authorization request",
		"RFC 8707 §2.2 (invalid_target)", Must, checkResourceMismatch},
	{"token.audience-binding", "Token for another resource is not accepted by the deployment's API",
		"RFC 8707 §2; MCP 2025-06-18 Token Audience Binding and Validation", Must, checkAudienceBinding},
	{"mcp.wrong-audience", "MCP endpoint refuses, with 401, a token issued for another resource",
		"MCP 2025-06-18 Token Audience Binding and Validation; RFC 6750 §3.1", Must, checkMCPWrongAudience},
	{"code.single-use", "Authorization code works once; a replay is refused",
		"RFC 6749 §4.1.2, §10.5; OAuth 2.1 §4.1.3", Must, checkCodeSingleUse},
	{"code.client-binding", "Code is refused with another client's credentials",
		"RFC 6749 §4.1.3, §10.5", Must, checkCodeClientBinding},
	{"token.bad-client-secret", "Wrong or missing client secret is refused with invalid_client",
		"RFC 6749 §2.3.1, §3.2.1, §5.2", Must, checkBadClientSecret},
	{"token.secret-in-query", "Client secret in the token request's URL query is not accepted",
		"RFC 6749 §2.3.1; OAuth 2.1 §2.4.1", Should, checkSecretInQuery},
	{"token.auth-methods", "Every advertised client authentication method works at the token endpoint",
		"RFC 8414 §2 (token_endpoint_auth_methods_supported); RFC 6749 §2.3.1", Must, checkAuthMethods},
	{"token.unsupported-grant", "password grant is refused with unsupported_grant_type",
		"RFC 6749 §5.2; RFC 9700 §2.4; OAuth 2.1 §10", Must, checkUnsupportedGrant},

	// Refresh and revocation.
	{"refresh.rotation", "Refresh issues a new refresh token and the old one stops working",
		"OAuth 2.1 §4.3.1; RFC 9700 §4.14.2; MCP 2025-06-18 Token Theft", Should, checkRefreshRotation},
	{"refresh.client-auth", "Refresh is refused without the client's own valid credentials",
		"RFC 6749 §6, §10.4", Must, checkRefreshClientAuth},
	{"revoke.client-auth", "Revocation is refused with a wrong client secret and the token survives",
		"RFC 7009 §2.1, §2.2.1", Must, checkRevokeClientAuth},
	{"revoke.rfc7009", "Revoking the refresh token answers 200 and the token stops working",
		"RFC 7009 §2.1, §2.2", Must, checkRevoke},

	// Transport: what may and may not be cached (added after the v2.30.0 and v2.36.0 measurements).
	{"transport.no-store", "Nothing under /oauth2 and the apps API may be cached (Cache-Control: no-store)",
		"RFC 6749 §5.1; RFC 9700 §4.10; Coder 2.38 (nostore on both trees)", Should, checkNoStoreTree},
	{"discovery.cacheable", "Discovery documents are not marked uncacheable",
		"RFC 9728 §5 (cacheable metadata); RFC 8414 §3", Should, checkDiscoveryCacheable},
	{"token.body-limit", "An oversized token request is refused with 413, not read",
		"RFC 9110 §15.5.14 (413 Content Too Large); Coder 2.38 formlimit", Should, checkBodyLimit},

	// Dynamic client registration, where offered.
	{"dcr.redirect-rules", "Registration refuses non-loopback http and fragment redirect URIs",
		"RFC 7591 §2, §3.2.2; RFC 6749 §3.1.2; MCP 2025-06-18 Communication Security", Must, checkDCRRedirectRules},
}
