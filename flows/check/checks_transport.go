package check

import (
	"context"
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
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource"} {
		resp, err := p.do(ctx, "Cache-Control on "+path, client.Request{Method: http.MethodGet, URL: s.base + path})
		if err != nil {
			return p.broken("fetch "+path, err)
		}
		if resp.StatusCode != http.StatusOK {
			continue // the discovery checks judge a missing document
		}
		cc := resp.Header.Values("Cache-Control")
		if hasDirective(cc, "no-store") || hasDirective(cc, "no-cache") || hasDirective(cc, "private") || hasMaxAgeZero(cc) {
			uncacheable = append(uncacheable, path+" ("+strings.Join(cc, ", ")+")")
			continue
		}
		fine = append(fine, path+" ("+firstNonEmpty(strings.Join(cc, ", "), "no Cache-Control")+")")
	}
	switch {
	case len(uncacheable) > 0:
		return p.violated("marked not to be cached, so every client fetches them again: %s", strings.Join(uncacheable, "; "))
	case len(fine) == 0:
		return p.skip("no discovery document answered 200")
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
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"oauthdeck-oversized"}, "padding": {strings.Repeat("a", oversizedForm)}}
	resp, err := p.do(ctx, "a token request with a 2 MiB form", client.Request{Method: http.MethodPost, URL: s.ep.Token, Form: form})
	if err != nil {
		return p.broken("send an oversized token request", err)
	}
	oe := resp.OAuth2Error()
	switch {
	case resp.StatusCode == http.StatusRequestEntityTooLarge && oe != nil && oe.Code == "invalid_request":
		return p.pass("413 invalid_request")
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		return p.pass("413 (without an OAuth2 error body)")
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return p.violated("refused with %d rather than 413 Content Too Large, so a client cannot tell size from content", resp.StatusCode)
	}
	return p.violated("a 2 MiB token request was answered %d: the server read it as a request", resp.StatusCode)
}
