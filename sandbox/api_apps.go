package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

type appEndpoints struct {
	Authorization       string `json:"authorization"`
	Token               string `json:"token"`
	TokenRevoke         string `json:"token_revoke"`
	DeviceAuthorization string `json:"device_authorization"`
}

// appV230 is the v2.30 app object; appMain adds redirect_uris and scope.
type appV230 struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	CallbackURL string       `json:"callback_url"`
	Icon        string       `json:"icon"`
	Endpoints   appEndpoints `json:"endpoints"`
}

type appMain struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	CallbackURL  string       `json:"callback_url"`
	RedirectURIs []string     `json:"redirect_uris"`
	Icon         string       `json:"icon"`
	Scope        string       `json:"scope"`
	Endpoints    appEndpoints `json:"endpoints"`
	// 2.38: "confidential" or "public" (only DCR makes public apps), and
	// whether the app registered itself.
	ClientType            string `json:"client_type"`
	DynamicallyRegistered bool   `json:"dynamically_registered"`
}

// appJSON renders an app for the current compat mode; caller holds the lock
// or owns a copy.
func (s *Server) appJSON(a *app) any {
	ep := appEndpoints{
		Authorization: s.urlFor("/oauth2/authorize"),
		Token:         s.urlFor("/oauth2/tokens"),
		TokenRevoke:   s.urlFor("/oauth2/revoke"),
	}
	if !s.b.appRedirectURIs {
		return appV230{ID: a.id.String(), Name: a.name, CallbackURL: a.callbackURL(), Icon: a.icon, Endpoints: ep}
	}
	return appMain{
		ID: a.id.String(), Name: a.name, CallbackURL: a.callbackURL(),
		RedirectURIs: append([]string{}, a.redirectURIs...), Icon: a.icon, Scope: a.scope, Endpoints: ep,
		ClientType: map[bool]string{true: "public", false: "confidential"}[a.public], DynamicallyRegistered: a.reg != nil,
	}
}

// appRequest is the POST/PUT body; main reads redirect_uris and scope too.
type appRequest struct {
	Name         string   `json:"name"`
	CallbackURL  string   `json:"callback_url"`
	RedirectURIs []string `json:"redirect_uris"`
	Icon         *string  `json:"icon"`
	Scope        *string  `json:"scope"`
}

// validateAppRequest returns the redirect URIs to store, or the 400 to send.
func (s *Server) validateAppRequest(req appRequest) (uris []string, message string, vs []validation) {
	switch {
	case req.Name == "":
		vs = append(vs, validation{"name", tagFailure("required", "")})
	case !validAppName(req.Name):
		vs = append(vs, validation{"name", tagFailure("oauth2_app_name", req.Name)})
	}
	if !s.b.appRedirectURIs {
		switch {
		case req.CallbackURL == "":
			vs = append(vs, validation{"callback_url", tagFailure("required", "")})
		case !validHTTPURL(req.CallbackURL):
			vs = append(vs, validation{"callback_url", tagFailure("http_url", req.CallbackURL)})
		}
		return []string{req.CallbackURL}, msgValidationFailed, vs
	}
	list := req.RedirectURIs
	switch {
	case len(list) == 0 && req.CallbackURL == "":
		vs = append(vs, validation{"redirect_uris", "at least one redirect URI is required"})
	case len(list) == 0:
		list = []string{req.CallbackURL}
	case req.CallbackURL != "" && req.CallbackURL != list[0]:
		vs = append(vs, validation{"callback_url", "callback URL must equal the first redirect URI when both are sent"})
	}
	uris, uriErrs := normalizeRedirectURIs(list, false)
	vs = append(vs, uriErrs...)
	if len(vs) > 0 {
		return nil, msgValidationFailed, vs
	}
	if req.Scope != nil {
		if bad := unknownScopes(*req.Scope); len(bad) > 0 {
			return nil, "Invalid scope.", []validation{{"scope", fmt.Sprintf("unknown scope %q", bad[0])}}
		}
	}
	return uris, "", nil
}

// readAppRequest decodes and validates a POST or PUT body, writing the 400
// when it fails; uris are the redirect URIs to store.
func (s *Server) readAppRequest(w http.ResponseWriter, r *http.Request) (req appRequest, uris []string, ok bool) {
	if !decodeJSON(w, r, &req) {
		return req, nil, false
	}
	uris, msg, vs := s.validateAppRequest(req)
	if len(vs) > 0 {
		writeValidation(w, msg, vs)
		return req, nil, false
	}
	return req, uris, true
}

