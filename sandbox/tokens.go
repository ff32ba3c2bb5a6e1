package sandbox

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/google/uuid"
)

type tokenResponse struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	ExpiresIn    int64     `json:"expires_in,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Scope        string    `json:"scope,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

var v230TokenParams = map[string]bool{
	"grant_type": true, "client_id": true, "client_secret": true, "code": true, "redirect_uri": true,
	"refresh_token": true, "code_verifier": true, "resource": true, "scope": true,
}

// knownGrantTypes are Coder's grant-type enum values; only two are served.
var knownGrantTypes = map[string]bool{
	"authorization_code": true, "refresh_token": true, "password": true, "client_credentials": true, "implicit": true,
}

func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		s.exchange(w, r)
	case http.MethodDelete:
		s.deleteAppTokens(w, r)
	default:
		// The older routers parse the client before they check the method:
		// GET without parameters is "Missing client_id parameter".
		if s.b.lateMethodCheck {
			if _, _, ok := s.formClient(w, r); !ok {
				return
			}
		}
		writeMethodNotAllowed(w, http.MethodDelete, http.MethodPost)
	}
}

// tokenCall is one parsed token request.
type tokenCall struct {
	app    app
	secret string
	form   func(string) string
}

func (s *Server) exchange(w http.ResponseWriter, r *http.Request) {
	if s.b.noStore {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
	}
	a, secret, ok := s.formClient(w, r)
	if !ok {
		return
	}
	grant := r.Form.Get("grant_type")
	if s.b.strictClientParams {
		if len(r.Form["grant_type"]) > 1 {
			writeOAuth2(w, http.StatusBadRequest, "unsupported_grant_type", "The grant type is missing or unsupported")
			return
		}
		var repeated []string
		for k, v := range r.Form {
			if len(v) > 1 {
				repeated = append(repeated, k)
			}
		}
		if len(repeated) > 0 {
			sort.Strings(repeated)
			writeOAuth2(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("parameter %q must not be repeated", repeated[0]))
			return
		}
	}
	if !knownGrantTypes[grant] {
		writeOAuth2(w, http.StatusBadRequest, "unsupported_grant_type", "The grant type is missing or unsupported")
		return
	}
	if !s.tokenParamsValid(r, a) {
		writeOAuth2(w, http.StatusBadRequest, "invalid_request", descGenericMalformed)
		return
	}
	call := tokenCall{app: a, secret: secret, form: r.Form.Get}
	switch grant {
	case "authorization_code":
		if s.b.clientBoundCodes {
			s.codeGrantMain(w, call)
		} else {
			s.codeGrantV230(w, call)
		}
	case "refresh_token":
		s.refreshGrant(w, call)
	default:
		writeOAuth2(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("The grant type %q is not supported", grant))
	}
}

// tokenParamsValid is v2.30's parameter parser: unknown names, a
// redirect_uri outside the callback, or a bad resource all give the same
// generic invalid_request. main ignores unknown names.
func (s *Server) tokenParamsValid(r *http.Request, a app) bool {
	if s.b.unknownTokenParams {
		for k := range r.Form {
			if !v230TokenParams[k] {
				return false
			}
		}
		if ru := r.Form.Get("redirect_uri"); ru != "" {
			if _, detail := s.olderRedirect(ru, a.callbackURL()); detail != "" {
				return false
			}
		}
	}
	if res := r.Form.Get("resource"); res != "" && !absoluteNoFragment(res) {
		return false
	}
	return true
}

func missingParam(w http.ResponseWriter, name string) {
	writeOAuth2(w, http.StatusBadRequest, "invalid_request", "Missing required parameter: "+name)
}

// findCodeLocked looks a code up by prefix and hash and checks its expiry.
// The caller holds the lock.
func (s *Server) findCodeLocked(value string) *authCode {
	prefix, _, ok := parseFormattedSecret(value)
	if !ok {
		return nil
	}
	c, ok := s.store.codes[prefix]
	if !ok || !c.hash.matches(value) || !s.now().Before(c.expiresAt) {
		return nil
	}
	return c
}

// resourceMatches is the invalid_target rule shared by both grants.
func resourceMatches(stored, sent string) bool { return stored == sent }

