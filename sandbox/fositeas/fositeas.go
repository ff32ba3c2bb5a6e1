// Package fositeas is a small, independent OAuth2 authorization server built
// on github.com/ory/fosite, for testing oauthdeck against something that is
// not Coder and not oauthdeck's own sandbox: authorization code with
// enforced PKCE S256, refresh with rotation, RFC 7009 revocation, an RFC
// 8414 metadata document, and on request an OIDC-style userinfo endpoint and
// RFC 7662 introspection. It publishes no Coder route (no buildinfo, no
// /api/v2/users/me) and no RFC 9728 document: a plain authorization server.
// Each client has one token-endpoint auth method, which fosite enforces.
// Consent: a POST carrying the configured session header (what
// flows.AutoConsent sends), or a GET when AutoApprove is set (a stand-in
// browser). Tests only: nothing in the oauthdeck binary imports it.
package fositeas

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"golang.org/x/crypto/bcrypt"
)

// Options configures Start.
type Options struct {
	// ClientID and ClientSecret are the first client; it accepts both
	// client_secret_basic and client_secret_post unless AuthMethod says one.
	ClientID, ClientSecret string
	AuthMethod             string
	// Clients are more clients, each with its own method ("none": public).
	Clients      []Client
	RedirectURI  string // registered for every client; loopback ports may differ (RFC 8252)
	SessionToken string // the admin "session" header value that grants consent
	AutoApprove  bool   // approve GET authorizations without a session (test browser)
	Subject      string // the user every grant is for; default "fosite-user"
	// Userinfo and Introspection serve and advertise /userinfo (bearer) and
	// /introspect (RFC 7662, client authentication required).
	Userinfo, Introspection bool
	// Lenient makes a deliberately lax server for negative tests: PKCE is
	// optional, and every client also accepts the redirect path
	// /oauthdeck-unregistered, which oauthdeck's suite treats as unregistered.
	Lenient bool
}

// Client is one registered client.
type Client struct {
	ID, Secret string
	AuthMethod string // client_secret_basic, client_secret_post or none
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
	store := newMemStore()
	clients := append([]Client{{ID: opts.ClientID, Secret: opts.ClientSecret, AuthMethod: opts.AuthMethod}}, opts.Clients...)
	for _, c := range clients {
		uris := []string{opts.RedirectURI}
		if opts.Lenient {
			if u, err := url.Parse(opts.RedirectURI); err == nil {
				u.Path = "/oauthdeck-unregistered"
				uris = append(uris, u.String())
			}
		}
		fc, err := newClient(c, uris, s.URL)
		if err != nil {
			return nil, err
		}
		store.clients[c.ID] = fc
	}
	cfg := &fosite.Config{
		AccessTokenLifespan:            time.Hour,
		AuthorizeCodeLifespan:          5 * time.Minute,
		GlobalSecret:                   secret,
		EnforcePKCE:                    !opts.Lenient,
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
	if opts.Userinfo {
		mux.HandleFunc("/userinfo", s.userinfo)
	}
	if opts.Introspection {
		mux.HandleFunc("/introspect", s.introspect)
	}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// newClient is c as fosite stores it: an OpenID Connect client carries the
// auth method, which fosite's client authentication then enforces.
func newClient(c Client, redirectURIs []string, audience string) (fosite.Client, error) {
	base := &fosite.DefaultClient{ID: c.ID, RedirectURIs: redirectURIs,
		ResponseTypes: []string{"code"}, GrantTypes: []string{"authorization_code", "refresh_token"},
		Scopes: []string{"api", "openid"}, Audience: []string{audience}, Public: c.AuthMethod == "none"}
	if c.AuthMethod != "none" {
		hash, err := bcrypt.GenerateFromPassword([]byte(c.Secret), bcrypt.MinCost)
		if err != nil {
			return nil, err
		}
		base.Secret = hash
	}
	if c.AuthMethod == "" {
		return base, nil
	}
	return &fosite.DefaultOpenIDConnectClient{DefaultClient: base, TokenEndpointAuthMethod: c.AuthMethod}, nil
}

func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	doc := map[string]any{
		"issuer":                                s.URL,
		"authorization_endpoint":                s.URL + "/authorize",
		"token_endpoint":                        s.URL + "/token",
		"revocation_endpoint":                   s.URL + "/revoke",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"scopes_supported":                      []string{"api", "openid"},
	}
	if s.opts.Userinfo {
		doc["userinfo_endpoint"] = s.URL + "/userinfo"
	}
	if s.opts.Introspection {
		doc["introspection_endpoint"] = s.URL + "/introspect"
	}
	writeJSON(w, http.StatusOK, doc)
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

// userinfo answers a live bearer access token with its subject, and
// anything else with 401 invalid_token (RFC 6750 §3.1).
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fositeas"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_, ar, err := s.provider.IntrospectToken(context.WithoutCancel(r.Context()), tok, fosite.AccessToken, &fosite.DefaultSession{})
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fositeas", error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	sub := ar.GetSession().GetSubject()
	writeJSON(w, http.StatusOK, map[string]any{"sub": sub, "preferred_username": sub, "email": sub + "@example.com"})
}

// introspect is RFC 7662: the client authenticates as at the token
// endpoint (its own method); an unknown, expired or revoked token is
// {"active": false}.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	authn, ok := s.provider.(interface {
		AuthenticateClient(context.Context, *http.Request, url.Values) (fosite.Client, error)
	})
	if !ok {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	if c, err := authn.AuthenticateClient(ctx, r, r.PostForm); err != nil || c.IsPublic() {
		w.Header().Set("WWW-Authenticate", `Basic realm="fositeas"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	use, ar, err := s.provider.IntrospectToken(context.WithoutCancel(ctx), r.PostForm.Get("token"),
		fosite.TokenUse(r.PostForm.Get("token_type_hint")), &fosite.DefaultSession{})
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]bool{"active": false})
		return
	}
	out := map[string]any{"active": true, "client_id": ar.GetClient().GetID(), "sub": ar.GetSession().GetSubject(),
		"scope": strings.Join(ar.GetGrantedScopes(), " "), "token_type": "Bearer", "iss": s.URL}
	if exp := ar.GetSession().GetExpiresAt(use); !exp.IsZero() {
		out["exp"] = exp.Unix()
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
