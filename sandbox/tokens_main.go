package sandbox

import (
	"net/http"
	"net/url"

	"oauthdeck/pkce"
)

func verifyPKCE(verifier, challenge, method string) bool {
	return verifier != "" && pkce.Verify(verifier, challenge, pkce.Method(method))
}

// codeGrantMain: the client authenticates (unless public), the code must
// belong to it, PKCE is mandatory, a wrong verifier burns the code, and a
// code bound to a redirect_uri needs the same one back.
func (s *Server) codeGrantMain(w http.ResponseWriter, call tokenCall) {
	// Main answers a missing secret like a wrong one: 401 invalid_client,
	// since the client failed to authenticate (RFC 6749 §5.2).
	secretID, ok := s.authenticateClient(w, call.app, call.secret)
	if !ok {
		return
	}
	code := call.form("code")
	if code == "" {
		missingParam(w, "code")
		return
	}
	verifier := call.form("code_verifier")
	if verifier != "" {
		if err := pkce.ValidateVerifier(verifier); err != nil {
			writeOAuth2(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	c := s.findCodeLocked(code)
	if c == nil || c.appID != call.app.id {
		writeOAuth2(w, http.StatusBadRequest, "invalid_grant", descBadCode)
		return
	}
	if verifier == "" {
		missingParam(w, "code_verifier")
		return
	}
	if !verifyPKCE(verifier, c.challenge, c.method) {
		delete(s.store.codes, c.prefix) // main revokes the code on a PKCE failure
		writeOAuth2(w, http.StatusBadRequest, "invalid_grant", descBadVerifier)
		return
	}
	if !redirectMatchesCode(call.form("redirect_uri"), c.redirectURI, call.app.redirectURIs) {
		writeOAuth2(w, http.StatusBadRequest, "invalid_grant", "The redirect_uri does not match the one used in the authorization request")
		return
	}
	if !resourceMatches(c.resource, call.form("resource")) {
		writeOAuth2(w, http.StatusBadRequest, "invalid_target", descBadResource)
		return
	}
	delete(s.store.codes, c.prefix)
	writeJSON(w, http.StatusOK, s.issueTokensLocked(c.appID, c.userID, secretID, c.resource, c.scope))
}

// redirectMatchesCode: a code bound to an explicit redirect_uri needs the
// identical value; otherwise a sent value must still be registered.
func redirectMatchesCode(sent, bound string, registered []string) bool {
	if bound != "" {
		return sent == bound
	}
	if sent == "" {
		return true
	}
	u, err := url.Parse(sent)
	return err == nil && redirectRegistered(u, registered)
}