func (s *Server) codeGrantV230(w http.ResponseWriter, call tokenCall) {
	code, secret := call.form("code"), call.secret
	if code == "" {
		missingParam(w, "code")
		return
	}
	if secret == "" {
		missingParam(w, "client_secret")
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	// Any app's secret passes, and the code need not belong to client_id:
	// v2.30.0's cross-client leniency, observed live.
	sec := s.store.secretByValue(secret, uuid.Nil)
	if sec == nil {
		writeInvalidClient(w, false)
		return
	}
	c := s.findCodeLocked(code)
	if c == nil {
		writeOAuth2(w, http.StatusBadRequest, "invalid_grant", descBadCode)
		return
	}
	if c.challenge != "" && !verifyPKCE(call.form("code_verifier"), c.challenge, c.method) {
		writeOAuth2(w, http.StatusBadRequest, "invalid_grant", descBadVerifier)
		return
	}
	// v2.36: a code whose authorization request named a redirect_uri needs
	// the same value back (RFC 6749 §4.1.3), refused with the generic text.
	if s.b.boundTokenRedirect && c.redirectURI != "" && call.form("redirect_uri") != c.redirectURI {
		writeOAuth2(w, http.StatusBadRequest, "invalid_request", descGenericMalformed)
		return
	}
	if !resourceMatches(c.resource, call.form("resource")) {
		writeOAuth2(w, http.StatusBadRequest, "invalid_target", descBadResource)
		return
	}
	delete(s.store.codes, c.prefix)
	// Coder's token row points at the secret, and the secret at its app: with
	// another app's secret the token belongs to that app (listing, revoke,
	// delete cascade), not to the code's.
	resp := s.issueTokensLocked(sec.appID, c.userID, sec.id, c.resource, "")
	writeJSON(w, http.StatusOK, resp)
}

// issueTokensLocked replaces the user's previous token for the app (one
// live token per user and app) and mints a new access/refresh pair.
func (s *Server) issueTokensLocked(appID, userID, secretID uuid.UUID, audience, scope string) tokenResponse {
	s.store.deleteOAuthTokens(func(a, u, _ uuid.UUID) bool { return a == appID && u == userID })
	now := s.now()
	token, id, _ := newAPIKey()
	expiry := now.Add(s.opts.AccessTokenLifetime)
	s.store.keys[id] = &apiKey{
		id: id, hash: hashSecret(token), userID: userID, loginType: loginOAuth2, expiresAt: expiry,
		appID: appID, secretID: secretID, audience: audience, scope: scope,
	}
	refresh, prefix, _ := newFormattedSecret()
	s.store.refresh[prefix] = &refreshToken{
		prefix: prefix, hash: hashSecret(refresh), keyID: id, appID: appID, secretID: secretID,
		userID: userID, expiresAt: now.Add(s.opts.RefreshLifetime), audience: audience, scope: scope,
	}
	resp := tokenResponse{
		AccessToken: token, TokenType: "Bearer", RefreshToken: refresh, Expiry: expiry,
		ExpiresIn: int64(expiry.Sub(s.opts.Now()).Seconds()),
	}
	if s.b.scopesEnforced {
		resp.Scope = scope
	}
	return resp
}

func (s *Server) refreshGrant(w http.ResponseWriter, call tokenCall) {
	value := call.form("refresh_token")
	if value == "" {
		missingParam(w, "refresh_token")
		return
	}
	secretID := uuid.Nil
	if s.b.clientBoundRefresh {
		// Confidential clients must authenticate (GHSA-whr4-xxrp-33vc); a
		// refused refresh does not consume the token.
		var ok bool
		if secretID, ok = s.authenticateClient(w, call.app, call.secret); !ok {
			return
		}
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	prefix, _, ok := parseFormattedSecret(value)
	rt := s.store.refresh[prefix]
	if !ok || rt == nil || !rt.hash.matches(value) || !s.now().Before(rt.expiresAt) ||
		(s.b.clientBoundRefresh && rt.appID != call.app.id) {
		writeOAuth2(w, http.StatusBadRequest, "invalid_grant", descBadRefresh)
		return
	}
	if res := call.form("resource"); res != "" && res != rt.audience {
		writeOAuth2(w, http.StatusBadRequest, "invalid_target", descBadResource)
		return
	}
	scope := rt.scope
	if s.b.scopesEnforced {
		if req := call.form("scope"); req != "" {
			if len(unknownScopes(req)) > 0 || !scopeCovered(req, rt.scope) {
				writeOAuth2(w, http.StatusBadRequest, "invalid_scope", "The requested scope exceeds the scope originally granted")
				return
			}
			scope = req
		}
	} else {
		secretID = rt.secretID
	}
	s.store.deleteKey(rt.keyID)
	delete(s.store.refresh, rt.prefix)
	writeJSON(w, http.StatusOK, s.issueTokensLocked(rt.appID, rt.userID, secretID, rt.audience, scope))
}

// deleteAppTokens is DELETE /oauth2/tokens?client_id=: the signed-in user
// drops every code and token they hold for the app.
func (s *Server) deleteAppTokens(w http.ResponseWriter, r *http.Request) {
	a, ok := s.lookupClient(w, r.URL.Query().Get("client_id"), false)
	if !ok {
		return
	}
	sess, fail := s.authenticate(r)
	if fail != nil {
		s.writeAuthFailure(w, fail)
		return
	}
	s.store.mu.Lock()
	s.store.deleteCodes(a.id, sess.user.id)
	s.store.deleteOAuthTokens(func(appID, userID, _ uuid.UUID) bool { return appID == a.id && userID == sess.user.id })
	s.store.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
