package flows

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"oauthdeck/client"
	"oauthdeck/flows/internal/randtext"
	"oauthdeck/pkce"
)

// discover finds the protected-resource and authorization-server metadata
// (RFC 9728 → RFC 8414, OIDC fallback inside the client) and checks them.
func (f *Flow) discover(ctx context.Context, res *StepResult) error {
	c := f.cfg.Client
	base := c.BaseURL()
	target := strings.TrimSuffix(f.cfg.Target, "/")
	issuer, resource := base, base
	var pr *client.PRMetadata

	if target != base {
		// A protected resource (e.g. an MCP endpoint): its 401 names the metadata.
		// MCP endpoints answer POST (initialize); plain resources GET.
		hint, err := c.ProbeResource(ctx, http.MethodPost, target)
		if err != nil {
			return fmt.Errorf("probing %s: %w", target, err)
		}
		if hint.StatusCode != http.StatusUnauthorized {
			if h, err := c.ProbeResource(ctx, http.MethodGet, target); err == nil && h.StatusCode == http.StatusUnauthorized {
				hint = h
			}
		}
		res.Fields = append(res.Fields, Field{Label: "Probe", Value: fmt.Sprintf("%d, WWW-Authenticate: %s", hint.StatusCode, client.SanitizeLine(hint.WWWAuthenticate))})
		if hint.ResourceMetadata == "" {
			res.Findings = append(res.Findings, Finding{ID: "pr.hint", Severity: SeverityWarn,
				Message: "no resource_metadata in WWW-Authenticate; trying the well-known URL", Basis: "MCP 2025-06-18; RFC 9728 §5.1"})
		}
		d, err := c.ProtectedResourceMetadata(ctx, target, hint.ResourceMetadata)
		if err != nil {
			return fmt.Errorf("protected resource metadata: %w", err)
		}
		pr = &d.Doc
		res.Fields = append(res.Fields, Field{Label: "Resource metadata", Value: client.SanitizeLine(d.URL)})
		res.Findings = append(res.Findings, CheckPRMetadata(d.Doc, target, nil)...)
		if len(d.Doc.AuthorizationServers) > 0 {
			issuer = strings.TrimSuffix(d.Doc.AuthorizationServers[0], "/")
		}
		if d.Doc.Resource != "" {
			resource = d.Doc.Resource
		}
	} else if d, err := c.ProtectedResourceMetadata(ctx, base, ""); err == nil {
		pr = &d.Doc
		res.Fields = append(res.Fields, Field{Label: "Resource metadata", Value: client.SanitizeLine(d.URL)})
		res.Findings = append(res.Findings, CheckPRMetadata(d.Doc, base, nil)...)
	} else {
		res.Findings = append(res.Findings, Finding{ID: "pr.fetch", Severity: SeverityInfo,
			Message: "no protected-resource metadata: " + client.SanitizeLine(err.Error()), Basis: "RFC 9728 §3"})
	}

	d, err := c.AuthorizationServerMetadata(ctx, issuer)
	if err != nil {
		return fmt.Errorf("authorization server metadata for %s: %w", issuer, err)
	}
	as := d.Doc
	res.Fields = append(res.Fields, Field{Label: "AS metadata", Value: client.SanitizeLine(d.URL)},
		Field{Label: "Issuer", Value: client.SanitizeLine(as.Issuer)},
		Field{Label: "Authorization endpoint", Value: client.SanitizeLine(as.AuthorizationEndpoint)},
		Field{Label: "Token endpoint", Value: client.SanitizeLine(as.TokenEndpoint)},
		Field{Label: "Revocation endpoint", Value: client.SanitizeLine(as.RevocationEndpoint)},
		Field{Label: "Auth methods", Value: client.SanitizeLine(strings.Join(as.TokenEndpointAuthMethodsSupported, ", "))})
	res.Findings = append(res.Findings, CheckASMetadata(as, issuer)...)
	if pr != nil {
		for _, fd := range CheckPRMetadata(*pr, "", &as) {
			if fd.ID == "pr.as-match" || fd.ID == "pr.scopes" {
				res.Findings = append(res.Findings, fd)
			}
		}
	}
	if as.AuthorizationEndpoint == "" || as.TokenEndpoint == "" {
		return errors.New("the metadata lacks an authorization or token endpoint; the flow cannot continue")
	}
	f.update(func(st *flowState) {
		st.issuer, st.as, st.pr, st.resource = as.Issuer, &as, pr, resource
	})
	res.Verdict = fmt.Sprintf("issuer %s; %d findings, worst %s", client.SanitizeLine(as.Issuer), len(res.Findings), worst(res.Findings))
	return nil
}

