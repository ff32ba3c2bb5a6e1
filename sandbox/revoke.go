package sandbox

import (
	"net/http"
	"strings"
)

// handleRevoke is RFC 7009. v2.30 needs client_id only to find the app and
// never checks the secret; main authenticates confidential clients first.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	a, secret, ok := s.formClient(w, r)
	if !ok {
		return
	}
	if s.b.clientBoundRevoke {
		if _, ok := s.authenticateClient(w, a, secret); !ok {
			return
		}
	}
	token := r.Form.Get("token")
	if token == "" {
		writeOAuth2(w, http.StatusBadRequest, "invalid_request", "missing token parameter")
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	// Coder decides the type by shape, not by token_type_hint.
	if strings.HasPrefix(token, "coder_") {
		prefix, _, ok := parseFormattedSecret(token)
		if !ok {
			writeOAuth2(w, http.StatusBadRequest, "invalid_request", "Invalid token format")
			return
		}
		rt := s.store.refresh[prefix]
		switch {
		case rt == nil || rt.appID != a.id:
			// Unknown, or another app's token: 200 and nothing happens.
		case !rt.hash.matches(token):
			writeOAuth2(w, http.StatusInternalServerError, "server_error", "Internal server error")
			return
		default:
			delete(s.store.refresh, prefix)
			s.store.deleteKey(rt.keyID)
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	keyID, _, err := splitAPIKey(token)
	if err != nil {
		writeOAuth2(w, http.StatusBadRequest, "invalid_request", "Invalid token format")
		return
	}
	k := s.store.keys[keyID]
	switch {
	case k == nil:
	case k.loginType != loginOAuth2 || !k.hash.matches(token):
		writeOAuth2(w, http.StatusInternalServerError, "server_error", "Internal server error")
		return
	case k.appID != a.id:
	default:
		s.store.deleteKey(keyID)
	}
	w.WriteHeader(http.StatusOK)
}
