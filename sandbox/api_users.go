package sandbox

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// CreateUser adds a user and returns its id and a fresh session token.
// owner=false gives a member, who may only read OAuth2 apps.
func (s *Server) CreateUser(email, username, password string, owner bool) (userID, sessionToken string, err error) {
	email, username = strings.TrimSpace(email), strings.TrimSpace(username)
	switch {
	case email == "" || !strings.Contains(email, "@"):
		return "", "", fmt.Errorf("sandbox: user email %q is not an email address", email)
	case username == "":
		return "", "", errors.New("sandbox: username is empty")
	case password == "":
		return "", "", errors.New("sandbox: password is empty")
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for _, u := range s.store.users {
		if strings.EqualFold(u.email, email) || strings.EqualFold(u.username, username) {
			return "", "", fmt.Errorf("sandbox: a user with email %q or username %q already exists", email, username)
		}
	}
	now := s.now()
	salt := randomAlnum(16)
	u := &user{
		id: uuid.New(), email: email, username: username, salt: salt,
		password: hashSecret(salt + password), owner: owner, createdAt: now, updatedAt: now,
	}
	s.store.users[u.id] = u
	return u.id.String(), s.newSessionKeyLocked(u.id, s.opts.SessionDuration), nil
}

// checkPassword returns the user for a correct email/password pair.
func (s *Server) checkPassword(email, password string) (uuid.UUID, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	u := s.store.userByEmail(email)
	if u == nil {
		return uuid.Nil, false
	}
	want := u.password
	got := hashSecret(u.salt + password)
	return u.id, subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

func (s *Server) handleBuildInfo(w http.ResponseWriter, _ *http.Request) {
	info := map[string]any{
		"external_url":            "",
		"version":                 s.version(),
		"dashboard_url":           s.url,
		"telemetry":               false,
		"workspace_proxy":         false,
		"agent_api_version":       "2.6",
		"provisioner_api_version": "1.11",
		"upgrade_message":         "",
		"deployment_id":           s.store.orgID.String(),
	}
	if s.b.providerFlag {
		info["oauth2_provider"] = !s.opts.ProviderDisabled
	}
	writeJSON(w, http.StatusOK, info)
}

// handleExperiments lists the experiments the deployment runs with: in the
// experiment era, "oauth2" there is what turns the provider on.
func (s *Server) handleExperiments(w http.ResponseWriter, _ *http.Request) {
	exps := append([]string{}, s.b.experiments...)
	if s.opts.ProviderDisabled && !s.b.providerFlag {
		exps = slices.DeleteFunc(exps, func(e string) bool { return e == "oauth2" })
	}
	writeJSON(w, http.StatusOK, exps)
}

// handleFirstUser: the admin is always seeded, so the first user exists.
func (s *Server) handleFirstUser(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeMessage(w, http.StatusOK, "The initial user has already been created!", "")
	case http.MethodPost:
		writeMessage(w, http.StatusConflict, "The initial user has already been created.", "")
	default:
		writeMethodNotAllowed(w, http.MethodGet, http.MethodPost)
	}
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeMessage(w, http.StatusBadRequest, msgInvalidJSON, err.Error())
		return
	}
	var vs []validation
	if req.Email == "" {
		vs = append(vs, validation{"email", `Validation failed for tag "required" with value: ""`})
	} else if !strings.Contains(req.Email, "@") {
		vs = append(vs, validation{"email", fmt.Sprintf("Validation failed for tag %q with value: %q", "email", req.Email)})
	}
	if req.Password == "" {
		vs = append(vs, validation{"password", `Validation failed for tag "required" with value: ""`})
	}
	if len(vs) > 0 {
		writeValidation(w, msgValidationFailed, vs)
		return
	}
	userID, ok := s.checkPassword(req.Email, req.Password)
	if !ok {
		writeMessage(w, http.StatusUnauthorized, "Incorrect email or password.", "")
		return
	}
	token := s.startSession(w, userID)
	writeJSON(w, http.StatusCreated, map[string]string{"session_token": token})
}

// startSession issues a session and sets the session cookie.
func (s *Server) startSession(w http.ResponseWriter, userID uuid.UUID) string {
	s.store.mu.Lock()
	token := s.newSessionKeyLocked(userID, s.opts.SessionDuration)
	s.store.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Expires: s.now().Add(s.opts.SessionDuration),
	})
	return token
}

type userJSON struct {
	ID              string     `json:"id"`
	Username        string     `json:"username"`
	Name            string     `json:"name,omitempty"`
	Email           string     `json:"email"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	LastSeenAt      time.Time  `json:"last_seen_at"`
	Status          string     `json:"status"`
	LoginType       string     `json:"login_type"`
	OrganizationIDs []string   `json:"organization_ids"`
	Roles           []roleJSON `json:"roles"`
}

type roleJSON struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	u := sessionFrom(r).user
	roles := []roleJSON{}
	if u.owner {
		roles = append(roles, roleJSON{"owner", "Owner"})
	}
	writeJSON(w, http.StatusOK, userJSON{
		ID: u.id.String(), Username: u.username, Name: u.name, Email: u.email,
		CreatedAt: u.createdAt, UpdatedAt: u.updatedAt, LastSeenAt: s.now(),
		Status: "active", LoginType: "password",
		OrganizationIDs: []string{s.store.orgID.String()}, Roles: roles,
	})
}
