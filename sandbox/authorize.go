package sandbox

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// authorizeRequest is what both compat modes hand to the consent page or
// to code issuance once the parameters are accepted.
type authorizeRequest struct {
	app         app
	sess        *session
	redirect    *url.URL // where the code (or error) goes
	boundURI    string   // main: explicit redirect_uri the code is bound to
	state       string
	challenge   string
	method      string
	resource    string
	scope       string
	cancelExtra bool // main: cancel link carries error_description and state
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		writeMethodNotAllowed(w, http.MethodGet, http.MethodPost)
		return
	}
	a, ok := s.clientForAuthorize(w, r)
	if !ok {
		return
	}
	sess, fail := s.authenticate(r)
	if fail != nil {
		if fail.status == http.StatusForbidden {
			s.writeAuthFailure(w, fail)
			return
		}
		// Relative, message first, then redirect: as Coder's RedirectToLogin.
		loc := "/login?message=" + url.QueryEscape(msgSignedOut) + "&redirect=" + url.QueryEscape(r.URL.RequestURI())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.Redirect(w, r, loc, http.StatusSeeOther)
		return
	}
	var req *authorizeRequest
	if s.b.redirectedErrors {
		req, ok = s.parseAuthorizeMain(w, r, a, sess)
	} else {
		req, ok = s.parseAuthorizeV230(w, r, a, sess)
	}
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		s.renderConsent(w, r, req)
		return
	}
	if s.b.consentCSRF && sess.source == fromCookie && !validCSRF(r) {
		writeErrorPage(w, http.StatusBadRequest, "Bad Request", []string{"The form's CSRF token is missing or does not match. Reload the consent page and try again."})
		return
	}
	code := s.issueCode(req)
	loc := *req.redirect
	q := loc.Query()
	q.Set("code", code)
	if req.state != "" {
		q.Set("state", req.state)
	}
	loc.RawQuery = q.Encode()
	w.Header().Set("Location", loc.String())
	w.WriteHeader(http.StatusFound)
}

// clientForAuthorize finds the app from client_id (query first, then form
// body) before anything else, so bad clients fail even without a session.
func (s *Server) clientForAuthorize(w http.ResponseWriter, r *http.Request) (app, bool) {
	q := r.URL.Query()
	if s.b.redirectedErrors && len(q["client_id"]) > 1 {
		writeOAuth2(w, http.StatusBadRequest, "invalid_request", "client_id must not be repeated")
		return app{}, false
	}
	id := q.Get("client_id")
	if id == "" && r.Method == http.MethodPost {
		if err := r.ParseForm(); err == nil {
			id = r.PostForm.Get("client_id")
		}
	}
	return s.lookupClient(w, id, false)
}

// lookupClient writes Coder's client errors; basicRealm adds main's
// WWW-Authenticate on the token and revoke endpoints.
func (s *Server) lookupClient(w http.ResponseWriter, id string, basicRealm bool) (app, bool) {
	if id == "" {
		writeOAuth2(w, http.StatusBadRequest, "invalid_request", descMissingClientID)
		return app{}, false
	}
	uid, err := uuid.Parse(id)
	if err == nil {
		s.store.mu.Lock()
		a, ok := s.store.apps[uid]
		var cp app
		if ok {
			cp = *a
			cp.redirectURIs = append([]string{}, a.redirectURIs...)
		}
		s.store.mu.Unlock()
		if ok {
			return cp, true
		}
	}
	if basicRealm {
		w.Header().Set("WWW-Authenticate", `Basic realm="coder"`)
	}
	writeOAuth2(w, http.StatusUnauthorized, "invalid_client", descInvalidClient)
	return app{}, false
}

var v230AuthorizeParams = map[string]bool{
	"client_id": true, "response_type": true, "redirect_uri": true, "scope": true, "state": true,
	"resource": true, "code_challenge": true, "code_challenge_method": true,
}