// setupClient gets the OAuth2 client: an existing app, a new app and
// secret (apps API), or an RFC 7591 registration.
func (f *Flow) setupClient(ctx context.Context, res *StepResult) error {
	c, st := f.cfg.Client, f.state()
	callback := f.cfg.CallbackURL
	var id, secret, created string
	var dcr *client.ClientRegistration
	if (st.createdAppID != "" || st.createdDCR != nil) && !st.cleaned && f.cfg.Cleanup {
		// A repeated client step must not orphan the client of the previous attempt.
		if err := f.deleteCreated(ctx, st); err != nil {
			return err
		}
		f.update(func(s *flowState) { s.createdAppID, s.createdDCR, s.cleaned = "", nil, false })
		res.Findings = append(res.Findings, Finding{ID: "client.previous", Severity: SeverityInfo,
			Message: "deleted the client created by the previous attempt", Basis: "cleanup"})
	}
	switch f.cfg.ClientMode {
	case ClientExisting:
		id, secret = f.cfg.ClientID, f.cfg.ClientSecret
		if c.SessionToken() != "" {
			if app, err := c.App(ctx, id); err == nil {
				res.Fields = append(res.Fields, Field{Label: "App", Value: client.SanitizeLine(app.Name)},
					Field{Label: "App callback URL", Value: client.SanitizeLine(app.CallbackURL)})
				if !f.callbackExplicit && app.CallbackURL != "" {
					callback = app.CallbackURL
				}
			} else {
				res.Findings = append(res.Findings, Finding{ID: "client.lookup", Severity: SeverityInfo,
					Message: "could not read the app: " + client.SanitizeLine(err.Error()), Basis: "Coder apps API"})
			}
		}
	case ClientCreate:
		var err error
		if callback, err = concretePort(callback); err != nil {
			return err
		}
		name := f.cfg.AppName
		if name == "" {
			name = "oauthdeck-" + strings.ToLower(randtext.Alnum(8))
		}
		app, err := c.CreateApp(ctx, client.AppRequest{Name: name, CallbackURL: callback, RedirectURIs: []string{callback}})
		if err != nil {
			return fmt.Errorf("creating app: %w", err)
		}
		id, created = app.ID, app.ID
		f.update(func(st *flowState) { st.createdAppID, st.cleaned = app.ID, false })
		sec, err := c.CreateAppSecret(ctx, app.ID)
		if err != nil {
			return fmt.Errorf("creating a secret for app %s: %w", app.ID, err)
		}
		secret = sec.ClientSecretFull
		res.Fields = append(res.Fields, Field{Label: "App", Value: client.SanitizeLine(app.Name) + " (created)"},
			Field{Label: "Secret id", Value: client.SanitizeLine(sec.ID)})
	case ClientRegister:
		if st.as.RegistrationEndpoint == "" {
			return errors.New("the server advertises no registration_endpoint: dynamic client registration is off")
		}
		var err error
		if callback, err = concretePort(callback); err != nil {
			return err
		}
		method := f.cfg.AuthMethod
		if method == AuthAuto {
			method = ChooseAuthMethod(st.as.TokenEndpointAuthMethodsSupported, true)
		}
		reg, err := c.RegisterClient(ctx, st.as.RegistrationEndpoint, client.ClientRegistrationRequest{
			RedirectURIs: []string{callback}, ClientName: firstNonEmpty(f.cfg.AppName, "oauthdeck"),
			GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"},
			TokenEndpointAuthMethod: string(method), Scope: f.cfg.Scope, ApplicationType: "native"})
		if err != nil {
			return fmt.Errorf("dynamic client registration: %w", err)
		}
		id, secret, dcr = reg.ClientID, reg.ClientSecret, &reg
		f.update(func(st *flowState) { st.createdDCR, st.cleaned = &reg, false })
		res.Fields = append(res.Fields, Field{Label: "Registered", Value: client.SanitizeLine(reg.RegistrationClientURI)})
	}
	method := f.cfg.AuthMethod
	if method == AuthAuto {
		method = ChooseAuthMethod(st.as.TokenEndpointAuthMethodsSupported, secret != "")
	}
	res.Fields = append(res.Fields, Field{Label: "Client ID", Value: client.SanitizeLine(id)},
		Field{Label: "Client secret", Value: Mask(secret), Secret: true, reveal: secret},
		Field{Label: "Redirect URI", Value: client.SanitizeLine(callback)},
		Field{Label: "Client authentication", Value: describeAuth(method)})
	if secret == "" && method != AuthNone {
		res.Findings = append(res.Findings, Finding{ID: "client.secret", Severity: SeverityWarn,
			Message: "no client secret: the token endpoint will likely answer invalid_client or \"Missing required parameter: client_secret\"", Basis: "RFC 6749 §2.3"})
	}
	f.update(func(st *flowState) {
		st.clientID, st.clientSecret, st.authMethod, st.callbackURL = id, secret, method, callback
		if created != "" {
			st.createdAppID = created
		}
		if dcr != nil {
			st.createdDCR = dcr
		}
	})
	res.Verdict = "client " + client.SanitizeLine(id) + " (" + string(f.cfg.ClientMode) + ")"
	return nil
}

