package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/flows/internal/randtext"
	"oauthdeck/pkce"
)

// The raw OAuth2 requests behind the probes. They go through client.Do so
// every parameter (including deliberately wrong ones) is under control and
// every answer, status and header included, can be judged.

// authzResult is how the authorization endpoint answered a consent POST.
type authzResult struct {
	Status      int
	Location    *url.URL // the redirect target, when there was one
	Code, State string
	Iss         string
	HasState    bool
	Error       string // from the redirect's query or the JSON body
	Description string
	ToLogin     bool // redirected to /login: the admin session was not accepted
	// NoRedirect (generic mode) is why no redirect reached the redirect URI.
	NoRedirect string
}

// issued reports whether the server handed out a code.
func (a authzResult) issued() bool { return a.Code != "" }

// describe says in one line what the server did.
func (a authzResult) describe() string {
	switch {
	case a.NoRedirect != "":
		return a.NoRedirect
	case a.ToLogin:
		return fmt.Sprintf("%d redirect to the login page", a.Status)
	case a.issued():
		return fmt.Sprintf("%d redirect to %s with a code", a.Status, redirectBase(a.Location))
	case a.Location != nil && a.Error != "":
		return fmt.Sprintf("%d redirect to %s with error=%s%s", a.Status, redirectBase(a.Location), a.Error, descSuffix(a.Description))
	case a.Location != nil:
		return fmt.Sprintf("%d redirect to %s without a code or an error", a.Status, redirectBase(a.Location))
	case a.Error != "":
		return fmt.Sprintf("%d %s%s", a.Status, a.Error, descSuffix(a.Description))
	default:
		return fmt.Sprintf("%d without a redirect", a.Status)
	}
}

func redirectBase(u *url.URL) string {
	if u == nil {
		return "?"
	}
	cp := *u
	cp.RawQuery, cp.Fragment = "", ""
	return cp.String()
}

func descSuffix(d string) string {
	if d == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", d)
}

// authorize sends a consent POST and reports the answer exactly, for the
// probes that expect a refusal. Like flows.AutoConsent it POSTs the
// authorization URL (all parameters in the query) with the admin's session
// and does not follow the redirect, but it judges nothing: a refusal by
// redirect, by error body or a code for a wrong request are all results.
func (s *suite) authorize(ctx context.Context, p *probe, note string, q url.Values) (authzResult, error) {
	authURL, err := flows.AuthorizationURL(s.ep.Authorize, q)
	if err != nil {
		return authzResult{}, err
	}
	if s.generic() {
		return s.captureConsent(ctx, p, note, authURL, firstNonEmpty(q.Get("redirect_uri"), s.redirect))
	}
	resp, err := p.do(ctx, note, client.Request{Method: http.MethodPost, URL: authURL, WithSession: true})
	if err != nil {
		return authzResult{}, err
	}
	res := authzResult{Status: resp.StatusCode}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, lerr := resp.Location()
		if lerr != nil || loc == nil {
			return res, fmt.Errorf("authorization endpoint answered %d with an unusable Location", resp.StatusCode)
		}
		res.Location = loc
		if strings.HasSuffix(loc.Path, "/login") {
			res.ToLogin = true
			return res, nil
		}
		lq := loc.Query()
		res.Code, res.Error, res.Description = lq.Get("code"), lq.Get("error"), lq.Get("error_description")
		res.State, res.HasState, res.Iss = lq.Get("state"), lq.Has("state"), lq.Get("iss")
		s.remember(res.Code)
		return res, nil
	}
	if oe := resp.OAuth2Error(); oe != nil {
		res.Error, res.Description = oe.Code, oe.Description
	}
	return res, nil
}

// codeOpts shapes an authorization request; the zero value is a plain
// request without PKCE, state or resource.
type codeOpts struct {
	App          *testApp
	PKCE         *pkce.Pair
	Resource     string
	RedirectURI  string // "" = the suite's redirect URI; "-" = omit
	ResponseType string // "" = code
	State        string
	Scope        string // "" = none: the server's default
}

