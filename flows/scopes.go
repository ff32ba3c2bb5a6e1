package flows

import (
	"context"
	"errors"
	"sort"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// ScopeCatalog is the deployment's published scope names (scopes_supported),
// by kind as Coder names them: composites (coder:…), wildcards (…:*) and
// low-level names (resource:action). All safe for a terminal.
type ScopeCatalog struct {
	Composite []string `json:"composite"`
	Wildcard  []string `json:"wildcard"`
	LowLevel  []string `json:"low_level"`
	Other     []string `json:"other,omitempty"` // anything else the server lists (openid, …)
	// Expands is what each composite covers, from the authenticated
	// catalogue (/api/v2/auth/scopes) where the server serves one that says.
	Expands map[string][]string `json:"expands,omitempty"`
	// Note says where the expansion came from, or why there is none.
	Note string `json:"note,omitempty"`
}

// ReadScopeCatalog reads scopes_supported from the authorization server
// metadata and, with a session, what each composite expands to from
// /api/v2/auth/scopes where the server says (newer Coder); elsewhere which
// names a composite covers is the server's to decide (TryScope asks it).
func ReadScopeCatalog(ctx context.Context, c *client.Client) (ScopeCatalog, error) {
	md, err := c.AuthorizationServerMetadata(ctx, c.BaseURL())
	if err != nil {
		return ScopeCatalog{}, err
	}
	var cat ScopeCatalog
	for _, raw := range md.Doc.ScopesSupported {
		name := safe.Line(raw)
		switch {
		case strings.HasPrefix(name, "coder:"):
			cat.Composite = append(cat.Composite, name)
		case strings.HasSuffix(name, ":*"):
			cat.Wildcard = append(cat.Wildcard, name)
		case strings.Contains(name, ":"):
			cat.LowLevel = append(cat.LowLevel, name)
		default:
			cat.Other = append(cat.Other, name)
		}
	}
	for _, l := range [][]string{cat.Composite, cat.Wildcard, cat.LowLevel, cat.Other} {
		sort.Strings(l)
	}
	cat.Note = "what a composite covers is the server's to decide: 'scopes try' asks it"
	if c.SessionToken() != "" {
		if auth, err := c.ScopeCatalogue(ctx); err == nil && len(auth.Composites) > 0 {
			cat.Expands = map[string][]string{}
			for _, comp := range auth.Composites {
				var names []string
				for _, n := range comp.ExpandsTo {
					names = append(names, safe.Line(n))
				}
				cat.Expands[safe.Line(comp.Name)] = names
			}
			cat.Note = "composites expanded as /api/v2/auth/scopes says"
		} else if err != nil {
			cat.Note = "the authenticated catalogue (/api/v2/auth/scopes) could not be read, so composites are not expanded; " + cat.Note
		}
	}
	return cat, nil
}

// Len is the number of names.
func (c ScopeCatalog) Len() int {
	return len(c.Composite) + len(c.Wildcard) + len(c.LowLevel) + len(c.Other)
}

// ScopeTrial is what the server did with a scope request for an app. Text
// fields are safe for a terminal.
type ScopeTrial struct {
	Requested string `json:"requested"`
	// Accepted: the authorization request was granted (a code came back).
	Accepted bool `json:"accepted"`
	// Error and Description are the refusal (invalid_scope and why).
	Error       string `json:"error,omitempty"`
	Description string `json:"error_description,omitempty"`
	// Granted is the token response's scope, when the code was redeemed.
	Granted  string `json:"granted,omitempty"`
	Redeemed bool   `json:"redeemed"`
	Note     string `json:"note,omitempty"`
}

// TryScope asks the deployment, live, to authorize scope for an app, with
// the admin's automatic consent (no browser), and reports what it granted
// or why it refused. With the app's secret the code is redeemed, so the
// token response says what was granted, and that token is then revoked;
// like any new grant, it replaces the admin's earlier tokens for the app.
func TryScope(ctx context.Context, c *client.Client, appID, scope, secret string) (ScopeTrial, error) {
	ctx, _ = client.WithSource(ctx, "scope try")
	out := ScopeTrial{Requested: safe.Line(strings.Join(strings.Fields(scope), " "))}
	md, err := c.AuthorizationServerMetadata(ctx, c.BaseURL())
	if err != nil {
		return out, err
	}
	app, err := c.App(ctx, appID)
	if err != nil {
		return out, err
	}
	cb, verifier, err := ConsentCode(ctx, c, md.Doc.AuthorizationEndpoint,
		AuthParams{ClientID: appID, RedirectURI: app.CallbackURL, Scope: strings.Join(strings.Fields(scope), " ")}, Expect{})
	var ce *CallbackError
	var oe *client.OAuth2Error
	switch {
	case errors.As(err, &ce) && errors.Is(err, ErrAuthorization):
		out.Error, out.Description = ce.Code, ce.Description
		return out, nil
	case errors.As(err, &oe):
		// Refused before the redirect (an error body): the same answer.
		out.Error, out.Description = safe.Line(oe.Code), safe.Line(oe.Description)
		return out, nil
	case err != nil:
		return out, err
	}
	out.Accepted = true
	if secret == "" {
		out.Note = "the code was not redeemed (no client secret given), so what was granted is not shown; the server accepted the request"
		return out, nil
	}
	tc := TokenClient{HTTP: c, TokenURL: md.Doc.TokenEndpoint, RevocationURL: md.Doc.RevocationEndpoint,
		ClientID: appID, ClientSecret: secret, Method: ChooseAuthMethod(md.Doc.TokenEndpointAuthMethodsSupported, true)}
	tok, err := tc.Exchange(ctx, cb.Code, app.CallbackURL, verifier, "")
	if err != nil {
		// The grant stands; only what it holds is not shown.
		out.Note = safe.Line("the request was accepted, but redeeming the code failed (is the secret current?): " + err.Error())
		return out, nil
	}
	out.Redeemed, out.Granted = true, safe.Line(tok.Scope)
	if tok.Scope == "" {
		out.Note = "the token response names no scope (servers before Coder 2.38 mint every token coder:all)"
	}
	if tc.RevocationURL != "" && tok.RefreshToken != "" && tc.Revoke(ctx, tok.RefreshToken, "refresh_token") == nil {
		out.Note = strings.TrimPrefix(out.Note+"; the token was revoked", "; ")
	}
	return out, nil
}
