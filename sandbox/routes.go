package sandbox

import (
	"net/http"
	"strings"
)

// routes wires every path. Methods are checked in the handlers so that the
// 405s and error bodies match Coder's router rather than net/http's.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("/api/v2/buildinfo", s.only(s.handleBuildInfo, http.MethodGet))
	mux.HandleFunc("/api/v2/experiments", s.only(s.requireSession(s.handleExperiments), http.MethodGet))
	mux.HandleFunc("/api/v2/users/first", s.handleFirstUser)
	mux.HandleFunc("/api/v2/users/login", s.only(s.handleLogin, http.MethodPost))
	mux.HandleFunc("/api/v2/users/me", s.usersMe())

	apps := func(h http.HandlerFunc) http.HandlerFunc { return s.gate(s.requireSession(s.requireScope(h))) }
	mux.HandleFunc("/api/v2/oauth2-provider/apps", apps(s.handleApps))
	mux.HandleFunc("/api/v2/oauth2-provider/apps/{app}", apps(s.handleApp))
	mux.HandleFunc("/api/v2/oauth2-provider/apps/{app}/secrets", apps(s.handleSecrets))
	mux.HandleFunc("/api/v2/oauth2-provider/apps/{app}/secrets/{secret}", apps(s.handleSecret))
	// 2.38 keeps the settings reachable while the provider is off
	// (upstream's SettingsReachableWhenDisabled), so an owner can tell off from absent.
	mux.HandleFunc("/api/v2/oauth2-provider/settings", s.requireSession(s.requireScope(s.handleSettings)))
	mux.HandleFunc("/api/v2/audit", s.only(s.requireSession(s.handleAudit), http.MethodGet))
	mux.HandleFunc("/api/v2/entitlements", s.only(s.requireSession(s.handleEntitlements), http.MethodGet))
	mux.HandleFunc("/api/v2/auth/scopes", s.only(s.requireSession(s.handleAuthScopes), http.MethodGet))
	mux.HandleFunc("/api/experimental/mcp/http", s.gate(s.handleMCP))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, _ *http.Request) { writeRouteNotFound(w) })

	mux.HandleFunc("/.well-known/oauth-authorization-server", s.discoveryGate(s.handleASMetadata))
	mux.HandleFunc("/.well-known/oauth-authorization-server/", s.discoveryGate(s.handleASMetadataSuffix))
	mux.HandleFunc("/.well-known/oauth-protected-resource", s.discoveryGate(s.handlePRMetadata))

	mux.HandleFunc("/oauth2/authorize", s.gate(s.handleAuthorize))
	mux.HandleFunc("/oauth2/tokens", s.gate(s.handleTokens))
	mux.HandleFunc("/oauth2/revoke", s.gate(s.only(s.handleRevoke, http.MethodPost)))
	mux.HandleFunc("/oauth2/register", s.gate(s.only(s.handleRegister, http.MethodPost)))
	mux.HandleFunc("/oauth2/clients/{client}", s.gate(s.handleClientConfig))

	mux.HandleFunc("/login", s.handleLoginPage)
	mux.HandleFunc("/", s.handleSPA)

	return s.common(s.rateLimit(mux))
}

// usersMe: Coder authenticates the users group before it routes the
// method (measured in v2.30.0 and v2.36.0, and main keeps the group's
// middleware), so HEAD without credentials gets the 401 challenge that
// Coder's own test-mcp-oauth2.sh looks for, and with a session 405 listing
// /users/{user}'s methods.
func (s *Server) usersMe() http.HandlerFunc {
	me := s.requireScope(s.handleMe, "user:read_personal")
	return s.requireSession(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeMethodNotAllowed(w, http.MethodDelete, http.MethodGet)
			return
		}
		me(w, r)
	})
}

// only answers 405 with an Allow header for any other method.
func (s *Server) only(h http.HandlerFunc, methods ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, m := range methods {
			if r.Method == m {
				h(w, r)
				return
			}
		}
		writeMethodNotAllowed(w, methods...)
	}
}

// gate answers as a deployment whose OAuth2 provider is off: v2.30's
// experiment 403, or main's 404.
func (s *Server) gate(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.ProviderDisabled {
			if s.b.providerFlag {
				writeRouteNotFound(w)
			} else {
				writeMessage(w, http.StatusForbidden, msgExperimentOff, "")
			}
			return
		}
		h(w, r)
	}
}

// discoveryGate: v2.30 served discovery even with the experiment off; main
// hides it behind the provider flag.
func (s *Server) discoveryGate(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.ProviderDisabled && s.b.providerFlag {
			writeRouteNotFound(w)
			return
		}
		h(w, r)
	}
}

// corsPath reports whether Coder sends permissive CORS on this path.
func (s *Server) corsPath(p string) bool {
	if strings.HasPrefix(p, "/.well-known/oauth-") || strings.HasPrefix(p, "/api/experimental/mcp/") {
		return true
	}
	if strings.HasPrefix(p, "/oauth2/") {
		// main dropped CORS on the authorize page.
		return s.b.authorizeCORS || p != "/oauth2/authorize"
	}
	return false
}
