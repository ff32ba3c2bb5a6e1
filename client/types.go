package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// BuildInfo is GET /api/v2/buildinfo.
type BuildInfo struct {
	ExternalURL           string `json:"external_url"`
	Version               string `json:"version"`
	DashboardURL          string `json:"dashboard_url"`
	Telemetry             bool   `json:"telemetry"`
	WorkspaceProxy        bool   `json:"workspace_proxy"`
	AgentAPIVersion       string `json:"agent_api_version"`
	ProvisionerAPIVersion string `json:"provisioner_api_version"`
	UpgradeMessage        string `json:"upgrade_message"`
	DeploymentID          string `json:"deployment_id"`
	// OAuth2Provider is sent by newer servers (2.38+); its exact type is not
	// confirmed, so it is kept raw. See ProviderEnabled.
	OAuth2Provider json.RawMessage `json:"oauth2_provider,omitempty"`
}

// Role is one of a user's roles.
type Role struct {
	Name           string `json:"name"`
	DisplayName    string `json:"display_name"`
	OrganizationID string `json:"organization_id,omitempty"`
}

// User is GET /api/v2/users/me.
type User struct {
	ID              string     `json:"id"`
	Username        string     `json:"username"`
	Name            string     `json:"name,omitempty"`
	AvatarURL       string     `json:"avatar_url,omitempty"`
	Email           string     `json:"email"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	LastSeenAt      *time.Time `json:"last_seen_at,omitempty"`
	Status          string     `json:"status"`
	LoginType       string     `json:"login_type"`
	ThemePreference string     `json:"theme_preference,omitempty"`
	OrganizationIDs []string   `json:"organization_ids"`
	Roles           []Role     `json:"roles"`
}

// AppEndpoints are the OAuth2 endpoints the server reports for an app.
type AppEndpoints struct {
	Authorization       string `json:"authorization"`
	Token               string `json:"token"`
	TokenRevoke         string `json:"token_revoke,omitempty"`
	Revocation          string `json:"revocation,omitempty"` // newer servers
	DeviceAuthorization string `json:"device_authorization"`
}

// App is an OAuth2 provider app. Its ID is the OAuth2 client_id.
// v2.30 sends callback_url only; newer servers add redirect_uris and scope.
type App struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	CallbackURL  string       `json:"callback_url"`
	RedirectURIs []string     `json:"redirect_uris,omitempty"`
	Icon         string       `json:"icon"`
	Scope        string       `json:"scope,omitempty"`
	Endpoints    AppEndpoints `json:"endpoints"`
	// Newer Coder (2.38): "confidential" or "public" (public only through
	// DCR), and whether the app registered itself. Empty/nil on older ones.
	ClientType            string `json:"client_type,omitempty"`
	DynamicallyRegistered *bool  `json:"dynamically_registered,omitempty"`
}

// AppRequest is the body of POST and PUT /api/v2/oauth2-provider/apps.
// The client keeps CallbackURL and RedirectURIs[0] equal so that the same
// body works on v2.30 (callback_url only) and on newer servers.
type AppRequest struct {
	Name         string   `json:"name"`
	CallbackURL  string   `json:"callback_url,omitempty"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	Icon         string   `json:"icon"`
	// Scope: nil omits the field (keep on PUT); a pointer to "" clears it.
	Scope *string `json:"scope,omitempty"`
}

// AppSecret is one entry of GET .../apps/{id}/secrets.
type AppSecret struct {
	ID                    string     `json:"id"`
	LastUsedAt            *time.Time `json:"last_used_at"`
	ClientSecretTruncated string     `json:"client_secret_truncated"`
}

// AppSecretFull is POST .../apps/{id}/secrets: the only time the full secret is shown.
type AppSecretFull struct {
	ID               string `json:"id"`
	ClientSecretFull string `json:"client_secret_full"`
}

// ASMetadata is an RFC 8414 authorization-server metadata document (or the
// OIDC discovery document, which shares these fields).
type ASMetadata struct {
	Issuer                                     string   `json:"issuer"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	RegistrationEndpoint                       string   `json:"registration_endpoint,omitempty"`
	RevocationEndpoint                         string   `json:"revocation_endpoint,omitempty"`
	IntrospectionEndpoint                      string   `json:"introspection_endpoint,omitempty"`
	UserinfoEndpoint                           string   `json:"userinfo_endpoint,omitempty"`
	DeviceAuthorizationEndpoint                string   `json:"device_authorization_endpoint,omitempty"`
	JWKSURI                                    string   `json:"jwks_uri,omitempty"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	ResponseModesSupported                     []string `json:"response_modes_supported,omitempty"`
	GrantTypesSupported                        []string `json:"grant_types_supported,omitempty"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported,omitempty"`
	ScopesSupported                            []string `json:"scopes_supported,omitempty"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	RevocationEndpointAuthMethodsSupported     []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported,omitempty"`
	ClientIDMetadataDocumentSupported          bool     `json:"client_id_metadata_document_supported,omitempty"`
}

