package check

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/flows/internal/randtext"
	"oauthdeck/pkce"
)

// foreignResource is a resource the deployment is not: tokens for it must
// not open the deployment's API. .invalid never resolves (RFC 6761).
const foreignResource = "https://oauthdeck-check.invalid/mcp"

func checkTokenRedirectMismatch(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	pair := pkce.New()
	code, err := s.newCode(ctx, p, "authorize with the registered redirect_uri", codeOpts{App: s.a, PKCE: &pair, Resource: s.resource})
	if err != nil {
		return p.broken("obtain a code", err)
	}
	// A sub-path of the registered callback: a server that re-checks the
	// value against the registration instead of the authorization request
	// lets it through.
	other := strings.TrimRight(s.redirect, "/") + "/other"
	extra := s.goodExtra(pair.Verifier, s.resource)
	extra.Set("redirect_uri", other)
	tr, err := s.exchange(ctx, p, "exchange with redirect_uri="+other, s.a.ID, s.a.Secret, code, extra)
	if err != nil {
		return p.broken("exchange the code", err)
	}
	if tr.ok() {
		return p.violated("the code issued for %s was redeemed with redirect_uri %s: the token request is not compared with the authorization request", s.redirect, other)
	}
	if !tr.rejected() {
		return p.violated("unexpected answer: %s", tr.describe())
	}
	return p.pass("refused: %s", tr.describe())
}

func checkResourceMismatch(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.needResource(p); !ok {
		return v
	}
	pair := pkce.New()
	code, err := s.newCode(ctx, p, "authorize with resource="+s.resource, codeOpts{App: s.a, PKCE: &pair, Resource: s.resource})
	if err != nil {
		return p.broken("obtain a code", err)
	}
	other := strings.TrimRight(s.resource, "/") + "/oauthdeck-other"
	tr, err := s.exchange(ctx, p, "exchange with resource="+other, s.a.ID, s.a.Secret, code, s.goodExtra(pair.Verifier, other))
	if err != nil {
		return p.broken("exchange the code", err)
	}
	switch {
	case tr.ok():
		return p.violated("the code authorized for %s was redeemed for resource %s", s.resource, other)
	case !tr.rejected():
		return p.violated("unexpected answer: %s", tr.describe())
	case tr.Error != "invalid_target":
		return p.warn("refused, but not with invalid_target: %s", tr.describe())
	}
	return p.pass("refused: %s", tr.describe())
}

func checkAudienceBinding(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.skipInGeneric(p, needsCoderAPI); !ok {
		return v
	}
	tok, v, ok := s.foreignToken(ctx, p)
	if !ok {
		return v
	}
	resp, err := s.bearerStatus(ctx, p, "call the API with the token for "+foreignResource, tok.AccessToken)
	if err != nil {
		return p.broken("call the API with the token", err)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return p.pass("a token issued for %s was refused by the API with %d", foreignResource, resp.StatusCode)
	case http.StatusOK:
		return p.violated("a token issued for %s was accepted by the deployment's API", foreignResource)
	}
	return p.warn("the API answered %d to a token for %s (expected 401 or 403)", resp.StatusCode, foreignResource)
}

// foreignToken gets a token issued for foreignResource, the audience no
// resource server here has. ok is false with the verdict to return when
// the server will not issue one (which passes: it refused the audience).
func (s *suite) foreignToken(ctx context.Context, p *probe) (*client.TokenResponse, verdict, bool) {
	pair := pkce.New()
	az, err := s.authorize(ctx, p, "authorize with resource="+foreignResource, s.codeQuery(codeOpts{App: s.a, PKCE: &pair, Resource: foreignResource, State: randtext.Alnum(22)}))
	if err != nil {
		return nil, p.broken("send the authorization request", err), false
	}
	if !az.issued() {
		return nil, p.pass("the server will not issue codes for the foreign resource %s: %s", foreignResource, az.describe()), false
	}
	tr, err := s.exchange(ctx, p, "exchange with resource="+foreignResource, s.a.ID, s.a.Secret, az.Code, s.goodExtra(pair.Verifier, foreignResource))
	if err != nil {
		return nil, p.broken("exchange the code", err), false
	}
	if !tr.ok() {
		return nil, p.pass("the server will not issue tokens for the foreign resource %s: %s", foreignResource, tr.describe()), false
	}
	return &tr.Token, verdict{}, true
}