// parseAuthorizeV230 is the experiment era's parser (v2.30 to v2.37): it
// reads the query only, rejects unknown names, and never redirects an
// error: JSON for POST, an HTML page for GET. v2.36 adds required PKCE,
// refuses response_type=token and matches redirect_uri exactly.
func (s *Server) parseAuthorizeV230(w http.ResponseWriter, r *http.Request, a app, sess *session) (*authorizeRequest, bool) {
	q := r.URL.Query()
	var vs []validation
	required := func(name string) {
		if q.Get(name) == "" {
			vs = append(vs, validation{name, fmt.Sprintf("Query param %q is required and cannot be empty", name)})
		}
	}
	required("client_id")
	required("response_type")
	if s.b.pkceRequired {
		required("code_challenge")
	}
	if rt := q.Get("response_type"); rt != "" && rt != "code" && rt != "token" {
		vs = append(vs, validation{"response_type", fmt.Sprintf("Query param %q must be one of [code token], got %q", "response_type", rt)})
	}
	redirect, detail := s.olderRedirect(q.Get("redirect_uri"), a.callbackURL())
	if detail != "" {
		vs = append(vs, validation{"redirect_uri", detail})
	}
	if res := q.Get("resource"); res != "" && !absoluteNoFragment(res) {
		vs = append(vs, validation{"resource", "must be an absolute URI without fragment"})
	}
	var extra []string
	for k := range q {
		if !v230AuthorizeParams[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		vs = append(vs, validation{k, fmt.Sprintf("%q is not a valid query param", k)})
	}
	if len(vs) > 0 {
		parts := make([]string, len(vs))
		warnings := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = fmt.Sprintf("field: %s detail: %s", v.Field, v.Detail)
			warnings[i] = v.Detail
		}
		s.authorizeError(w, r, "invalid_request", "Invalid query params: "+strings.Join(parts, ", "), "Invalid Query Parameters", warnings)
		return nil, false
	}
	if s.b.codeOnly && q.Get("response_type") != "code" {
		s.authorizeError(w, r, "unsupported_response_type", "Only response_type=code is supported", "Unsupported Response Type", nil)
		return nil, false
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge != "" && method == "" {
		method = "S256"
	}
	switch method {
	case "", "S256":
	case "plain":
		s.authorizeError(w, r, "invalid_request", "code_challenge_method 'plain' is not supported; use 'S256'", "Invalid Request", nil)
		return nil, false
	default:
		s.authorizeError(w, r, "invalid_request", "unsupported code_challenge_method: "+method, "Invalid Request", nil)
		return nil, false
	}
	req := &authorizeRequest{
		app: a, sess: sess, redirect: redirect, state: q.Get("state"),
		challenge: challenge, method: method, resource: q.Get("resource"),
	}
	if s.b.boundTokenRedirect {
		req.boundURI = q.Get("redirect_uri")
	}
	return req, true
}

// authorizeError answers without redirecting: JSON for POST, HTML for GET.
func (s *Server) authorizeError(w http.ResponseWriter, r *http.Request, code, description, title string, warnings []string) {
	if r.Method == http.MethodPost {
		writeOAuth2(w, http.StatusBadRequest, code, description)
		return
	}
	if len(warnings) == 0 {
		warnings = []string{description}
	}
	writeErrorPage(w, http.StatusBadRequest, title, warnings)
}

// v230Redirect applies v2.30's rule: same host:port as the callback and a
// path that starts with the callback's path; the scheme is not compared.
func v230Redirect(raw, callback string) (*url.URL, string) {
	cb, err := url.Parse(callback)
	if err != nil {
		return nil, "the app's callback URL is invalid"
	}
	if raw == "" {
		return cb, ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Sprintf("Query param %q must be a valid url: %v", "redirect_uri", err)
	}
	if u.Host != cb.Host || !strings.HasPrefix(u.Path, cb.Path) {
		return nil, fmt.Sprintf("Query param %q must be a subset of %s", "redirect_uri", callback)
	}
	return u, ""
}

// olderRedirect is the experiment era's redirect rule: v2.30's prefix rule,
// or from v2.36 the callback exactly (scheme, host, port and path).
func (s *Server) olderRedirect(raw, callback string) (*url.URL, string) {
	if !s.b.exactRedirect || raw == "" {
		return v230Redirect(raw, callback)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Sprintf("Query param %q must be a valid url: %v", "redirect_uri", err)
	}
	if raw != callback {
		return nil, fmt.Sprintf("Query param %q must exactly match %s", "redirect_uri", callback)
	}
	return u, ""
}

func absoluteNoFragment(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.IsAbs() && u.Fragment == "" && !strings.Contains(raw, "#")
}

// issueCode stores a fresh code, replacing any earlier one for (app, user).
func (s *Server) issueCode(req *authorizeRequest) string {
	full, prefix, _ := newFormattedSecret()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.deleteCodes(req.app.id, req.sess.user.id)
	s.store.codes[prefix] = &authCode{
		prefix: prefix, hash: hashSecret(full), appID: req.app.id, userID: req.sess.user.id,
		expiresAt: s.now().Add(s.opts.CodeLifetime), challenge: req.challenge, method: req.method,
		resource: req.resource, redirectURI: req.boundURI, scope: req.scope,
	}
	return full
}

func (s *Server) renderConsent(w http.ResponseWriter, r *http.Request, req *authorizeRequest) {
	cancel := *req.redirect
	q := cancel.Query()
	q.Set("error", "access_denied")
	if req.cancelExtra {
		q.Set("error_description", "The resource owner denied the request")
		if req.state != "" {
			q.Set("state", req.state)
		}
	}
	cancel.RawQuery = q.Encode()
	data := consentData{AppName: req.app.name, Username: req.sess.user.username, CancelURI: template.URL(cancel.String())}
	if blockedSchemes[strings.ToLower(cancel.Scheme)] {
		// v2.30 never compares the redirect's scheme, so javascript:// with the
		// right host gets this far; never render it as a link.
		data.CancelURI = "#"
	}
	if s.b.consentCSRF {
		data.CSRFToken = csrfFrom(r)
	}
	if s.b.scopesEnforced {
		if req.scope != "coder:all" {
			data.Scopes = strings.Fields(req.scope)
		}
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	if s.b.noStore {
		w.Header().Set("Cache-Control", "no-store") // v2.30's consent page has none (observed §15)
	}
	renderHTML(w, http.StatusOK, consentTmpl(), data)
}