// PRMetadata is an RFC 9728 protected-resource metadata document.
type PRMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers,omitempty"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported,omitempty"`
	ResourceName           string   `json:"resource_name,omitempty"`
	ResourceDocumentation  string   `json:"resource_documentation,omitempty"`
	JWKSURI                string   `json:"jwks_uri,omitempty"`
}

// DiscoveryAttempt is one URL tried while looking for a discovery document.
type DiscoveryAttempt struct {
	URL        string
	StatusCode int    // 0 when no response arrived
	Err        string // why this URL was not used; empty for the one used
}

// Discovered is a discovery document with where it came from.
type Discovered[T any] struct {
	Doc   T
	URL   string             // the URL that answered
	Raw   []byte             // the body as received (bounded), for display
	Tried []DiscoveryAttempt // every URL tried, in order, including the one used
	// RateLimit is the answer's X-Ratelimit-Limit: Coder 2.38 counts
	// discovery against a per-endpoint limit and says so; 0 when not sent.
	RateLimit int
}

// Challenge is one challenge of a WWW-Authenticate header.
type Challenge struct {
	Scheme  string
	Params  map[string]string // keys lower-cased; never nil
	Token68 string            // the token68 form (e.g. "Negotiate abc=="), if used instead of params
}

// ResourceHint is what a protected resource says when called without a token.
type ResourceHint struct {
	StatusCode       int
	WWWAuthenticate  string      // the raw header
	Challenges       []Challenge // parsed
	ResourceMetadata string      // the resource_metadata parameter, if any
	Scope            string      // the scope parameter, if any
}

// ClientRegistrationRequest is an RFC 7591 registration request.
type ClientRegistrationRequest struct {
	RedirectURIs            []string        `json:"redirect_uris,omitempty"`
	ClientName              string          `json:"client_name,omitempty"`
	ClientURI               string          `json:"client_uri,omitempty"`
	LogoURI                 string          `json:"logo_uri,omitempty"`
	TOSURI                  string          `json:"tos_uri,omitempty"`
	PolicyURI               string          `json:"policy_uri,omitempty"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	SoftwareID              string          `json:"software_id,omitempty"`
	SoftwareVersion         string          `json:"software_version,omitempty"`
	GrantTypes              []string        `json:"grant_types,omitempty"`
	ResponseTypes           []string        `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method,omitempty"`
	Scope                   string          `json:"scope,omitempty"`
	Contacts                []string        `json:"contacts,omitempty"`
	ApplicationType         string          `json:"application_type,omitempty"`
}

// ClientRegistration is an RFC 7591 registration response or an RFC 7592
// client configuration (which lacks the secret and the access token).
type ClientRegistration struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret,omitempty"`
	ClientIDIssuedAt        int64    `json:"client_id_issued_at,omitempty"`
	ClientSecretExpiresAt   int64    `json:"client_secret_expires_at,omitempty"`
	RedirectURIs            []string `json:"redirect_uris,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	ClientURI               string   `json:"client_uri,omitempty"`
	LogoURI                 string   `json:"logo_uri,omitempty"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
	Contacts                []string `json:"contacts,omitempty"`
	RegistrationAccessToken string   `json:"registration_access_token,omitempty"`
	RegistrationClientURI   string   `json:"registration_client_uri,omitempty"`
}

// TokenResponse is an OAuth2 token endpoint success body, kept raw as well so
// that non-standard fields (Coder's "expiry") can be shown.
type TokenResponse struct {
	AccessToken  string          `json:"access_token"`
	TokenType    string          `json:"token_type"`
	ExpiresIn    int64           `json:"expires_in,omitempty"`
	RefreshToken string          `json:"refresh_token,omitempty"`
	Scope        string          `json:"scope,omitempty"`
	IDToken      string          `json:"id_token,omitempty"`
	Expiry       *time.Time      `json:"expiry,omitempty"`
	Raw          json.RawMessage `json:"-"`
}

// maxExpiresIn caps expires_in as x/oauth2 does (about 68 years), so a huge
// value cannot wrap the expiry into the past.
const maxExpiresIn = 1<<31 - 1

// UnmarshalJSON reads a token response as x/oauth2 does: expires_in may be
// a JSON number or a numeric string, must be a whole number of seconds, and
// is capped at maxExpiresIn. A wrong field is named in the error.
func (t *TokenResponse) UnmarshalJSON(b []byte) error {
	type plain TokenResponse
	var v struct {
		plain
		ExpiresIn json.RawMessage `json:"expires_in,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("token response field %s is a JSON %s, not a %s", te.Field, te.Value, te.Type)
		}
		if errors.As(err, &te) {
			return fmt.Errorf("the token response is a JSON %s, not an object", te.Value)
		}
		return err
	}
	*t = TokenResponse(v.plain)
	secs, err := parseExpiresIn(v.ExpiresIn)
	if err != nil {
		return err
	}
	t.ExpiresIn = secs
	return nil
}

func parseExpiresIn(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("token response field expires_in is %.40s: not a number of seconds", raw)
	}
	secs, err := n.Int64()
	switch {
	case err != nil && !strings.ContainsAny(n.String(), ".eE"):
		return 0, fmt.Errorf("token response field expires_in is %.40s: out of range", n.String()) // beyond int64: x/oauth2 refuses it too
	case err != nil:
		return 0, fmt.Errorf("token response field expires_in is %.40s: not a whole number of seconds", n.String())
	}
	return min(secs, maxExpiresIn), nil
}
