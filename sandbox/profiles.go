package sandbox

import (
	"fmt"
	"strings"
)

// Compat selects which Coder version the sandbox reproduces: a profile, that
// is a named set of behaviours.
type Compat string

const (
	// CompatMain is the default: the newer, stricter Coder of the 2.38 line
	// (the provider behind a flag, scopes enforced, clients bound to codes).
	CompatMain Compat = "main"
	// CompatV236 reproduces Coder v2.36.0 as observed (coder-v2.36-observed.md):
	// the experiment era with PKCE required and Basic client authentication,
	// but v2.30's lenient client binding.
	CompatV236 Compat = "v2.36"
	// CompatV230 reproduces Coder v2.30.0 as observed (coder-v2.30-observed.md).
	CompatV230 Compat = "v2.30"
)

// Profiles lists the profiles, newest first, for help texts and completion.
func Profiles() []Compat { return []Compat{CompatMain, CompatV236, CompatV230} }

// ParseCompat reads a --compat value: a profile name, with or without the
// leading v and a patch number. v2.38 names main (its version); v2.37 is an
// alias of v2.36 until a real v2.37 has been measured.
func ParseCompat(s string) (Compat, error) {
	v := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v")
	v = strings.TrimSuffix(v, ".0")
	switch v {
	case "", "main", "2.38":
		return CompatMain, nil
	case "2.36", "2.37":
		return CompatV236, nil
	case "2.30":
		return CompatV230, nil
	}
	return "", fmt.Errorf("unknown Coder profile %q (want main or v2.38, v2.36 or v2.37, v2.30)", s)
}

// behaviours are the differences between Coder versions, one field each.
// Handlers read a field, never the profile's name, so a profile is only a
// list of values and a new version is a new entry in profileBehaviours.
type behaviours struct {
	version string // what /api/v2/buildinfo reports

	// Enablement.
	providerFlag bool     // 2.38+: a disabled provider answers 404 everywhere (discovery too) and buildinfo says oauth2_provider; before, the experiment's 403
	dcrSettings  bool     // DCR starts off and owners toggle it at /api/v2/oauth2-provider/settings; without it DCR is always open
	experiments  []string // GET /api/v2/experiments

	// Apps and their management API.
	appRedirectURIs  bool // apps carry redirect_uris and a scope allowlist, and create/update keep them; before, both are dropped
	secretLastUsed   bool // a secret's last_used_at is set when it authenticates a client; v2.30.0 kept it null after use
	nullEmptyAppList bool // an empty filtered list is encoded as null (a nil Go slice)
	lateMethodCheck  bool // /oauth2/tokens parses the client before the method is checked

	// Discovery.
	authMethods       []string // token_endpoint_auth_methods_supported
	asMetadataSubpath bool     // /.well-known/oauth-authorization-server/* serves the document too

	// The authorization endpoint.
	redirectedErrors bool // the 2.38 parser: errors go back to the client's redirect URI, the form body counts, repeats are refused
	pkceRequired     bool // code_challenge is required (the older parser; the 2.38 one always requires it)
	codeOnly         bool // response_type=token is refused (unsupported_response_type)
	exactRedirect    bool // redirect_uri equals the callback exactly; before, v2.30's same-host, path-prefix rule
	consentCSRF      bool // the consent form carries a CSRF token, checked for cookie sessions
	authorizeCORS    bool // the authorize page sends permissive CORS like the other /oauth2 paths

	// The token endpoint.
	noStore             bool // Cache-Control: no-store on token responses (with Pragma: no-cache) and the consent page
	basicClientAuth     bool // HTTP Basic client credentials are read (and must agree with the body)
	strictClientParams  bool // a client_secret in the URL query and repeated parameters are refused
	basicRealm          bool // invalid_client carries WWW-Authenticate: Basic realm="coder"
	unknownTokenParams  bool // unknown parameter names are refused (v2.30's parser)
	boundTokenRedirect  bool // redirect_uri at the token step must equal the one sent at authorize
	clientBoundCodes    bool // the code grant authenticates client_id's own secret and the code must be its own
	clientBoundRefresh  bool // refresh authenticates the client and the token must be its own
	clientBoundRevoke   bool // revocation authenticates the client
	scopesEnforced      bool // the negotiated scope is minted, returned, narrowed on refresh and enforced by the API
	publicClients       bool // DCR honours token_endpoint_auth_method=none (a public client)
	redirectURIsLimited bool // DCR refuses more than 32 redirect URIs
	rateLimits          bool // /oauth2/* and the .well-known documents: 60 a minute per endpoint and caller; owners may bypass
	noStoreTree         bool // every /oauth2/* and /api/v2/oauth2-provider/* answer carries no-store and Pragma: no-cache
	formLimit413        bool // an oversized token or revoke form is 413 invalid_request; before, the parser's 400

	// The MCP endpoint.
	mcpScopedTools bool // tools/list names tools that each need scopes, and a tools/call without them is 403 insufficient_scope naming all of them (MCP 2026-07-28); before, no tools and no tools/call
}

var profileBehaviours = map[Compat]behaviours{
	CompatV230: {
		version:            "v2.30.0",
		experiments:        []string{"oauth2", "mcp-server-http"},
		nullEmptyAppList:   true,
		lateMethodCheck:    true,
		authMethods:        []string{"client_secret_post"},
		asMetadataSubpath:  true,
		authorizeCORS:      true,
		unknownTokenParams: true,
	},
	CompatV236: {
		version:            "v2.36.0",
		experiments:        []string{"oauth2", "mcp-server-http"},
		nullEmptyAppList:   true,
		lateMethodCheck:    true,
		authMethods:        []string{"client_secret_basic", "client_secret_post"},
		asMetadataSubpath:  true,
		authorizeCORS:      true,
		pkceRequired:       true,
		codeOnly:           true,
		exactRedirect:      true,
		basicClientAuth:    true,
		unknownTokenParams: true,
		boundTokenRedirect: true,
	},
	CompatMain: {
		version:             "v2.38.0-devel+sandbox",
		providerFlag:        true,
		dcrSettings:         true,
		experiments:         []string{"mcp-server-http"},
		appRedirectURIs:     true,
		secretLastUsed:      true,
		authMethods:         []string{"client_secret_basic", "client_secret_post", "none"},
		redirectedErrors:    true,
		pkceRequired:        true,
		codeOnly:            true,
		exactRedirect:       true,
		consentCSRF:         true,
		noStore:             true,
		basicClientAuth:     true,
		strictClientParams:  true,
		basicRealm:          true,
		boundTokenRedirect:  true,
		clientBoundCodes:    true,
		clientBoundRefresh:  true,
		clientBoundRevoke:   true,
		scopesEnforced:      true,
		publicClients:       true,
		redirectURIsLimited: true,
		rateLimits:          true,
		noStoreTree:         true,
		formLimit413:        true,
		mcpScopedTools:      true,
	},
}