func checkCodeSingleUse(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	pair := pkce.New()
	code, err := s.newCode(ctx, p, "authorize", codeOpts{App: s.a, PKCE: &pair, Resource: s.resource})
	if err != nil {
		return p.broken("obtain a code", err)
	}
	extra := s.goodExtra(pair.Verifier, s.resource)
	first, err := s.exchange(ctx, p, "first exchange", s.a.ID, s.a.Secret, code, extra)
	if err != nil {
		return p.broken("exchange the code", err)
	}
	if !first.ok() {
		return p.broken("redeem a fresh code", errorString("the first exchange was refused: "+first.describe()))
	}
	second, err := s.exchange(ctx, p, "replay the same code", s.a.ID, s.a.Secret, code, extra)
	if err != nil {
		return p.broken("replay the code", err)
	}
	switch {
	case second.ok():
		return p.violated("the code was redeemed twice")
	case !second.rejected():
		return p.violated("unexpected answer to the replay: %s", second.describe())
	case second.Error != "invalid_grant":
		return p.warn("replay refused, but not with invalid_grant: %s", second.describe())
	}
	return p.pass("replay refused: %s", second.describe())
}

func checkCodeClientBinding(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.needSecond(p); !ok {
		return v
	}
	var answers refusals
	for _, c := range []struct {
		label            string
		clientID, secret string
	}{
		{"app B's client_id and secret", s.b.ID, s.b.Secret},
		{"app A's client_id with app B's secret", s.a.ID, s.b.Secret},
	} {
		pair := pkce.New()
		code, err := s.newCode(ctx, p, "authorize as app A", codeOpts{App: s.a, PKCE: &pair, Resource: s.resource})
		if err != nil {
			return p.broken("obtain a code", err)
		}
		tr, err := s.exchange(ctx, p, "redeem app A's code with "+c.label, c.clientID, c.secret, code, s.goodExtra(pair.Verifier, s.resource))
		if err != nil {
			return p.broken("exchange the code", err)
		}
		if !answers.note(c.label, tr) {
			return p.violated("unexpected answer with %s: %s", c.label, tr.describe())
		}
	}
	return answers.verdict(p, "app A's code was redeemed with %s", " and with ")
}

func checkBadClientSecret(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.needClientSecret(p); !ok {
		return v
	}
	var bad, odd, fine []string
	wrong := wrongSecret()
	for _, c := range []struct{ label, secret string }{
		{"a wrong client_secret", wrong},
		{"no client_secret", ""},
	} {
		pair := pkce.New()
		code, err := s.newCode(ctx, p, "authorize as app A", codeOpts{App: s.a, PKCE: &pair, Resource: s.resource})
		if err != nil {
			return p.broken("obtain a code", err)
		}
		tr, err := s.exchange(ctx, p, "exchange with "+c.label, s.a.ID, c.secret, code, s.goodExtra(pair.Verifier, s.resource))
		if err != nil {
			return p.broken("exchange the code", err)
		}
		switch {
		case tr.ok():
			bad = append(bad, c.label+" was accepted")
		case !tr.rejected():
			bad = append(bad, c.label+": "+tr.describe())
		case c.secret != "" && tr.Error != "invalid_client":
			odd = append(odd, c.label+": "+tr.describe())
		default:
			fine = append(fine, c.label+": "+tr.describe())
		}
	}
	if len(bad) > 0 {
		return p.violated("%s", strings.Join(bad, "; "))
	}
	if len(odd) > 0 {
		return p.warn("refused, but not with invalid_client (RFC 6749 §5.2): %s", strings.Join(odd, "; "))
	}
	return p.pass("refused: %s", strings.Join(fine, "; "))
}

