package check

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/flows"
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
	s.as, s.asURL = &doc, d.URL
	s.info.Issuer = s.clean(doc.Issuer, true)
	s.info.AuthMethods = doc.TokenEndpointAuthMethodsSupported
	s.info.DCR = doc.RegistrationEndpoint != ""
	s.ep.Authorize = firstNonEmpty(doc.AuthorizationEndpoint, s.ep.Authorize)
	s.ep.Token = firstNonEmpty(doc.TokenEndpoint, s.ep.Token)
	s.ep.Revoke = doc.RevocationEndpoint // none advertised: the revocation checks skip
	s.ep.Register = doc.RegistrationEndpoint

	return p.findings(flows.CheckASMetadata(doc, s.base), "found at "+d.URL,
		// Judged by their own checks: discovery.issuer and discovery.pkce-methods.
		"as.issuer", "as.issuer-form", "as.https.issuer", "as.pkce")
}

// findings turns flows' metadata findings into a verdict: any fail is a
// violation, any warning a warning; the messages become the detail.
func (p *probe) findings(fs []flows.Finding, where string, skipIDs ...string) verdict {
	var fails, warns, notes []string
	for _, f := range fs {
		if slices.Contains(skipIDs, f.ID) {
			continue
		}
		msg := f.Message + " (" + f.Basis + ")"
		switch f.Severity {
		case flows.SeverityFail:
			fails = append(fails, msg)
		case flows.SeverityWarn:
			warns = append(warns, msg)
		default:
			notes = append(notes, f.Message)
		}
	}
	switch {
	case len(fails) > 0:
		return p.violated("%s: %s", where, strings.Join(append(fails, warns...), "; "))
	case len(warns) > 0:
		return p.warn("%s: %s", where, strings.Join(warns, "; "))
	}
	return p.pass("%s: %s", where, strings.Join(notes, "; "))
}

// discoveryEvidence adds a typed discovery call's attempts when there is no
// recorder to capture them.
func (p *probe) discoveryEvidence(what, usedURL string, raw []byte, tried []client.DiscoveryAttempt) {
	if p.s.rec != nil {
		return
	}
	for _, t := range tried {
		ev := Evidence{Note: "look for " + what, Method: http.MethodGet, URL: t.URL, Status: t.StatusCode, Error: t.Err}
		if t.URL == usedURL {
			ev.ResponseBody = string(raw)
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
	if u.Scheme != "https" && !coder.IsLoopbackHost(u.Hostname()) {
		return p.violated("issuer %q does not use https (RFC 8414 §2); only loopback test servers are exempt", iss)
	}
	return p.pass("issuer %q equals the deployment URL", iss)
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
	if err != nil && s.generic() && client.IsDocumentMissing(err) {
		return p.skip("no RFC 9728 document at %s: a plain authorization server need not publish one (RFC 9728 §3); a resource server would", s.base)
	}
	if err != nil {
		return p.violated("no protected resource metadata for %s: %s", s.resource, err)
	}
	s.prURL = d.URL
	return p.findings(flows.CheckPRMetadata(d.Doc, s.resource, s.as), "found at "+d.URL)
}

func checkWWWAuthenticate(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderAPI); !ok {
		return v
	}
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