func (s *Server) handleApps(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.listApps(w, r)
	case http.MethodPost:
		s.createApp(w, r)
	default:
		writeMethodNotAllowed(w, http.MethodGet, http.MethodPost)
	}
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) {
	// An empty user_id lists every app, as Coder's handler does.
	raw := r.URL.Query().Get("user_id")
	uid, err := uuid.Parse(raw)
	if raw != "" && err != nil {
		// Coder's detail shows the zero UUID, not the input.
		writeMessage(w, http.StatusBadRequest, "Invalid user UUID", fmt.Sprintf("queried user_id=%q", uuid.Nil.String()))
		return
	}
	var keep func(*app) bool
	s.store.mu.Lock()
	if raw != "" {
		held := s.store.appsWithTokens(uid)
		keep = func(a *app) bool { return held[a.id] }
	}
	apps := s.store.sortedApps(keep)
	out := make([]any, 0, len(apps))
	for _, a := range apps {
		out = append(out, s.appJSON(a))
	}
	s.store.mu.Unlock()
	if keep != nil && len(out) == 0 && s.b.nullEmptyAppList {
		writeJSON(w, http.StatusOK, nil) // v2.30 encodes a nil slice: null
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeMessage(w, http.StatusBadRequest, msgInvalidJSON, err.Error())
		return false
	}
	return true
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) {
	if !sessionFrom(r).user.owner {
		writeForbidden(w)
		return
	}
	req, uris, ok := s.readAppRequest(w, r)
	if !ok {
		return
	}
	a := &app{id: uuid.New(), name: req.Name, redirectURIs: uris, createdAt: s.now()}
	if req.Icon != nil {
		a.icon = *req.Icon
	}
	if req.Scope != nil && s.b.appRedirectURIs {
		a.scope = strings.Join(strings.Fields(*req.Scope), " ")
	}
	s.store.mu.Lock()
	s.store.apps[a.id] = a
	body := s.appJSON(a)
	s.auditLocked(r, "create", "oauth2_provider_app", a.id, a.name, http.StatusCreated, appDiff(nil, a))
	s.store.mu.Unlock()
	writeJSON(w, http.StatusCreated, body)
}

// appFromPath parses {app} and writes Coder's 400/404 when it fails.
func (s *Server) appFromPath(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	raw := r.PathValue("app")
	id, err := uuid.Parse(raw)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, fmt.Sprintf("Invalid UUID %q.", raw), err.Error())
		return uuid.Nil, false
	}
	s.store.mu.Lock()
	_, ok := s.store.apps[id]
	s.store.mu.Unlock()
	if !ok {
		writeMessage(w, http.StatusNotFound, msgAppNotFound, "")
		return uuid.Nil, false
	}
	return id, true
}

func (s *Server) handleApp(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPut && r.Method != http.MethodDelete {
		writeMethodNotAllowed(w, http.MethodDelete, http.MethodGet, http.MethodPut)
		return
	}
	id, ok := s.appFromPath(w, r)
	if !ok {
		return
	}
	if r.Method != http.MethodGet && !sessionFrom(r).user.owner {
		writeForbidden(w)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.store.mu.Lock()
		a, ok := s.store.apps[id]
		var body any
		if ok {
			body = s.appJSON(a)
		}
		s.store.mu.Unlock()
		if !ok {
			writeMessage(w, http.StatusNotFound, msgAppNotFound, "")
			return
		}
		writeJSON(w, http.StatusOK, body)
	case http.MethodPut:
		s.updateApp(w, r, id)
	case http.MethodDelete:
		s.store.mu.Lock()
		a, ok := s.store.apps[id]
		if ok {
			s.auditLocked(r, "delete", "oauth2_provider_app", id, a.name, http.StatusNoContent, appDiff(a, nil))
		}
		s.store.deleteApp(id)
		s.store.mu.Unlock()
		if !ok {
			writeMessage(w, http.StatusNotFound, msgAppNotFound, "")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) updateApp(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	req, uris, ok := s.readAppRequest(w, r)
	if !ok {
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	a, ok := s.store.apps[id]
	if !ok {
		writeMessage(w, http.StatusNotFound, msgAppNotFound, "")
		return
	}
	before := *a
	defer func() {
		s.auditLocked(r, "write", "oauth2_provider_app", id, a.name, http.StatusOK, appDiff(&before, a))
	}()
	a.name, a.redirectURIs, a.icon = req.Name, uris, ""
	if req.Icon != nil {
		a.icon = *req.Icon // main: an omitted icon is cleared
	}
	if req.Scope != nil && s.b.appRedirectURIs {
		a.scope = strings.Join(strings.Fields(*req.Scope), " ") // omitted keeps, "" clears
	}
	writeJSON(w, http.StatusOK, s.appJSON(a))
}

// handleSettings is main's DCR toggle (owner only).
func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request) {
	if !s.b.dcrSettings {
		writeRouteNotFound(w)
		return
	}
	if !sessionFrom(r).user.owner {
		writeForbidden(w)
		return
	}
	var body struct {
		DCR bool `json:"dynamic_client_registration_enabled"`
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPut:
		if !decodeJSON(w, r, &body) {
			return
		}
		s.SetDCR(body.DCR)
	default:
		writeMethodNotAllowed(w, http.MethodGet, http.MethodPut)
		return
	}
	s.store.mu.Lock()
	body.DCR = s.store.dcrOn
	s.store.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}
