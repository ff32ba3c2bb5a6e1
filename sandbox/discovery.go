package sandbox

import (
	"net/http"
)

// scopeCatalogue is the 48 external scope names a Coder v2.30 deployment
// advertises (data from the observed discovery document).
var scopeCatalogue = []string{
	"api_key:*", "api_key:create", "api_key:delete", "api_key:read", "api_key:update",
	"coder:all", "coder:apikeys.manage_self", "coder:application_connect", "coder:templates.author",
	"coder:templates.build", "coder:workspaces.access", "coder:workspaces.create", "coder:workspaces.delete",
	"coder:workspaces.operate",
	"file:*", "file:create", "file:read",
	"organization:*", "organization:delete", "organization:read", "organization:update",
	"task:*", "task:create", "task:delete", "task:read", "task:update",
	"template:*", "template:create", "template:delete", "template:read", "template:update", "template:use",
	"user:read_personal", "user:update_personal",
	"user_secret:*", "user_secret:create", "user_secret:delete", "user_secret:read", "user_secret:update",
	"workspace:*", "workspace:application_connect", "workspace:create", "workspace:delete", "workspace:read",
	"workspace:ssh", "workspace:start", "workspace:stop", "workspace:update",
}

var knownScope = func() map[string]bool {
	m := make(map[string]bool, len(scopeCatalogue))
	for _, s := range scopeCatalogue {
		m[s] = true
	}
	return m
}()

// asMetadata keeps the field order of Coder's document so bodies compare
// byte for byte.
type asMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	RegistrationEndpoint              string   `json:"registration_endpoint,omitempty"`
	RevocationEndpoint                string   `json:"revocation_endpoint,omitempty"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
}

type prMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
}

func (s *Server) handleASMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeMethodNotAllowed(w, http.MethodGet)
		return
	}
	doc := asMetadata{
		Issuer:                            s.url,
		AuthorizationEndpoint:             s.urlFor("/oauth2/authorize"),
		TokenEndpoint:                     s.urlFor("/oauth2/tokens"),
		RevocationEndpoint:                s.urlFor("/oauth2/revoke"),
		ResponseTypesSupported:            []string{"code"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ScopesSupported:                   scopeCatalogue,
		TokenEndpointAuthMethodsSupported: s.b.authMethods,
	}
	s.store.mu.Lock()
	if s.store.dcrOn {
		doc.RegistrationEndpoint = s.urlFor("/oauth2/register")
	}
	s.store.mu.Unlock()
	writeJSON(w, http.StatusOK, doc)
}

// handleASMetadataSuffix: v2.30 routes /.well-known/oauth-authorization-server/*
// to the same document; main does not, so the SPA answers.
func (s *Server) handleASMetadataSuffix(w http.ResponseWriter, r *http.Request) {
	if !s.b.asMetadataSubpath {
		s.handleSPA(w, r)
		return
	}
	s.handleASMetadata(w, r)
}

func (s *Server) handlePRMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeMethodNotAllowed(w, http.MethodGet)
		return
	}
	writeJSON(w, http.StatusOK, prMetadata{
		Resource:               s.url,
		AuthorizationServers:   []string{s.url},
		ScopesSupported:        scopeCatalogue,
		BearerMethodsSupported: []string{"header", "query"},
	})
}
