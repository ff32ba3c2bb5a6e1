package check

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client"
)

// Transport rules of Coder 2.38 (coderd/oauth2provider/nostore_test.go):
// nothing under /oauth2/ or /api/v2/oauth2-provider/ may be cached, while
// the two discovery documents should be (RFC 9728 §5 asks for cacheable
// metadata).

func checkNoStoreTree(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, "Coder's own rule for its /oauth2 and apps API trees"); !ok {
		return v
	}
	if v, ok := s.needMetadata(p); !ok {
		return v
	}
	probes := []struct {
		note string
		req  client.Request
	}{
		{"a token request with an unknown grant", client.Request{Method: http.MethodPost, URL: s.ep.Token, Form: url.Values{"grant_type": {"oauthdeck-unknown"}}}},
		{"a revocation without a token", client.Request{Method: http.MethodPost, URL: firstNonEmpty(s.ep.Revoke, s.base+"/oauth2/revoke"), Form: url.Values{"token": {""}}}},
		{"the apps list", client.Request{Method: http.MethodGet, URL: s.base + "/api/v2/oauth2-provider/apps", WithSession: true}},
	}
	var missing, fine []string
	for _, pr := range probes {
		resp, err := p.do(ctx, "Cache-Control on "+pr.note, pr.req)
		if err != nil {
			return p.broken("send "+pr.note, err)
		}
		line := pr.note + " (" + resp.Header.Get("Cache-Control") + ")"
		if hasDirective(resp.Header.Values("Cache-Control"), "no-store") {
			fine = append(fine, line)
		} else {
			missing = append(missing, pr.note+": "+firstNonEmpty(strings.Join(resp.Header.Values("Cache-Control"), ", "), "no Cache-Control"))
		}
	}
	if len(missing) > 0 {
		return p.violated("not marked no-store: %s", strings.Join(missing, "; "))
	}
	return p.pass("no-store on %s", strings.Join(fine, ", "))
}

func checkDiscoveryCacheable(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needMetadata(p); !ok {
		return v
	}
	var uncacheable, fine []string
	// The URLs discovery found the documents at (path-inserted, OIDC fallback).
	for _, u := range []string{s.asURL, s.prURL} {
		if u == "" {
			continue
		}
		resp, err := p.do(ctx, "Cache-Control on "+u, client.Request{Method: http.MethodGet, URL: u})
		if err != nil {
			return p.broken("fetch "+u, err)
		}
		body := strings.TrimSpace(string(resp.Body))
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "{") || !json.Valid(resp.Body) {
			continue // not the document this time: nothing to judge here
		}
		cc := resp.Header.Values("Cache-Control")
		// private still lets the client itself cache; these make every use fetch or revalidate.
		if hasDirective(cc, "no-store") || hasDirective(cc, "no-cache") || hasMaxAgeZero(cc) {
			uncacheable = append(uncacheable, u+" ("+strings.Join(cc, ", ")+")")
			continue
		}
		fine = append(fine, u+" ("+firstNonEmpty(strings.Join(cc, ", "), "no Cache-Control")+")")
	}
	switch {
	case len(uncacheable) > 0:
		return p.violated("not cacheable (fetched or revalidated on every use): %s", strings.Join(uncacheable, "; "))
	case len(fine) == 0:
		return p.skip("no discovery document was found to judge")
	}
	return p.pass("cacheable: %s", strings.Join(fine, ", "))
}

func hasMaxAgeZero(values []string) bool {
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			if strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(d), " ", ""), "max-age=0") {
				return true
			}
		}
	}
	return false
}

// oversizedForm is past every limit a server should set on a token request
// (Coder's is 1 MiB) and small enough to send once a run.
const oversizedForm = 1<<20 + 256<<10

func checkBodyLimit(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needMetadata(p); !ok {
		return v
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"oauthdeck-oversized"}}
	req := client.Request{Method: http.MethodPost, URL: s.ep.Token, Form: form}
	if s.a != nil { // a client that authenticates, so a refusal is about the body
		form.Set("client_id", s.a.ID)
		if s.a.Secret != "" {
			form.Set("client_secret", s.a.Secret)
		}
		s.credentials(&req)
	}
	// The padding is appended already encoded ('a' needs no escaping), in
	// one buffer filled by doubling copies: form encoding 1.25 MiB byte by
	// byte, or building it as a string and converting it, cost more than
	// the rest of the run.
	head := req.Form.Encode() + "&padding="
	body := make([]byte, len(head)+oversizedForm)
	pad := body[copy(body, head):]
	pad[0] = 'a'
	for filled := 1; filled < len(pad); filled *= 2 {
		copy(pad[filled:], pad[:filled])
	}
	req.Form, req.Body = nil, body
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.do(ctx, "a token request with a 1.25 MiB form", req)
	if err != nil {
		return p.broken("send an oversized token request", err)
	}
	oe := resp.OAuth2Error()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return p.skip("the server refused the client (401) before judging the body's size, so its limit was not seen")
	case resp.StatusCode == http.StatusRequestEntityTooLarge && oe != nil && oe.Code == "invalid_request":
		return p.pass("413 invalid_request")
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		return p.pass("413 (without an OAuth2 error body)")
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return p.violated("refused with %d rather than 413 Content Too Large, so a client cannot tell size from content", resp.StatusCode)
	}
	return p.violated("a 1.25 MiB token request was answered %d: the server read it as a request", resp.StatusCode)
}
