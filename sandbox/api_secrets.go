package sandbox

import (
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
)

type secretJSON struct {
	ID                    string     `json:"id"`
	LastUsedAt            *time.Time `json:"last_used_at"`
	ClientSecretTruncated string     `json:"client_secret_truncated"`
}

type secretFullJSON struct {
	ID               string `json:"id"`
	ClientSecretFull string `json:"client_secret_full"`
}

func (s *Server) handleSecrets(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		writeMethodNotAllowed(w, http.MethodGet, http.MethodPost)
		return
	}
	appID, ok := s.appFromPath(w, r)
	if !ok {
		return
	}
	// Secrets are owner-only, reads included.
	if !sessionFrom(r).user.owner {
		writeForbidden(w)
		return
	}
	if r.Method == http.MethodGet {
		s.store.mu.Lock()
		out := []secretJSON{}
		for _, sec := range s.store.secretsOf(appID) {
			out = append(out, secretJSON{ID: sec.id.String(), LastUsedAt: sec.lastUsed, ClientSecretTruncated: sec.truncated})
		}
		s.store.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
		return
	}
	// Check and insert under one lock: a secret added while its app is being
	// deleted would outlive the app, and v2.30 accepts any app's secret.
	s.store.mu.Lock()
	a, ok := s.store.apps[appID]
	var full string
	var id uuid.UUID
	if ok && !a.public {
		full, id = s.addSecretLocked(appID)
		s.auditLocked(r, "create", "oauth2_provider_app_secret", id, "", http.StatusCreated, nil)
	}
	s.store.mu.Unlock()
	switch {
	case !ok:
		writeMessage(w, http.StatusNotFound, msgAppNotFound, "")
	case a.public:
		writeMessage(w, http.StatusBadRequest, "Public OAuth2 applications do not use client secrets.", "")
	default:
		writeJSON(w, http.StatusCreated, secretFullJSON{ID: id.String(), ClientSecretFull: full})
	}
}

// addSecretLocked stores a new client secret for an app and returns its
// value. The caller holds s.store.mu.
func (s *Server) addSecretLocked(appID uuid.UUID) (string, uuid.UUID) {
	full, prefix, _ := newFormattedSecret()
	sec := &appSecret{
		id: uuid.New(), appID: appID, prefix: prefix, hash: hashSecret(full),
		truncated: full[len(full)-6:], createdAt: s.now(),
	}
	s.store.secrets[sec.id] = sec
	return full, sec.id
}

func (s *Server) handleSecret(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodDelete {
		writeMethodNotAllowed(w, http.MethodDelete)
		return
	}
	appID, ok := s.appFromPath(w, r)
	if !ok {
		return
	}
	if !sessionFrom(r).user.owner {
		writeForbidden(w)
		return
	}
	raw := r.PathValue("secret")
	secretID, err := uuid.Parse(raw)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, fmt.Sprintf("Invalid UUID %q.", raw), err.Error())
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sec, ok := s.store.secrets[secretID]
	if !ok {
		writeMessage(w, http.StatusNotFound, msgResourceNotFound, "")
		return
	}
	if sec.appID != appID {
		writeMessage(w, http.StatusBadRequest, "App ID does not match secret app ID.", "")
		return
	}
	s.store.deleteSecret(secretID)
	s.auditLocked(r, "delete", "oauth2_provider_app_secret", secretID, "", http.StatusNoContent, nil)
	w.WriteHeader(http.StatusNoContent)
}
