package sandbox

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// handleClientConfig is RFC 7592: read, update or delete a dynamically
// registered client with its registration access token.
func (s *Server) handleClientConfig(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPut && r.Method != http.MethodDelete {
		writeMethodNotAllowed(w, http.MethodDelete, http.MethodGet, http.MethodPut)
		return
	}
	id, err := uuid.Parse(r.PathValue("client"))
	if err != nil {
		writeRegistrationError(w, http.StatusBadRequest, "invalid_client_id", "Invalid client ID format")
		return
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		writeRegistrationError(w, http.StatusUnauthorized, "invalid_token", "Missing Authorization header")
		return
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "bearer") {
		writeRegistrationError(w, http.StatusUnauthorized, "invalid_token", "Authorization header must use Bearer scheme")
		return
	}
	token = strings.TrimSpace(token)
	if token == "" {
		writeRegistrationError(w, http.StatusUnauthorized, "invalid_token", "Missing registration access token")
		return
	}
	s.store.mu.Lock()
	a, ok := s.store.apps[id]
	var reg *registration
	if ok {
		reg = a.reg
	}
	s.store.mu.Unlock()
	switch {
	case !ok:
		writeRegistrationError(w, http.StatusUnauthorized, "invalid_token", "Client not found")
		return
	case reg == nil:
		writeRegistrationError(w, http.StatusForbidden, "invalid_token", "Client was not dynamically registered")
		return
	case !reg.tokenHash.matches(token):
		writeRegistrationError(w, http.StatusUnauthorized, "invalid_token", "Invalid registration access token")
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.store.mu.Lock()
		body := s.registrationBody(id, reg)
		s.store.mu.Unlock()
		writeJSON(w, http.StatusOK, body)
	case http.MethodDelete:
		s.store.mu.Lock()
		if a, ok := s.store.apps[id]; ok {
			s.auditLocked(r, "delete", "oauth2_provider_app", id, a.name, http.StatusNoContent, appDiff(a, nil))
		}
		s.store.deleteApp(id)
		s.store.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPut:
		s.updateRegistration(w, r, id)
	}
}

func (s *Server) updateRegistration(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	m, ok := s.readMetadata(w, r)
	if !ok {
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	a, ok := s.store.apps[id]
	if !ok || a.reg == nil {
		writeRegistrationError(w, http.StatusUnauthorized, "invalid_token", "Client not found")
		return
	}
	if s.b.publicClients && a.public != (m.TokenEndpointAuthMethod == "none") {
		writeRegistrationError(w, http.StatusBadRequest, "invalid_client_metadata", "token_endpoint_auth_method cannot switch a client between public and confidential")
		return
	}
	before := *a
	defer func() {
		s.auditLocked(r, "write", "oauth2_provider_app", id, a.name, http.StatusOK, appDiff(&before, a))
	}()
	a.reg.meta = m
	a.name, a.icon = clientName(m.ClientName), m.LogoURI
	a.redirectURIs = registeredURIs(s.b.appRedirectURIs, m)
	if s.b.appRedirectURIs {
		a.scope = m.Scope
	}
	writeJSON(w, http.StatusOK, s.registrationBody(id, a.reg))
}
