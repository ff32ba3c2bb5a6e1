package check

// Fix is what an admin can do when check id fails or warns: what to
// upgrade, enable or change, in one line ("" for an unknown id). The
// versions are those of the sandbox's profiles (README: v2.30, the 2.31–2.37
// experiment line measured on v2.36.0, 2.38+).
func Fix(id string) string { return fixes[id] }

// fixes is written for the admin of the deployment, not a client author;
// every id of the registry has one (a test holds it to that).
var fixes = map[string]string{
	"discovery.as-metadata":        "Enable the OAuth2 provider (2.38+: CODER_OAUTH2_PROVIDER_ENABLE=true; before: CODER_EXPERIMENTS=oauth2) and let any proxy pass /.well-known/oauth-authorization-server through",
	"discovery.issuer":             "Set CODER_ACCESS_URL to the exact https URL clients reach Coder at (the issuer comes from it); a proxy must not change the scheme or host",
	"discovery.pkce-methods":       "Upgrade Coder, which advertises S256; a proxy or hand-made metadata document must keep S256 in code_challenge_methods_supported",
	"discovery.protected-resource": "Upgrade Coder and let any proxy pass /.well-known/oauth-protected-resource through; CODER_ACCESS_URL must be the URL clients use",
	"token.www-authenticate":       "Let any proxy pass Coder's 401 and its WWW-Authenticate header through unchanged",
	"setup.apps":                   "Run the suite with an owner's session, with the OAuth2 provider enabled (2.38+: CODER_OAUTH2_PROVIDER_ENABLE=true; before: CODER_EXPERIMENTS=oauth2)",
	"flow.pkce":                    "Enable the OAuth2 provider and run as an owner who may consent; the evidence shows which step was refused",
	"authorize.state":              "Upgrade Coder; a proxy must not drop or rewrite the query string of the redirect to the callback",
	"authorize.iss":                "Set CODER_ACCESS_URL to the URL clients use: iss must equal the advertised issuer",
	"token.cache-control":          "Upgrade to Coder 2.38+, whose token responses carry Cache-Control: no-store (v2.30 and v2.36 send none); until then add it at the proxy for /oauth2/tokens",
	"flow.resource":                "Upgrade Coder; clients must ask for resource equal to CODER_ACCESS_URL, the audience Coder's API accepts",
	"token.bearer-use":             "Set CODER_ACCESS_URL to the resource clients ask tokens for, and let any proxy pass the Authorization header through",
	"mcp.www-authenticate":         "Enable Coder's MCP server (CODER_EXPERIMENTS=mcp-server-http) and let any proxy pass its 401 and WWW-Authenticate header through",
	"mcp.bearer-use":               "Enable Coder's MCP server (CODER_EXPERIMENTS=mcp-server-http) and let any proxy pass the Authorization header to /api/experimental/mcp/http",
	"mcp.tools-list":               "Enable Coder's MCP server (CODER_EXPERIMENTS=mcp-server-http); a proxy must keep the Mcp-Session-Id header between requests",
	"mcp.prm-discovery":            "Let any proxy serve /.well-known/oauth-protected-resource (and its path-suffixed form) from Coder, not its own 404",
	"mcp.unknown-token":            "Let any proxy pass the MCP endpoint's 401 through unchanged (a redirect to a login page or a 403 confuses MCP clients)",
	"mcp.expired-token":            "Let any proxy pass the MCP endpoint's 401 through unchanged; upgrade Coder if an expired token is still accepted",
	"mcp.client-registration":      "To let MCP clients connect without a pre-registered app, turn dynamic client registration on in the OAuth2 provider settings (2.38+); otherwise create an app per client",
	"mcp.scope-challenge":          "Upgrade to Coder 2.38+, which enforces scopes and answers 403 with one insufficient_scope challenge",
	"mcp.scope-step-up":            "Upgrade to Coder 2.38+, which enforces scopes, so a token with the challenged scopes gets through",
	"flow.pkce-wrong-verifier":     "Upgrade Coder: a code must be redeemable only with its own code_verifier",
	"authorize.pkce-required":      "Upgrade Coder past v2.30 (v2.36 and 2.38+ require PKCE for every client)",
	"token.pkce-downgrade":         "Upgrade Coder past v2.30 (later versions issue no code without code_challenge, so there is none to downgrade)",
	"authorize.plain-refused":      "Only code_challenge_method=S256 may be accepted; every Coder measured refuses plain, so look at what answers in front of it (a proxy, another server)",
	"authorize.response-type":      "Upgrade Coder past v2.30 (v2.36 and 2.38+ refuse response_type=token with unsupported_response_type)",
	"authorize.redirect-mismatch":  "Upgrade Coder and register only exact callbacks: an unregistered redirect_uri must be refused without a redirect to it",
	"authorize.error-state":        "Upgrade to Coder 2.38+, which sends authorization errors back to the client with its state",
	"authorize.loopback-port":      "Upgrade to Coder 2.38+, which accepts a loopback callback on any port; until then register the port each native client uses",
	"token.redirect-mismatch":      "Upgrade Coder past v2.30 (v2.36 and 2.38+ hold the token request's redirect_uri to the authorization request's)",
	"token.resource-mismatch":      "Upgrade Coder: the token request's resource must match the one authorized",
	"token.audience-binding":       "Upgrade Coder, and keep CODER_ACCESS_URL the one resource clients ask for: a token for another resource must not work on the API",
	"mcp.wrong-audience":           "Upgrade Coder: the MCP endpoint must refuse a token for another resource, with 401",
	"code.single-use":              "Upgrade Coder: a code must stop working once it has been exchanged",
	"code.client-binding":          "Upgrade to Coder 2.38+, which binds each code to the client it was issued to (v2.30 and v2.36 let another app redeem it)",
	"token.bad-client-secret":      "Upgrade Coder; meanwhile rotate any client secret that may have leaked (app detail, R)",
	"token.secret-in-query":        "Upgrade to Coder 2.38+, which refuses a client_secret in the URL; clients should send it in the body or an Authorization: Basic header",
	"token.auth-methods":           "Let any proxy pass the Authorization header to /oauth2/tokens (client_secret_basic needs it), or upgrade Coder",
	"token.unsupported-grant":      "Upgrade Coder: only authorization_code and refresh_token grants may be accepted",
	"refresh.rotation":             "Upgrade Coder: each refresh must issue a new refresh token and retire the old one",
	"refresh.client-auth":          "Upgrade to Coder 2.38+, which checks the client's own secret on refresh (v2.30 and v2.36 ignore it)",
	"revoke.client-auth":           "Upgrade to Coder 2.38+, which authenticates the client at /oauth2/revoke (v2.30 and v2.36 ignore the secret)",
	"revoke.rfc7009":               "Upgrade Coder: a revoked refresh token, and the access tokens of its grant, must stop working",
	"transport.no-store":           "Upgrade to Coder 2.38+, which sends Cache-Control: no-store on /oauth2 and the apps API; until then add it at the proxy",
	"discovery.cacheable":          "Let the discovery documents be cached: drop any proxy rule that adds no-store, no-cache or max-age=0 to /.well-known/*",
	"token.body-limit":             "Upgrade to Coder 2.38+, which refuses an oversized token request with 413; until then cap request bodies at the proxy",
	"dcr.redirect-rules":           "Upgrade Coder: registration must refuse non-loopback http and fragment redirect URIs; or turn dynamic client registration off",
}
