package check

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"oauthdeck/client"
)

func checkASMetadata(ctx context.Context, s *suite, p *probe) verdict {
	var d client.Discovered[client.ASMetadata]
	err := p.call("fetch the authorization server metadata", func() error {
		var err error
		d, err = s.c.AuthorizationServerMetadata(ctx, "")
		return err
	})
	p.discoveryEvidence("authorization server metadata", d.URL, d.Raw, d.Tried)
	if err != nil {
		var pd *client.ProviderDisabledError
		if errors.As(err, &pd) {
			return p.violated("the OAuth2 provider is not enabled: %s", err)
		}
		return p.violated("no authorization server metadata found: %s", err)
	}
	doc := d.Doc
	s.as = &doc
	s.info.Issuer = s.clean(doc.Issuer, true)
	s.info.AuthMethods = doc.TokenEndpointAuthMethodsSupported
	s.info.DCR = doc.RegistrationEndpoint != ""
	s.ep.Authorize = firstNonEmpty(doc.AuthorizationEndpoint, s.ep.Authorize)
	s.ep.Token = firstNonEmpty(doc.TokenEndpoint, s.ep.Token)
	s.ep.Revoke = firstNonEmpty(doc.RevocationEndpoint, s.ep.Revoke)
	s.ep.Register = doc.RegistrationEndpoint

	var missing []string
	for name, v := range map[string]string{"issuer": doc.Issuer, "authorization_endpoint": doc.AuthorizationEndpoint, "token_endpoint": doc.TokenEndpoint} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(doc.ResponseTypesSupported) == 0 {
		missing = append(missing, "response_types_supported")
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return p.violated("%s is missing required members: %s", d.URL, strings.Join(missing, ", "))
	}
	if !slices.Contains(doc.ResponseTypesSupported, "code") {
		return p.violated("response_types_supported %v does not list \"code\"", doc.ResponseTypesSupported)
	}
	if slices.Contains(doc.ResponseTypesSupported, "token") {
		return p.warn("response_types_supported lists \"token\" (implicit grant; RFC 9700 §2.1.2 says not to use it)")
	}
	notes := "found at " + d.URL
	if doc.RevocationEndpoint == "" {
		return p.warn("%s, but it has no revocation_endpoint (RFC 8414 §2; RFC 7009)", notes)
	}
	return p.pass("%s with issuer, endpoints and response_types_supported %v", notes, doc.ResponseTypesSupported)
}

// discoveryEvidence adds a typed discovery call's attempts when there is no
// recorder to capture them.
func (p *probe) discoveryEvidence(what, usedURL string, raw []byte, tried []client.DiscoveryAttempt) {
	if p.s.rec != nil {
		return
	}
	for _, t := range tried {
		ev := Evidence{Note: p.s.clean("look for "+what, true), Method: http.MethodGet, URL: p.s.clean(t.URL, true), Status: t.StatusCode, Error: p.s.clean(t.Err, true)}
		if t.URL == usedURL {
			ev.ResponseBody = p.s.clean(truncate(string(raw)), false)
		}
		p.ownEv = append(p.ownEv, ev)
	}
}

func (s *suite) needMetadata(p *probe) (verdict, bool) {
	if s.as == nil {
		return p.skip("no authorization server metadata to inspect (see discovery.as-metadata)"), false
	}
	return verdict{}, true
}

