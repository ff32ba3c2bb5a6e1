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
	"time"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows/internal/randtext"
)

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
		if c.SessionToken() != "" && st.coder {
			if app, err := c.App(ctx, id); err == nil {
				res.Fields = append(res.Fields, Field{Label: "App", Value: safe.Line(app.Name)},
					Field{Label: "App callback URL", Value: safe.Line(app.CallbackURL)})
				if !f.callbackExplicit && app.CallbackURL != "" {
					callback = app.CallbackURL
				}
			} else {
				res.Findings = append(res.Findings, Finding{ID: "client.lookup", Severity: SeverityInfo,
					Message: "could not read the app: " + safe.Line(err.Error()), Basis: "Coder apps API"})
			}
		}
	case ClientCreate:
		var err error
		if callback, err = concretePort(ctx, callback); err != nil {
			return err
		}
		name := f.cfg.AppName
		if name == "" {
			name = "oauthdeck-" + strings.ToLower(randtext.Alnum(8))
		}
		app, err := c.CreateApp(ctx, client.AppRequest{Name: name, CallbackURL: callback, RedirectURIs: []string{callback}})
		if err != nil {
			if ctx.Err() != nil && f.cfg.Cleanup {
				f.removeInterruptedCreate(ctx, name)
			}
			return fmt.Errorf("creating app: %w", err)
		}
		id, created = app.ID, app.ID
		f.update(func(st *flowState) { st.createdAppID, st.cleaned = app.ID, false })
		sec, err := c.CreateAppSecret(ctx, app.ID)
		if err != nil {
			return fmt.Errorf("creating a secret for app %s: %w", app.ID, err)
		}
		secret = sec.ClientSecretFull
		res.Fields = append(res.Fields, Field{Label: "App", Value: safe.Line(app.Name) + " (created)"},
			Field{Label: "Secret id", Value: safe.Line(sec.ID)})
	case ClientRegister:
		if st.as.RegistrationEndpoint == "" {
			return errors.New("the server advertises no registration_endpoint: dynamic client registration is off")
		}
		var err error
		if callback, err = concretePort(ctx, callback); err != nil {
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
		res.Fields = append(res.Fields, Field{Label: "Registered", Value: safe.Line(reg.RegistrationClientURI)})
	}
	method := f.cfg.AuthMethod
	if method == AuthAuto {
		method = ChooseAuthMethod(st.as.TokenEndpointAuthMethodsSupported, secret != "")
	}
	res.Fields = append(res.Fields, Field{Label: "Client ID", Value: safe.Line(id)},
		Field{Label: "Client secret", Value: safe.Mask(secret), Secret: true, reveal: secret},
		Field{Label: "Redirect URI", Value: safe.Line(callback)},
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
	res.Verdict = "client " + safe.Line(id) + " (" + string(f.cfg.ClientMode) + ")"
	return nil
}

// removeInterruptedCreate deletes the app named name if a create that was
// cut short happened on the server anyway, so cleanup leaves nothing behind.
func (f *Flow) removeInterruptedCreate(ctx context.Context, name string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	apps, err := f.cfg.Client.Apps(cctx)
	if err != nil {
		return // nothing more can be done; the error returned names the create
	}
	for _, a := range apps {
		if a.Name == name {
			_ = f.cfg.Client.DeleteApp(cctx, a.ID)
		}
	}
}

// concretePort replaces port 0 with a free port: an app needs its callback's
// real port registered (v2.30 compares host:port).
func concretePort(ctx context.Context, callback string) (string, error) {
	u, bind, err := parseLoopbackURI(callback)
	if err != nil {
		return "", err
	}
	if u.Port() != "0" {
		return callback, nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(bind, "0"))
	if err != nil {
		return "", fmt.Errorf("finding a free callback port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	return u.String(), nil
}

// clientRequest is the request that gets or creates the client.
func (f *Flow) clientRequest(st flowState) (Request, error) {
	c := f.cfg.Client
	switch f.cfg.ClientMode {
	case ClientCreate:
		return Request{Method: http.MethodPost, URL: c.BaseURL() + "/api/v2/oauth2-provider/apps",
			Header: headerWith(client.SessionTokenHeader, sessionPlaceholder), Note: "then POST …/apps/{id}/secrets"}, nil
	case ClientRegister:
		if err := needFirst(st.as != nil, StepClient, StepDiscover); err != nil {
			return Request{}, err
		}
		return Request{Method: http.MethodPost, URL: st.as.RegistrationEndpoint, Note: "RFC 7591 registration"}, nil
	}
	return Request{Method: http.MethodGet, URL: c.BaseURL() + "/api/v2/oauth2-provider/apps/" + url.PathEscape(f.cfg.ClientID),
		Note: "reads the existing app"}, nil
}
