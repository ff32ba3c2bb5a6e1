// Package fositeas is a small, independent OAuth2 authorization server built
// on github.com/ory/fosite, for testing the flow engine against something
// that is not Coder and not oauthdeck's own sandbox: authorization code with
// enforced PKCE S256, refresh with rotation, RFC 7009 revocation, and an RFC
// 8414 metadata document. Consent: a POST carrying the configured session
// header (what flows.AutoConsent sends), or a GET when AutoApprove is set
// (a stand-in browser). It also answers GET /api/v2/users/me for bearer
// tokens, like Coder, so the flow's "use" step has something to call.
package fositeas

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"golang.org/x/crypto/bcrypt"
)

// Options configures Start.
type Options struct {
	ClientID, ClientSecret string
	RedirectURI            string // registered; loopback ports may differ (RFC 8252)
	SessionToken           string // the admin "session" header value that grants consent
	AutoApprove            bool   // approve GET authorizations without a session (test browser)
	Subject                string // the user every grant is for; default "fosite-user"
}

// Server is a running authorization server.
type Server struct {
	URL      string
	provider fosite.OAuth2Provider
	opts     Options
	srv      *http.Server
	ln       net.Listener
}

// SessionHeader is the header consent POSTs carry (the Coder name, so the
// flow engine's auto-consent works unchanged).
const SessionHeader = "Coder-Session-Token"

// Start serves on 127.0.0.1 with an ephemeral port until Close.
func Start(opts Options) (*Server, error) {
	if opts.Subject == "" {
		opts.Subject = "fosite-user"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), opts: opts, ln: ln}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(opts.ClientSecret), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	store := newMemStore()
	store.clients[opts.ClientID] = &fosite.DefaultClient{
		ID: opts.ClientID, Secret: hash, RedirectURIs: []string{opts.RedirectURI},
		ResponseTypes: []string{"code"}, GrantTypes: []string{"authorization_code", "refresh_token"},
		Scopes: []string{"api"}, Audience: []string{s.URL},
	}
	cfg := &fosite.Config{
		AccessTokenLifespan:            time.Hour,
		AuthorizeCodeLifespan:          5 * time.Minute,
		GlobalSecret:                   secret,
		EnforcePKCE:                    true,
		EnablePKCEPlainChallengeMethod: false,
		RefreshTokenScopes:             []string{}, // every exchange gets a refresh token
		TokenURL:                       s.URL + "/token",
		ScopeStrategy:                  fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:       fosite.DefaultAudienceMatchingStrategy,
	}
	s.provider = compose.Compose(cfg, store, &compose.CommonStrategy{CoreStrategy: compose.NewOAuth2HMACStrategy(cfg)},
		compose.OAuth2AuthorizeExplicitFactory, compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2TokenIntrospectionFactory, compose.OAuth2TokenRevocationFactory, compose.OAuth2PKCEFactory)

	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/oauth-authorization-server", s.metadata)
	mux.HandleFunc("/authorize", s.authorize)
	mux.HandleFunc("/token", s.token)
	mux.HandleFunc("/revoke", s.revoke)
	mux.HandleFunc("/api/v2/users/me", s.me)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.URL,
		"authorization_endpoint":                s.URL + "/authorize",
		"token_endpoint":                        s.URL + "/token",
		"revocation_endpoint":                   s.URL + "/revoke",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"api"},
	})
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	consented := r.Method == http.MethodPost && s.opts.SessionToken != "" && r.Header.Get(SessionHeader) == s.opts.SessionToken ||
		r.Method == http.MethodGet && s.opts.AutoApprove
	if !consented {
		http.Redirect(w, r, "/login?redirect="+r.URL.RequestURI(), http.StatusSeeOther)
		return
	}
	ar, err := s.provider.NewAuthorizeRequest(ctx, r)
	if err != nil {
		s.provider.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	for _, sc := range ar.GetRequestedScopes() {
		ar.GrantScope(sc)
	}
	for _, a := range ar.GetRequestedAudience() {
		ar.GrantAudience(a)
	}
	resp, err := s.provider.NewAuthorizeResponse(ctx, ar, s.session())
	if err != nil {
		s.provider.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	s.provider.WriteAuthorizeResponse(ctx, w, ar, resp)
}

func (s *Server) session() *fosite.DefaultSession {
	return &fosite.DefaultSession{Subject: s.opts.Subject, Username: s.opts.Subject}
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.provider.NewAccessRequest(ctx, r, s.session())
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s.provider.WriteRevocationResponse(ctx, w, s.provider.NewRevocationRequest(ctx, r))
}

// me answers like Coder's /api/v2/users/me: the admin session header, or a
// live bearer access token (checked by fosite introspection).
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	if s.opts.SessionToken != "" && r.Header.Get(SessionHeader) == s.opts.SessionToken {
		writeJSON(w, http.StatusOK, user(s.opts.Subject))
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "You are signed out or your session has expired.", "detail": "no bearer token"})
		return
	}
	_, ar, err := s.provider.IntrospectToken(context.WithoutCancel(r.Context()), tok, fosite.AccessToken, &fosite.DefaultSession{})
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "You are signed out or your session has expired.", "detail": "API key is invalid."})
		return
	}
	writeJSON(w, http.StatusOK, user(ar.GetSession().GetSubject()))
}

func user(subject string) map[string]any {
	return map[string]any{"id": subject, "username": subject, "email": subject + "@example.com",
		"status": "active", "login_type": "oauth2_provider_app", "organization_ids": []string{}, "roles": []any{}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