func (s *suite) codeQuery(o codeOpts) url.Values {
	q := url.Values{}
	q.Set("client_id", o.App.ID)
	q.Set("response_type", firstNonEmpty(o.ResponseType, "code"))
	switch o.RedirectURI {
	case "":
		q.Set("redirect_uri", s.redirect)
	case "-":
	default:
		q.Set("redirect_uri", o.RedirectURI)
	}
	if o.State != "" {
		q.Set("state", o.State)
	}
	if o.PKCE != nil {
		q.Set("code_challenge", o.PKCE.Challenge)
		q.Set("code_challenge_method", string(o.PKCE.Method))
		s.remember(o.PKCE.Verifier)
	}
	if o.Resource != "" {
		q.Set("resource", o.Resource)
	}
	if o.Scope != "" {
		q.Set("scope", o.Scope)
	}
	return q
}

// newCode gets a code that the check needs as a prerequisite, through
// flows.AutoConsent (which also validates the redirect, state and iss); a
// refusal is an error.
func (s *suite) newCode(ctx context.Context, p *probe, note string, o codeOpts) (string, error) {
	if o.State == "" {
		o.State = randtext.Alnum(22)
	}
	authURL, err := flows.AuthorizationURL(s.ep.Authorize, s.codeQuery(o))
	if err != nil {
		return "", err
	}
	exp := flows.Expect{RedirectURI: s.redirect, State: o.State}
	if o.RedirectURI != "" && o.RedirectURI != "-" {
		exp.RedirectURI = o.RedirectURI
	}
	if s.as != nil {
		exp.Issuer, exp.RequireIss = s.as.Issuer, s.as.AuthorizationResponseIssParameterSupported
	}
	var cb flows.Callback
	if s.generic() {
		az, cerr := s.captureConsent(ctx, p, note, authURL, exp.RedirectURI)
		switch {
		case cerr != nil:
			err = cerr
		case az.Location == nil:
			err = errors.New(az.NoRedirect)
		default:
			cb, err = flows.ParseRedirectURL(az.Location.String(), exp)
		}
	} else {
		err = p.call(note, func() error {
			var err error
			cb, err = flows.AutoConsent(ctx, s.c, authURL, exp)
			return err
		})
	}
	if err != nil {
		return "", fmt.Errorf("authorization request refused: %w", err)
	}
	s.remember(cb.Code)
	return cb.Code, nil
}

// tokenResult is how the token (or revocation) endpoint answered.
type tokenResult struct {
	Status      int
	Header      http.Header
	Token       client.TokenResponse
	Error       string
	Description string
}

func (t tokenResult) ok() bool { return t.Status == http.StatusOK && t.Token.AccessToken != "" }

func (t tokenResult) describe() string {
	switch {
	case t.ok():
		return "200 with an access token"
	case t.Error != "":
		return fmt.Sprintf("%d %s%s", t.Status, t.Error, descSuffix(t.Description))
	default:
		return fmt.Sprintf("%d without an OAuth2 error body", t.Status)
	}
}

// rejected reports an OAuth2-conformant refusal (4xx). A 5xx or a 2xx is not one.
func (t tokenResult) rejected() bool { return t.Status >= 400 && t.Status < 500 }

// postForm sends a form to an OAuth2 endpoint with client_secret_post
// authentication, which every Coder version accepts.
func (s *suite) postForm(ctx context.Context, p *probe, note, endpoint string, form url.Values) (tokenResult, error) {
	req := client.Request{Method: http.MethodPost, URL: endpoint, Form: form}
	s.credentials(&req)
	resp, err := p.do(ctx, note, req)
	if err != nil {
		return tokenResult{}, err
	}
	res := tokenResult{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode == http.StatusOK && len(resp.Body) > 0 {
		if json.Unmarshal(resp.Body, &res.Token) == nil {
			res.Token.Raw = resp.Body
			s.remember(res.Token.AccessToken, res.Token.RefreshToken, res.Token.IDToken)
		}
	}
	if oe := resp.OAuth2Error(); oe != nil {
		res.Error, res.Description = oe.Code, oe.Description
	}
	return res, nil
}

// exchange redeems a code; app nil means no client credentials at all.
func (s *suite) exchange(ctx context.Context, p *probe, note string, clientID, secret, code string, extra url.Values) (tokenResult, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID}}
	if secret != "" {
		form.Set("client_secret", secret)
	}
	for k, vs := range extra {
		form[k] = vs
	}
	return s.postForm(ctx, p, note, s.ep.Token, form)
}