func checkIssuer(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needMetadata(p); !ok {
		return v
	}
	iss := s.as.Issuer
	if iss != s.base {
		return p.violated("issuer %q is not byte-equal to the deployment URL %q the metadata was fetched from", iss, s.base)
	}
	u, err := url.Parse(iss)
	if err != nil {
		return p.violated("issuer %q is not a URL: %s", iss, err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return p.violated("issuer %q has a query or fragment (RFC 8414 §2 forbids both)", iss)
	}
	if u.Scheme != "https" && !isLoopbackHost(u.Hostname()) {
		return p.violated("issuer %q does not use https (RFC 8414 §2); only loopback test servers are exempt", iss)
	}
	return p.pass("issuer %q equals the deployment URL", iss)
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func checkPKCEMethods(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needMetadata(p); !ok {
		return v
	}
	m := s.as.CodeChallengeMethodsSupported
	switch {
	case len(m) == 0:
		return p.violated("code_challenge_methods_supported is absent; MCP clients must refuse to proceed without it")
	case !slices.Contains(m, "S256"):
		return p.violated("code_challenge_methods_supported %v does not list S256", m)
	case slices.Contains(m, "plain"):
		return p.warn("code_challenge_methods_supported %v also lists plain (RFC 9700 §2.1.1: use S256)", m)
	}
	return p.pass("code_challenge_methods_supported %v", m)
}

func checkProtectedResource(ctx context.Context, s *suite, p *probe) verdict {
	var d client.Discovered[client.PRMetadata]
	err := p.call("fetch the protected resource metadata", func() error {
		var err error
		d, err = s.c.ProtectedResourceMetadata(ctx, s.resource, "")
		return err
	})
	p.discoveryEvidence("protected resource metadata", d.URL, d.Raw, d.Tried)
	if err != nil {
		return p.violated("no protected resource metadata for %s: %s", s.resource, err)
	}
	doc := d.Doc
	s.prm = &doc
	if doc.Resource != s.resource {
		return p.violated("resource %q differs from the resource it was fetched for, %q (RFC 9728 §3.3)", doc.Resource, s.resource)
	}
	if len(doc.AuthorizationServers) == 0 {
		return p.violated("authorization_servers is empty; MCP requires at least one")
	}
	if s.as != nil && !slices.Contains(doc.AuthorizationServers, s.as.Issuer) {
		return p.violated("authorization_servers %v does not list the issuer %q", doc.AuthorizationServers, s.as.Issuer)
	}
	if len(doc.BearerMethodsSupported) > 0 && !slices.Contains(doc.BearerMethodsSupported, "header") {
		return p.warn("bearer_methods_supported %v lacks \"header\" (RFC 6750 §2.1, the method MCP clients use)", doc.BearerMethodsSupported)
	}
	return p.pass("found at %s: resource %q, authorization_servers %v, bearer_methods_supported %v", d.URL, doc.Resource, doc.AuthorizationServers, doc.BearerMethodsSupported)
}

func checkWWWAuthenticate(ctx context.Context, s *suite, p *probe) verdict {
	resp, err := p.do(ctx, "call the API without credentials", client.Request{Method: http.MethodGet, URL: s.base + "/api/v2/users/me"})
	if err != nil {
		return p.broken("call the API without credentials", err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		return p.violated("expected 401 without credentials, got %d", resp.StatusCode)
	}
	raw := resp.Header.Values("WWW-Authenticate")
	if len(raw) == 0 {
		return p.violated("401 without a WWW-Authenticate header (RFC 6750 §3, RFC 9110 §11.6.1)")
	}
	var bearer *client.Challenge
	for _, h := range raw {
		for _, ch := range client.ParseWWWAuthenticate(h) {
			if strings.EqualFold(ch.Scheme, "Bearer") {
				c := ch
				bearer = &c
			}
		}
	}
	if bearer == nil {
		return p.violated("WWW-Authenticate %q has no Bearer challenge", strings.Join(raw, ", "))
	}
	hint := bearer.Params["resource_metadata"]
	if hint == "" {
		return p.violated("the Bearer challenge has no resource_metadata parameter (RFC 9728 §5.1; MCP requires it)")
	}
	var d client.Discovered[client.PRMetadata]
	err = p.call("follow the resource_metadata hint", func() error {
		var err error
		d, err = s.c.ProtectedResourceMetadata(ctx, s.resource, hint)
		return err
	})
	p.discoveryEvidence("the resource_metadata hint", d.URL, d.Raw, d.Tried)
	if err != nil {
		return p.violated("resource_metadata %q does not lead to a protected resource metadata document: %s", hint, err)
	}
	return p.pass("401 with a Bearer challenge; resource_metadata %q serves the resource's metadata", hint)
}