// concretePort replaces port 0 with a free port: an app needs its callback's
// real port registered (v2.30 compares host:port).
func concretePort(callback string) (string, error) {
	u, bind, err := parseLoopbackURI(callback)
	if err != nil {
		return "", err
	}
	if u.Port() != "0" {
		return callback, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(bind, "0"))
	if err != nil {
		return "", fmt.Errorf("finding a free callback port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	return u.String(), nil
}

// prepare makes a fresh PKCE pair and state and builds the authorization URL.
func (f *Flow) prepare(ctx context.Context, res *StepResult) error {
	st := f.state()
	pair := pkce.New()
	state, err := NewState()
	if err != nil {
		return err
	}
	resource := f.cfg.Resource
	if resource == "" {
		resource = st.resource
	}
	if f.cfg.NoResource {
		resource = ""
	}
	p := AuthParams{ClientID: st.clientID, RedirectURI: st.callbackURL, State: state,
		CodeChallenge: pair.Challenge, CodeChallengeMethod: string(pair.Method), Resource: resource, Scope: f.cfg.Scope}
	authURL, err := AuthorizationURL(st.as.AuthorizationEndpoint, p.Values())
	if err != nil {
		return err
	}
	f.update(func(st *flowState) {
		st.verifier, st.state, st.redirectURI, st.sentResource = pair.Verifier, state, p.RedirectURI, resource
		st.authParams, st.authURL = p.Values(), authURL
		st.callback, st.tokens = Callback{}, nil
	})
	res.Fields = append(res.Fields,
		Field{Label: "PKCE verifier", Value: Mask(pair.Verifier), Secret: true, reveal: pair.Verifier},
		Field{Label: "PKCE challenge", Value: pair.Challenge + " (" + string(pair.Method) + ")"},
		Field{Label: "State", Value: state + " (256 bits; public: it is part of the URL)"},
		Field{Label: "Resource", Value: firstNonEmpty(client.SanitizeLine(resource), "(none)")},
		Field{Label: "Redirect URI", Value: client.SanitizeLine(p.RedirectURI)},
		Field{Label: "Authorization URL", Value: client.SanitizeLine(authURL)})
	if resource != "" && resource != st.issuer {
		res.Findings = append(res.Findings, Finding{ID: "prepare.resource", Severity: SeverityInfo,
			Message: "resource differs from the issuer: Coder will refuse the token on its own API (403)", Basis: "RFC 8707; Coder audience check"})
	}
	f.emit(Event{Kind: EventAuthURL, Step: StepPrepare, Message: client.SanitizeLine(authURL)})
	res.Verdict = "fresh PKCE S256 pair and state; authorization URL ready"
	return nil
}

// defaultRequest builds the request step id sends when not edited.
func (f *Flow) defaultRequest(id StepID, st flowState) (Request, error) {
	need := func(ok bool, what StepID) error {
		if !ok {
			return fmt.Errorf("%w: the %s request needs %s first", ErrStepOrder, id, what)
		}
		return nil
	}
	c := f.cfg.Client
	switch id {
	case StepDiscover:
		return Request{Method: http.MethodGet, URL: strings.TrimSuffix(f.cfg.Target, "/") + "/.well-known/oauth-authorization-server",
			Note: "then RFC 9728 / OIDC fallbacks as needed"}, nil
	case StepClient:
		switch f.cfg.ClientMode {
		case ClientCreate:
			return Request{Method: http.MethodPost, URL: c.BaseURL() + "/api/v2/oauth2-provider/apps",
				Header: headerWith(client.SessionTokenHeader, sessionPlaceholder), Note: "then POST …/apps/{id}/secrets"}, nil
		case ClientRegister:
			if err := need(st.as != nil, StepDiscover); err != nil {
				return Request{}, err
			}
			return Request{Method: http.MethodPost, URL: st.as.RegistrationEndpoint, Note: "RFC 7591 registration"}, nil
		}
		return Request{Method: http.MethodGet, URL: c.BaseURL() + "/api/v2/oauth2-provider/apps/" + url.PathEscape(f.cfg.ClientID),
			Note: "reads the existing app"}, nil
	case StepAuthorize:
		if err := need(st.authURL != "", StepPrepare); err != nil {
			return Request{}, err
		}
		r := Request{Method: http.MethodGet, URL: st.as.AuthorizationEndpoint, Params: cloneValues(st.authParams), InQuery: true,
			Note: "opened in the system browser; the loopback listener takes the callback"}
		if f.cfg.Consent == ConsentAuto {
			r.Method, r.Header = http.MethodPost, headerWith(client.SessionTokenHeader, sessionPlaceholder)
			r.Note = "POSTed with the admin session (auto-consent); the redirect goes to the loopback listener"
		}
		return r, nil
	case StepExchange:
		if err := need(st.callback.Code != "", StepAuthorize); err != nil {
			return Request{}, err
		}
		tc := f.tokenClient(st)
		return Request{Method: http.MethodPost, URL: st.as.TokenEndpoint, Header: tc.authHeader(),
			Params: tc.ExchangeForm(st.callback.Code, st.redirectURI, st.verifier, st.sentResource),
			Note:   "client authentication: " + describeAuth(st.authMethod)}, nil
	case StepUse:
		if err := need(st.tokens != nil, StepExchange); err != nil {
			return Request{}, err
		}
		return Request{Method: http.MethodGet, URL: c.BaseURL() + "/api/v2/users/me",
			Header: headerWith("Authorization", "Bearer "+st.tokens.AccessToken)}, nil
	case StepRefresh:
		if err := need(st.tokens != nil && st.tokens.RefreshToken != "", StepExchange); err != nil {
			return Request{}, err
		}
		tc := f.tokenClient(st)
		return Request{Method: http.MethodPost, URL: st.as.TokenEndpoint, Header: tc.authHeader(),
			Params: tc.RefreshForm(st.tokens.RefreshToken, ""), Note: "the audience carries over; then proves the old tokens are dead"}, nil
	case StepRevoke:
		if err := need(st.tokens != nil, StepExchange); err != nil {
			return Request{}, err
		}
		tc := f.tokenClient(st)
		tok, hint := st.tokens.RefreshToken, "refresh_token"
		if tok == "" {
			tok, hint = st.tokens.AccessToken, "access_token"
		}
		return Request{Method: http.MethodPost, URL: firstNonEmpty(st.as.RevocationEndpoint, "(no revocation_endpoint)"), Header: tc.authHeader(),
			Params: tc.RevokeForm(tok, hint), Note: "then proves the refresh and access tokens are dead"}, nil
	case StepCleanup:
		if st.createdDCR != nil {
			return Request{Method: http.MethodDelete, URL: st.createdDCR.RegistrationClientURI}, nil
		}
		if st.createdAppID != "" {
			return Request{Method: http.MethodDelete, URL: c.BaseURL() + "/api/v2/oauth2-provider/apps/" + st.createdAppID}, nil
		}
		return Request{}, errors.New("the flow created nothing to clean up")
	}
	return Request{}, fmt.Errorf("the %s step sends no request of its own", id)
}

func (f *Flow) tokenClient(st flowState) TokenClient {
	tc := TokenClient{HTTP: f.cfg.Client, ClientID: st.clientID, ClientSecret: st.clientSecret,
		Method: st.authMethod, Now: f.cfg.Now}
	if st.as != nil {
		tc.TokenURL, tc.RevocationURL = st.as.TokenEndpoint, st.as.RevocationEndpoint
	}
	return tc
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
