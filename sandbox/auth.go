package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

const sessionCookie = "coder_session_token"

// tokenSource says where a session token was found; main's consent form
// needs a CSRF token only for cookie sessions.
type tokenSource int

const (
	fromNone tokenSource = iota
	fromCookie
	fromQuery
	fromHeader
	fromBearer
	fromAccessTokenQuery
)

// tokenFromRequest follows Coder's APITokenFromRequest order: cookie,
// ?coder_session_token, Coder-Session-Token, Authorization: Bearer,
// ?access_token. The first match wins.
func tokenFromRequest(r *http.Request) (string, tokenSource) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		return c.Value, fromCookie
	}
	if t := r.URL.Query().Get("coder_session_token"); t != "" {
		return t, fromQuery
	}
	if t := r.Header.Get("Coder-Session-Token"); t != "" {
		return t, fromHeader
	}
	if scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "bearer") {
		if t := strings.TrimSpace(rest); t != "" {
			return t, fromBearer
		}
	}
	if t := r.URL.Query().Get("access_token"); t != "" {
		return t, fromAccessTokenQuery
	}
	return "", fromNone
}

// session is an authenticated caller.
type session struct {
	user   user // a copy, safe to read without the lock
	key    apiKey
	source tokenSource
}

// authFailure is why a request could not be authenticated.
type authFailure struct {
	status int // 401 or 403
	detail string
}

// authenticate resolves the request's token to a user, with Coder's detail
// texts for each failure.
func (s *Server) authenticate(r *http.Request) (*session, *authFailure) {
	token, src := tokenFromRequest(r)
	if token == "" {
		return nil, &authFailure{http.StatusUnauthorized, `Cookie "coder_session_token" or query parameter must be provided.`}
	}
	id, _, err := splitAPIKey(token)
	if err != nil {
		return nil, &authFailure{http.StatusUnauthorized, "Invalid API key format: " + err.Error()}
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	k, ok := s.store.keys[id]
	if !ok {
		return nil, &authFailure{http.StatusUnauthorized, "API key is invalid."}
	}
	if !k.hash.matches(token) {
		return nil, &authFailure{http.StatusUnauthorized, "API key secret is invalid."}
	}
	if !s.now().Before(k.expiresAt) {
		return nil, &authFailure{http.StatusUnauthorized, fmt.Sprintf("API key expired at %q.", k.expiresAt.String())}
	}
	u, ok := s.store.users[k.userID]
	if !ok {
		return nil, &authFailure{http.StatusUnauthorized, "API key is invalid."}
	}
	if k.loginType == loginOAuth2 && k.audience != "" && !sameResource(k.audience, s.url) {
		return nil, &authFailure{http.StatusForbidden, ""}
	}
	return &session{user: *u, key: *k, source: src}, nil
}

// writeAuthFailure writes Coder's 401/403 with the RFC 6750/9728 header.
func (s *Server) writeAuthFailure(w http.ResponseWriter, f *authFailure) {
	meta := s.urlFor("/.well-known/oauth-protected-resource")
	if f.status == http.StatusForbidden {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="coder", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token", resource_metadata=%q`, meta))
		writeMessage(w, http.StatusForbidden, "Token audience validation failed", "")
		return
	}
	// Coder says "expired" for every 401, even when nothing was sent.
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="coder", error="invalid_token", error_description="The access token has expired", resource_metadata=%q`, meta))
	writeMessage(w, http.StatusUnauthorized, msgSignedOut, f.detail)
}

type sessionKey struct{}

// requireSession authenticates and puts the session in the context.
func (s *Server) requireSession(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, fail := s.authenticate(r)
		if fail != nil {
			s.writeAuthFailure(w, fail)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	}
}

// requireScope (main) refuses an OAuth2 token whose granted scope covers
// neither coder:all nor one of the listed scopes, with RFC 6750's
// insufficient_scope. v2.30 ignored scopes, and sessions are unscoped.
func (s *Server) requireScope(h http.HandlerFunc, scopes ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := sessionFrom(r)
		if !s.b.scopesEnforced || sess.key.loginType != loginOAuth2 || scopeCovered("coder:all", sess.key.scope) {
			h(w, r)
			return
		}
		for _, sc := range scopes {
			if scopeCovered(sc, sess.key.scope) {
				h(w, r)
				return
			}
		}
		need := strings.Join(append([]string{"coder:all"}, scopes...), " ")
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="coder", error="insufficient_scope", error_description="The access token's scope does not allow this request", scope=%q, resource_metadata=%q`,
			need, s.urlFor("/.well-known/oauth-protected-resource")))
		writeMessage(w, http.StatusForbidden, "Forbidden.", "The access token's scope ("+sess.key.scope+") does not allow this request.")
	}
}

func sessionFrom(r *http.Request) *session {
	sess, _ := r.Context().Value(sessionKey{}).(*session)
	return sess
}

// sameResource compares two absolute URIs after RFC 3986 normalisation
// (case of scheme and host, default ports, empty path).
func sameResource(a, b string) bool {
	na, ok1 := normalizeResource(a)
	nb, ok2 := normalizeResource(b)
	return ok1 && ok2 && na == nb
}

func normalizeResource(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host = host + ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path + "?" + u.RawQuery, true
}

// newSessionKeyLocked stores a fresh password-login session for a user.
// The caller holds s.store.mu.
func (s *Server) newSessionKeyLocked(userID uuid.UUID, lifetime time.Duration) string {
	token, id, _ := newAPIKey()
	s.store.keys[id] = &apiKey{
		id: id, hash: hashSecret(token), userID: userID,
		loginType: loginPassword, expiresAt: s.now().Add(lifetime),
	}
	return token
}
