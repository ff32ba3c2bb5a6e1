package check

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client"
	"oauthdeck/flows/internal/randtext"
	"oauthdeck/pkce"
)

func checkSetup(ctx context.Context, s *suite, p *probe) verdict {
	if s.generic() {
		return s.useGiven(p)
	}
	if err := s.setupApps(ctx, p); err != nil {
		var pd *client.ProviderDisabledError
		var se *client.SessionError
		var api *client.APIError
		switch {
		case errors.As(err, &pd):
			return p.violated("the OAuth2 provider is not enabled, so nothing can be checked past discovery: %s", err)
		case errors.As(err, &se):
			return p.violated("the admin session was refused: %s", err)
		case errors.As(err, &api) && api.StatusCode == http.StatusForbidden:
			return p.violated("the session may not create apps (an owner is needed): %s", err)
		}
		return p.broken("create the test apps", err)
	}
	return p.pass("created %s (%s) and %s (%s), each with a secret; both are deleted at the end", s.a.Name, s.a.ID, s.b.Name, s.b.ID)
}

// needApps skips checks that cannot run without the test apps.
func (s *suite) needApps(p *probe) (verdict, bool) {
	if s.a == nil || s.b == nil && !s.generic() {
		return p.skip("needs the suite's test apps, which could not be created (see setup.apps)"), false
	}
	return verdict{}, true
}

const (
	noteFlowAuthorize = "authorize with PKCE S256 and state"
	noteFlowExchange  = "exchange the code with its verifier"
)

func checkFlowPKCE(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	pair := pkce.New()
	s.flowState = randtext.Alnum(22)
	az, err := s.authorize(ctx, p, noteFlowAuthorize, s.codeQuery(codeOpts{App: s.a, PKCE: &pair, State: s.flowState}))
	if err != nil {
		return p.broken("send the authorization request", err)
	}
	s.flowAuthz = &az
	if az.ToLogin {
		return p.violated("the admin session was not accepted at the authorization endpoint: %s", az.describe())
	}
	if !az.issued() {
		return p.violated("authorization with an S256 challenge was refused: %s", az.describe())
	}
	tr, err := s.exchange(ctx, p, noteFlowExchange, s.a.ID, s.a.Secret, az.Code, s.goodExtra(pair.Verifier, ""))
	if err != nil {
		return p.broken("exchange the code", err)
	}
	s.flowToken = &tr
	if !tr.ok() {
		return p.violated("the code exchange with the right verifier was refused: %s", tr.describe())
	}
	if !strings.EqualFold(tr.Token.TokenType, "Bearer") {
		return p.violated("token_type is %q, not Bearer (RFC 6749 §5.1 requires it; RFC 6750 defines Bearer)", tr.Token.TokenType)
	}
	refresh := "no refresh token"
	if tr.Token.RefreshToken != "" {
		refresh = "a refresh token"
	}
	return p.pass("code issued for an S256 challenge and exchanged with its verifier: Bearer access token (expires_in %d) and %s", tr.Token.ExpiresIn, refresh)
}

func checkState(ctx context.Context, s *suite, p *probe) verdict {
	if s.flowAuthz == nil || !s.flowAuthz.issued() {
		return p.skip("needs the authorization response of flow.pkce")
	}
	p.cite("flow.pkce", noteFlowAuthorize)
	az := s.flowAuthz
	switch {
	case !az.HasState:
		return p.violated("the redirect carries no state although the request sent one")
	case az.State != s.flowState:
		return p.violated("state came back as %q, not as sent", az.State)
	}
	return p.pass("state returned byte-for-byte with the code")
}

func checkIss(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needMetadata(p); !ok {
		return v
	}
	if !s.as.AuthorizationResponseIssParameterSupported {
		return p.skip("the server does not advertise authorization_response_iss_parameter_supported (RFC 9207 is optional)")
	}
	if s.flowAuthz == nil || !s.flowAuthz.issued() {
		return p.skip("needs the authorization response of flow.pkce")
	}
	p.cite("flow.pkce", noteFlowAuthorize)
	if s.flowAuthz.Iss != s.as.Issuer {
		return p.violated("iss is %q, the issuer is %q", s.flowAuthz.Iss, s.as.Issuer)
	}
	return p.pass("iss %q equals the issuer", s.flowAuthz.Iss)
}