func (s *suite) refresh(ctx context.Context, p *probe, note, clientID, secret, refreshToken string) (tokenResult, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {clientID}}
	if secret != "" {
		form.Set("client_secret", secret)
	}
	return s.postForm(ctx, p, note, s.ep.Token, form)
}

func (s *suite) revoke(ctx context.Context, p *probe, note, clientID, secret, token, hint string) (tokenResult, error) {
	form := url.Values{"token": {token}, "client_id": {clientID}}
	if secret != "" {
		form.Set("client_secret", secret)
	}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	return s.postForm(ctx, p, note, s.ep.Revoke, form)
}

// tokens runs the whole good path for app A (PKCE S256, state, redirect_uri
// and the suite's resource at both steps, the exchange through flows'
// golang.org/x/oauth2 client) and returns a live token pair. Coder keeps one
// live pair per (user, app), so checks that need tokens get fresh ones
// instead of sharing.
func (s *suite) tokens(ctx context.Context, p *probe, why string) (client.TokenResponse, error) {
	return s.scopedTokens(ctx, p, why, "")
}

// scopedTokens is tokens with a scope parameter ("" sends none).
func (s *suite) scopedTokens(ctx context.Context, p *probe, why, scope string) (client.TokenResponse, error) {
	pair := pkce.New()
	code, err := s.newCode(ctx, p, "authorize for "+why, codeOpts{App: s.a, PKCE: &pair, Resource: s.resource, Scope: scope})
	if err != nil {
		return client.TokenResponse{}, err
	}
	var t flows.Tokens
	err = p.call("exchange the code for "+why, func() error {
		var err error
		t, err = s.tokenClient(s.a).Exchange(ctx, code, s.redirect, pair.Verifier, s.resource)
		return err
	})
	s.remember(t.AccessToken, t.RefreshToken, t.IDToken)
	if err != nil {
		return client.TokenResponse{}, fmt.Errorf("code exchange refused: %w", err)
	}
	return client.TokenResponse{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, ExpiresIn: t.ExpiresIn, Scope: t.Scope}, nil
}

// tokenClient is flows' token client for app, with client_secret_post,
// which every Coder release accepts.
func (s *suite) tokenClient(app *testApp) flows.TokenClient {
	method := app.Method
	if method == flows.AuthAuto {
		method = flows.AuthPost
	}
	return flows.TokenClient{HTTP: s.c, TokenURL: s.ep.Token, RevocationURL: s.ep.Revoke, ClientID: app.ID, ClientSecret: app.Secret, Method: method}
}

// goodExtra is the token-request part that matches a good authorization request.
func (s *suite) goodExtra(verifier, resource string) url.Values {
	v := url.Values{"redirect_uri": {s.redirect}}
	if verifier != "" {
		v.Set("code_verifier", verifier)
	}
	if resource != "" {
		v.Set("resource", resource)
	}
	return v
}

// bearerStatus calls the deployment's API with an access token (RFC 6750
// §2.1 header) and returns the status.
func (s *suite) bearerStatus(ctx context.Context, p *probe, note, token string) (*client.Response, error) {
	return p.do(ctx, note, client.Request{
		Method: http.MethodGet,
		URL:    s.base + "/api/v2/users/me",
		Header: http.Header{"Authorization": {"Bearer " + token}},
	})
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// refusals sorts the answers to requests a server must refuse (another
// client's credentials, say): the accepted ones break the rule.
type refusals struct{ accepted, refused []string }

// note files tr under label. It is false for an answer that is neither a
// success nor a refusal, which the caller reports as unexpected.
func (r *refusals) note(label string, tr tokenResult) bool {
	switch {
	case tr.ok():
		r.accepted = append(r.accepted, label)
	case !tr.rejected():
		return false
	default:
		r.refused = append(r.refused, label+": "+tr.describe())
	}
	return true
}

// verdict fails, with violated naming what was accepted (joined by sep),
// when anything was; else it passes, listing the refusals.
func (r refusals) verdict(p *probe, violated, sep string) verdict {
	if len(r.accepted) > 0 {
		return p.violated(violated, strings.Join(r.accepted, sep))
	}
	return p.pass("refused with %s", strings.Join(r.refused, "; with "))
}
