package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/uuid"
)

// formClient parses the token or revoke request's form and finds the
// client it names, writing the OAuth2 error when either fails. The secret is
// returned unchecked: whether and how it is checked differs per grant.
func (s *Server) formClient(w http.ResponseWriter, r *http.Request) (a app, secret string, ok bool) {
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if s.b.formLimit413 && errors.As(err, &tooLarge) {
			// 2.38 (formlimit_test.go): 413, in OAuth2's words, naming the limit.
			writeOAuth2(w, http.StatusRequestEntityTooLarge, "invalid_request",
				fmt.Sprintf("request body too large: the limit is %d bytes (httpapi.DefaultMaxRequestBodyBytes)", tooLarge.Limit))
			return app{}, "", false
		}
		writeOAuth2(w, http.StatusBadRequest, "invalid_request", descGenericMalformed)
		return app{}, "", false
	}
	id, secret, ok := s.clientCredentials(w, r)
	if !ok {
		return app{}, "", false
	}
	a, ok = s.lookupClient(w, id, s.b.basicRealm)
	return a, secret, ok
}

// clientCredentials reads client_id and client_secret from a parsed form.
// v2.30 reads only the form (Basic is ignored); v2.36 also takes HTTP
// Basic and refuses credentials that disagree between header and body;
// main also refuses a secret in the URL query and repeated credentials.
func (s *Server) clientCredentials(w http.ResponseWriter, r *http.Request) (id, secret string, ok bool) {
	id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
	if s.b.strictClientParams {
		if r.URL.Query().Has("client_secret") {
			writeOAuth2(w, http.StatusBadRequest, "invalid_request", "client_secret must not be sent in the URL query")
			return "", "", false
		}
		for _, k := range []string{"client_id", "client_secret"} {
			if len(r.Form[k]) > 1 {
				writeOAuth2(w, http.StatusBadRequest, "invalid_request", k+" must not be repeated")
				return "", "", false
			}
		}
	}
	bid, bsecret, basic := r.BasicAuth()
	if !basic || !s.b.basicClientAuth {
		return id, secret, true
	}
	// RFC 6749 §2.3.1: Basic credentials are form-urlencoded first.
	if v, err := url.QueryUnescape(bid); err == nil {
		bid = v
	}
	if v, err := url.QueryUnescape(bsecret); err == nil {
		bsecret = v
	}
	if (id != "" && id != bid) || (secret != "" && secret != bsecret) {
		writeOAuth2(w, http.StatusBadRequest, "invalid_request", "Conflicting client credentials between Authorization header and request body")
		return "", "", false
	}
	return bid, bsecret, true
}

// authenticateClient checks a confidential client's secret against that
// app's secrets (main). Public clients pass with no secret.
func (s *Server) authenticateClient(w http.ResponseWriter, a app, secret string) (uuid.UUID, bool) {
	if a.public {
		return uuid.Nil, true
	}
	s.store.mu.Lock()
	sec := s.store.secretByValue(secret, a.id)
	var id uuid.UUID
	if sec != nil {
		id = sec.id
		if s.b.secretLastUsed {
			now := s.now()
			sec.lastUsed = &now
		}
	}
	s.store.mu.Unlock()
	if sec == nil {
		writeInvalidClient(w, s.b.basicRealm)
		return uuid.Nil, false
	}
	return id, true
}

func writeInvalidClient(w http.ResponseWriter, basicRealm bool) {
	if basicRealm {
		w.Header().Set("WWW-Authenticate", `Basic realm="coder"`)
	}
	writeOAuth2(w, http.StatusUnauthorized, "invalid_client", descInvalidClient)
}