func checkCacheControl(ctx context.Context, s *suite, p *probe) verdict {
	if s.flowToken == nil || !s.flowToken.ok() {
		return p.skip("needs a successful token response (see flow.pkce)")
	}
	p.cite("flow.pkce", noteFlowExchange)
	cc := s.flowToken.Header.Values("Cache-Control")
	if !hasDirective(cc, "no-store") {
		if len(cc) == 0 {
			return p.violated("the token response has no Cache-Control header; it must carry no-store so that tokens are not cached")
		}
		return p.violated("Cache-Control is %q, without no-store", strings.Join(cc, ", "))
	}
	if !hasDirective(s.flowToken.Header.Values("Pragma"), "no-cache") {
		return p.pass("Cache-Control: %s (no Pragma: no-cache, which RFC 6749 also asks for but OAuth 2.1 dropped)", strings.Join(cc, ", "))
	}
	return p.pass("Cache-Control: %s and Pragma: no-cache", strings.Join(cc, ", "))
}

// hasDirective reports whether a comma-separated header lists name.
func hasDirective(values []string, name string) bool {
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			d, _, _ = strings.Cut(strings.TrimSpace(d), "=")
			if strings.EqualFold(d, name) {
				return true
			}
		}
	}
	return false
}

func checkFlowResource(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.needResource(p); !ok {
		return v
	}
	pair := pkce.New()
	code, err := s.newCode(ctx, p, "authorize with resource="+s.resource, codeOpts{App: s.a, PKCE: &pair, Resource: s.resource})
	if err != nil {
		return p.violated("authorization with resource %q was refused: %s", s.resource, err)
	}
	tr, err := s.exchange(ctx, p, "exchange with the same resource", s.a.ID, s.a.Secret, code, s.goodExtra(pair.Verifier, s.resource))
	if err != nil {
		return p.broken("exchange the code", err)
	}
	if !tr.ok() {
		return p.violated("the exchange with the same resource was refused: %s", tr.describe())
	}
	tok := tr.Token
	s.resourceToken = &tok
	return p.pass("resource %q accepted at the authorization and token requests", s.resource)
}

func checkBearerUse(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderAPI); !ok {
		return v
	}
	if v, ok := s.needApps(p); !ok {
		return v
	}
	tok := s.resourceToken
	if tok == nil {
		t, err := s.tokens(ctx, p, "a token to use")
		if err != nil {
			return p.broken("obtain a token for resource "+s.resource, err)
		}
		tok = &t
	}
	resp, err := s.bearerStatus(ctx, p, "call the API with Authorization: Bearer", tok.AccessToken)
	if err != nil {
		return p.broken("call the API with the token", err)
	}
	if resp.StatusCode != http.StatusOK {
		return p.violated("the API answered %d to a token issued for resource %q", resp.StatusCode, s.resource)
	}
	return p.pass("GET /api/v2/users/me with the Bearer token (audience %q) answered 200", s.resource)
}

func checkWrongVerifier(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	var bad, odd []string
	for _, probeCase := range []struct {
		label    string
		verifier string // "" = leave code_verifier out
	}{
		{"a wrong verifier", pkce.NewVerifier()},
		{"no verifier", ""},
	} {
		pair := pkce.New()
		code, err := s.newCode(ctx, p, "authorize with PKCE S256 before sending "+probeCase.label, codeOpts{App: s.a, PKCE: &pair})
		if err != nil {
			return p.broken("obtain a code", err)
		}
		s.remember(probeCase.verifier)
		extra := url.Values{"redirect_uri": {s.redirect}}
		if probeCase.verifier != "" {
			extra.Set("code_verifier", probeCase.verifier)
		}
		tr, err := s.exchange(ctx, p, "exchange with "+probeCase.label, s.a.ID, s.a.Secret, code, extra)
		if err != nil {
			return p.broken("exchange the code", err)
		}
		switch {
		case tr.ok():
			bad = append(bad, probeCase.label+" was accepted")
		case !tr.rejected():
			bad = append(bad, probeCase.label+": "+tr.describe())
		case tr.Error != "invalid_grant" && (probeCase.verifier != "" || tr.Error != "invalid_request"):
			odd = append(odd, probeCase.label+": "+tr.describe())
		}
	}
	if len(bad) > 0 {
		return p.violated("%s", strings.Join(bad, "; "))
	}
	if len(odd) > 0 {
		return p.warn("refused, but not with invalid_grant (RFC 7636 §4.6): %s", strings.Join(odd, "; "))
	}
	return p.pass("a wrong verifier (invalid_grant) and a missing verifier were both refused")
}
