package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
)

// clientMetadata is the RFC 7591 request body (and the stored copy).
type clientMetadata struct {
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
	SoftwareStatement       string          `json:"software_statement,omitempty"`
	GrantTypes              []string        `json:"grant_types,omitempty"`
	ResponseTypes           []string        `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method,omitempty"`
	Scope                   string          `json:"scope,omitempty"`
	Contacts                []string        `json:"contacts,omitempty"`
}

// registration is what the store keeps for a dynamically registered app.
type registration struct {
	issuedAt  int64
	tokenHash digest
	meta      clientMetadata
}

// registrationJSON is the 201 and RFC 7592 body. The embedded metadata
// sits where Coder puts those fields, so bodies compare byte for byte;
// validateMetadata has filled the three defaults and the store never keeps
// software_statement, so the metadata's omitempty tags drop nothing Coder sends.
type registrationJSON struct {
	ClientID         string `json:"client_id"`
	ClientSecret     string `json:"client_secret,omitempty"`
	ClientIDIssuedAt int64  `json:"client_id_issued_at"`
	clientMetadata
	RegistrationAccessToken string `json:"registration_access_token,omitempty"`
	RegistrationClientURI   string `json:"registration_client_uri"`
}

func (s *Server) registrationBody(id uuid.UUID, reg *registration) registrationJSON {
	return registrationJSON{
		ClientID: id.String(), ClientIDIssuedAt: reg.issuedAt, clientMetadata: reg.meta,
		RegistrationClientURI: s.urlFor("/oauth2/clients/" + id.String()),
	}
}

// validateMetadata fills defaults and returns an invalid_client_metadata
// description, or "".
func (s *Server) validateMetadata(m *clientMetadata) string {
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{"authorization_code", "refresh_token"}
	}
	if len(m.ResponseTypes) == 0 {
		m.ResponseTypes = []string{"code"}
	}
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = "client_secret_basic"
	}
	public := s.b.publicClients && m.TokenEndpointAuthMethod == "none"
	if len(m.RedirectURIs) == 0 {
		return "redirect_uris is required for authorization code flow"
	}
	if s.b.redirectURIsLimited && len(m.RedirectURIs) > 32 {
		return "invalid redirect_uris: at most 32 redirect URIs are allowed"
	}
	for i, raw := range m.RedirectURIs {
		problem := redirectURIProblem(raw, public)
		if problem == "" {
			if u, _ := url.Parse(raw); u != nil && !strings.HasPrefix(strings.ToLower(u.Scheme), "http") &&
				raw != "urn:ietf:wg:oauth:2.0:oob" && !strings.Contains(u.Scheme, ".") {
				problem = "uses a custom scheme that is not in reverse domain notation"
			}
		}
		if problem != "" {
			return fmt.Sprintf("invalid redirect_uris: redirect URI at index %d %s", i, problem)
		}
	}
	hasCode := false
	for _, g := range m.GrantTypes {
		switch g {
		case "authorization_code":
			hasCode = true
		case "refresh_token":
		default:
			return fmt.Sprintf("invalid grant_types: unsupported grant type %q", g)
		}
	}
	if !hasCode {
		return "invalid grant_types: authorization_code grant type is required"
	}
	for _, rt := range m.ResponseTypes {
		if rt != "code" {
			return fmt.Sprintf("invalid response_types: unsupported response type %q", rt)
		}
	}
	switch m.TokenEndpointAuthMethod {
	case "client_secret_basic", "client_secret_post", "none":
	default:
		return fmt.Sprintf("unsupported token_endpoint_auth_method %q", m.TokenEndpointAuthMethod)
	}
	if s.b.scopesEnforced {
		if bad := unknownScopes(m.Scope); len(bad) > 0 {
			return fmt.Sprintf("invalid scope: unknown scope %q", bad[0])
		}
	}
	return ""
}

// readMetadata decodes and validates an RFC 7591 body for register and
// update, writing the 400 when it fails.
func (s *Server) readMetadata(w http.ResponseWriter, r *http.Request) (clientMetadata, bool) {
	var m clientMetadata
	if !decodeJSON(w, r, &m) {
		return m, false
	}
	if problem := s.validateMetadata(&m); problem != "" {
		writeRegistrationError(w, http.StatusBadRequest, "invalid_client_metadata", problem)
		return m, false
	}
	m.SoftwareStatement = "" // accepted but not kept
	return m, true
}

// clientName defaults and cuts to 64 characters with a hash suffix, so
// different long names stay distinct.
func clientName(name string) string {
	if name == "" {
		return "Dynamically Registered Client"
	}
	if len(name) <= 64 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return cutUTF8(name, 55) + "-" + hex.EncodeToString(sum[:])[:8]
}

// handleRegister is RFC 7591. v2.30 is open to anyone; main refuses while
// DCR is off. We chose 403 {"error":"access_denied"} for that case, the
// status the upstream PR describes.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	s.store.mu.Lock()
	on := s.store.dcrOn
	s.store.mu.Unlock()
	if !on {
		writeRegistrationError(w, http.StatusForbidden, "access_denied", "Dynamic client registration is disabled")
		return
	}
	m, ok := s.readMetadata(w, r)
	if !ok {
		return
	}
	token := randomAlnum(regTokenLen)
	reg := &registration{issuedAt: s.now().Unix(), tokenHash: hashSecret(token), meta: m}
	a := &app{id: uuid.New(), name: clientName(m.ClientName), icon: m.LogoURI, createdAt: s.now(), reg: reg,
		public: s.b.publicClients && m.TokenEndpointAuthMethod == "none"}
	a.redirectURIs = registeredURIs(s.b.appRedirectURIs, m)
	if s.b.appRedirectURIs {
		a.scope = m.Scope
	}
	s.store.mu.Lock()
	s.store.apps[a.id] = a
	s.auditLocked(r, "create", "oauth2_provider_app", a.id, a.name, http.StatusCreated, appDiff(nil, a))
	body := s.registrationBody(a.id, reg)
	if !a.public {
		body.ClientSecret, _ = s.addSecretLocked(a.id)
	}
	s.store.mu.Unlock()
	body.RegistrationAccessToken = token
	writeJSON(w, http.StatusCreated, body)
}

// registeredURIs: v2.30 keeps only the first URI as the callback; main
// makes all of them usable.
func registeredURIs(main bool, m clientMetadata) []string {
	if !main {
		return []string{m.RedirectURIs[0]}
	}
	uris, _ := normalizeRedirectURIs(m.RedirectURIs, m.TokenEndpointAuthMethod == "none")
	return uris
}
