package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"oauthdeck/pkce"
)

// parseAuthorizeMain applies main's rules: the redirect URI must match a
// registered one exactly (loopback port may differ); once it is settled,
// every other error goes back to the client's callback (RFC 6749 §4.1.2.1).
func (s *Server) parseAuthorizeMain(w http.ResponseWriter, r *http.Request, a app, sess *session) (*authorizeRequest, bool) {
	q := r.URL.Query()
	if len(q["redirect_uri"]) > 1 {
		s.authorizeError(w, r, "invalid_request", "Invalid query params: field: redirect_uri detail: must not be repeated", "Invalid Query Parameters", []string{"redirect_uri must not be repeated"})
		return nil, false
	}
	redirect, detail := mainRedirect(q.Get("redirect_uri"), a.redirectURIs)
	if detail != "" {
		s.authorizeError(w, r, "invalid_request", "Invalid query params: field: redirect_uri detail: "+detail, "Invalid Query Parameters", []string{detail})
		return nil, false
	}
	state := q.Get("state")
	fail := func(code string, problems []string) (*authorizeRequest, bool) {
		desc := strings.Join(problems, "; ")
		if len(desc) > 2048 {
			desc = cutUTF8(desc, 2048-len(" (truncated)")) + " (truncated)"
		}
		loc := *redirect
		v := loc.Query()
		v.Set("error", code)
		v.Set("error_description", desc)
		if state != "" {
			v.Set("state", state)
		}
		loc.RawQuery = v.Encode()
		w.Header().Set("Location", loc.String())
		w.WriteHeader(http.StatusFound)
		return nil, false
	}

	var repeated []string
	for k, vals := range q {
		if len(vals) > 1 {
			repeated = append(repeated, k+": must not be repeated")
		}
	}
	sort.Strings(repeated)
	if len(repeated) > 0 {
		return fail("invalid_request", repeated)
	}
	switch rt := q.Get("response_type"); rt {
	case "code":
	case "":
		return fail("invalid_request", []string{"response_type: is required"})
	default:
		return fail("unsupported_response_type", []string{"Only response_type=code is supported"})
	}
	var problems []string
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge == "" {
		problems = append(problems, "code_challenge: is required (PKCE S256)")
	} else if err := pkce.ValidateChallenge(challenge); err != nil {
		problems = append(problems, "code_challenge: "+err.Error())
	}
	switch method {
	case "", "S256":
		method = "S256"
	case "plain":
		problems = append(problems, "code_challenge_method: 'plain' is not supported; use 'S256'")
	default:
		problems = append(problems, fmt.Sprintf("code_challenge_method: unsupported value %q", method))
	}
	if len(problems) > 0 {
		return fail("invalid_request", problems)
	}
	resource := q.Get("resource")
	if resource != "" && !absoluteNoFragment(resource) {
		return fail("invalid_target", []string{"resource: must be an absolute URI without fragment"})
	}
	scope, scopeErr := negotiateScope(q.Get("scope"), a.scope)
	if scopeErr != "" {
		return fail("invalid_scope", []string{scopeErr})
	}
	return &authorizeRequest{
		app: a, sess: sess, redirect: redirect, boundURI: q.Get("redirect_uri"), state: state,
		challenge: challenge, method: method, resource: resource, scope: scope, cancelExtra: true,
	}, true
}

// mainRedirect matches redirect_uri against the registered list. The port
// of an http loopback URI may differ (RFC 8252 §7.3). Reserved response
// parameters already in the registered URI are stripped.
func mainRedirect(raw string, registered []string) (*url.URL, string) {
	if len(registered) == 0 {
		return nil, "the app has no registered redirect URI"
	}
	chosen := registered[0]
	var u *url.URL
	if raw != "" {
		parsed, err := url.Parse(raw)
		if err != nil {
			return nil, "redirect_uri is not a valid URL"
		}
		if !redirectRegistered(parsed, registered) {
			return nil, "redirect_uri does not match any registered redirect URI"
		}
		u, chosen = parsed, raw
	}
	if u == nil {
		parsed, err := url.Parse(chosen)
		if err != nil {
			return nil, "the app's registered redirect URI is invalid"
		}
		u = parsed
	}
	v := u.Query()
	for _, k := range []string{"code", "error", "error_description", "state"} {
		v.Del(k)
	}
	u.RawQuery = v.Encode()
	return u, ""
}

func redirectRegistered(u *url.URL, registered []string) bool {
	for _, reg := range registered {
		if u.String() == reg {
			return true
		}
		ru, err := url.Parse(reg)
		if err != nil {
			continue
		}
		if u.Scheme == "http" && ru.Scheme == "http" && exactLoopbackHost(u.Hostname()) &&
			strings.EqualFold(u.Hostname(), ru.Hostname()) && u.EscapedPath() == ru.EscapedPath() &&
			u.RawQuery == ru.RawQuery && u.User == nil && ru.User == nil {
			return true
		}
	}
	return false
}

// negotiateScope: no allowlist and no request → coder:all; allowlist and no
// request → the allowlist; otherwise the request must be known and covered.
func negotiateScope(requested, allowlist string) (string, string) {
	requested = strings.Join(strings.Fields(requested), " ")
	if requested == "" {
		if allowlist == "" {
			return "coder:all", ""
		}
		return allowlist, ""
	}
	if bad := unknownScopes(requested); len(bad) > 0 {
		return "", fmt.Sprintf("scope: unknown scope %q", bad[0])
	}
	if allowlist != "" && !scopeCovered(requested, allowlist) {
		// The wording upstream's SCOPES.md shows for this refusal.
		for _, sc := range strings.Fields(requested) {
			if !scopeCovered(sc, allowlist) {
				return "", fmt.Sprintf("%q: scope is not in this app's allowed scope list", sc)
			}
		}
		return "", "scope is not in this app's allowed scope list"
	}
	return requested, ""
}