func checkUnsupportedGrant(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	form := url.Values{"grant_type": {"password"}, "client_id": {s.a.ID}, "client_secret": {s.a.Secret}}
	tr, err := s.postForm(ctx, p, "token request with grant_type=password", s.ep.Token, form)
	if err != nil {
		return p.broken("send the token request", err)
	}
	switch {
	case tr.ok():
		return p.violated("the password grant issued a token")
	case !tr.rejected():
		return p.violated("unexpected answer: %s", tr.describe())
	case tr.Error != "unsupported_grant_type":
		return p.warn("refused, but not with unsupported_grant_type: %s", tr.describe())
	}
	return p.pass("refused: %s", tr.describe())
}

type errorString string

func (e errorString) Error() string { return string(e) }

func checkSecretInQuery(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.skipInGeneric(p, needsThrowaway); !ok {
		return v
	}
	if v, ok := s.needClientSecret(p); !ok {
		return v
	}
	pair := pkce.New()
	code, err := s.newCode(ctx, p, "authorize as app A", codeOpts{App: s.a, PKCE: &pair, Resource: s.resource})
	if err != nil {
		return p.broken("obtain a code", err)
	}
	form := s.goodExtra(pair.Verifier, s.resource)
	form.Set("grant_type", "authorization_code")
	form.Set("code", code)
	form.Set("client_id", s.a.ID)
	resp, err := p.do(ctx, "exchange with client_secret in the URL query", client.Request{Method: http.MethodPost, URL: s.ep.Token,
		Query: url.Values{"client_secret": {s.a.Secret}}, Form: form})
	if err != nil {
		return p.broken("send the token request", err)
	}
	if resp.StatusCode == http.StatusOK {
		return p.violated("the client secret was accepted from the URL query, where proxies and access logs keep it")
	}
	return p.pass("not accepted: %d %s", resp.StatusCode, oauthErrorCode(resp))
}

func oauthErrorCode(resp *client.Response) string {
	if oe := resp.OAuth2Error(); oe != nil {
		return oe.Code + descSuffix(oe.Description)
	}
	return ""
}

func checkAuthMethods(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.skipInGeneric(p, needsOneMethodOnly); !ok {
		return v
	}
	if v, ok := s.needMetadata(p); !ok {
		return v
	}
	advertised := s.as.TokenEndpointAuthMethodsSupported
	if len(advertised) == 0 {
		advertised = []string{string(flows.AuthBasic)} // RFC 8414 §2: the default when absent
	}
	var tried, broken, untested []string
	for _, m := range advertised {
		method := flows.AuthMethod(m)
		if method != flows.AuthPost && method != flows.AuthBasic {
			untested = append(untested, m) // none is for public clients; JWT and mTLS methods need keys
			continue
		}
		pair := pkce.New()
		code, err := s.newCode(ctx, p, "authorize for "+m, codeOpts{App: s.a, PKCE: &pair, Resource: s.resource})
		if err != nil {
			return p.broken("obtain a code", err)
		}
		tc := s.tokenClient(s.a)
		tc.Method = method
		err = p.call("exchange with "+m, func() error {
			t, err := tc.Exchange(ctx, code, s.redirect, pair.Verifier, s.resource)
			s.remember(t.AccessToken, t.RefreshToken, t.IDToken)
			return err
		})
		tried = append(tried, m)
		if err != nil {
			if isCancel(ctx, err) {
				return p.broken("exchange the code", err)
			}
			broken = append(broken, m+": "+err.Error())
		}
	}
	if len(broken) > 0 {
		return p.violated("advertised but refused: %s", strings.Join(broken, "; "))
	}
	note := ""
	if len(untested) > 0 {
		note = " (not tried: " + strings.Join(untested, ", ") + ")"
	}
	if len(tried) == 0 {
		return p.skip("no advertised method the suite can use with a confidential client%s", note)
	}
	return p.pass("code exchanges succeeded with %s%s", strings.Join(tried, " and "), note)
}
