package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// Where the flow uses an access token: to show that it works (the use step)
// and to prove old ones dead (refresh, revoke). One place decides, so the
// three steps always call the same thing.

// UseKind is what the flow calls with an access token.
type UseKind string

const (
	UseNothing       UseKind = ""              // nothing to call: skipped, never failed
	UseCoder         UseKind = "coder"         // Coder's GET /api/v2/users/me
	UseUserinfo      UseKind = "userinfo"      // the OIDC userinfo_endpoint
	UseIntrospection UseKind = "introspection" // RFC 7662, with client authentication
	UseURL           UseKind = "url"           // Config.UseURL: a resource server the user named
)

type useTarget struct {
	kind UseKind
	url  string
}

// useTarget chooses, in order: the URL the user named; Coder's API on
// Coder; userinfo when the scope asks for OpenID; introspection (not for a
// public client); userinfo.
func (f *Flow) useTarget(st flowState) useTarget {
	switch {
	case f.cfg.UseURL != "":
		return useTarget{UseURL, f.cfg.UseURL}
	case st.coder:
		return useTarget{UseCoder, f.cfg.Client.BaseURL() + "/api/v2/users/me"}
	case st.as == nil:
		return useTarget{}
	}
	scope := f.cfg.Scope
	if st.tokens != nil && st.tokens.Scope != "" {
		scope = st.tokens.Scope
	}
	openid := slices.Contains(strings.Fields(scope), "openid")
	// Introspection wants the client to authenticate (RFC 7662 §2.1), which a public client cannot.
	canIntrospect := st.as.IntrospectionEndpoint != "" && st.authMethod != AuthNone
	switch {
	case st.as.UserinfoEndpoint != "" && openid:
		return useTarget{UseUserinfo, st.as.UserinfoEndpoint}
	case canIntrospect:
		return useTarget{UseIntrospection, st.as.IntrospectionEndpoint}
	case st.as.UserinfoEndpoint != "":
		return useTarget{UseUserinfo, st.as.UserinfoEndpoint}
	}
	return useTarget{}
}

// noTargetReason says why nothing can be called with the token.
const noTargetReason = "nothing to call with the token: the server is not Coder and advertises neither a userinfo_endpoint nor an introspection_endpoint (name a resource server with --use-url)"

func (t useTarget) describe() string {
	switch t.kind {
	case UseCoder:
		return "Coder's /api/v2/users/me"
	case UseUserinfo:
		return "the userinfo endpoint"
	case UseIntrospection:
		return "introspection (RFC 7662)"
	case UseURL:
		return safe.Line(t.url)
	}
	return "nothing"
}

// reaches reports whether t can judge the flow's access token: the issuer's
// own APIs (Coder's, userinfo) refuse a token bound to another resource
// whatever its state, so they prove nothing about it; introspection and a
// named resource server judge any token.
func (t useTarget) reaches(st flowState) bool {
	switch t.kind {
	case UseNothing:
		return false
	case UseCoder, UseUserinfo:
		return st.callsHere()
	}
	return true
}

// tokenUse is what using a token showed: fields for display and, for
// introspection, the answer.
type tokenUse struct {
	fields []Field
	who    string
	intro  *Introspection
}

// try uses token at t. nil error: it works (or introspection says active);
// an error that tokenRefused accepts: the server refused the token itself.
func (f *Flow) try(ctx context.Context, st flowState, t useTarget, token string) (tokenUse, error) {
	switch t.kind {
	case UseCoder:
		u, err := f.cfg.Client.MeWithBearer(ctx, token)
		if err != nil {
			return tokenUse{}, err
		}
		return tokenUse{who: safe.Line(u.Username), fields: []Field{{Label: "User", Value: safe.Line(u.Username)},
			{Label: "Email", Value: safe.Line(u.Email)}, {Label: "User ID", Value: safe.Line(u.ID)},
			{Label: "Login type", Value: safe.Line(u.LoginType)}, {Label: "Roles", Value: roleNames(u.Roles)}}}, nil
	case UseIntrospection:
		in, err := f.tokenClient(st).Introspect(ctx, t.url, token)
		if err != nil {
			return tokenUse{}, err
		}
		if !in.Active {
			return tokenUse{intro: &in}, &InactiveTokenError{URL: safe.Redact(t.url)}
		}
		return tokenUse{intro: &in, who: firstNonEmpty(safe.Line(in.Username), safe.Line(in.Subject)), fields: in.fields()}, nil
	case UseUserinfo, UseURL:
		return f.bearerGet(ctx, t.url, token)
	}
	return tokenUse{}, errors.New(noTargetReason)
}

// bearerGet calls a resource with the token (RFC 6750 §2.1). A 401 is the
// resource refusing the token; a JSON object's identity claims are shown.
func (f *Flow) bearerGet(ctx context.Context, target, token string) (tokenUse, error) {
	resp, err := f.cfg.Client.Do(ctx, client.Request{Method: http.MethodGet, URL: target,
		Header: http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}}})
	if err != nil {
		return tokenUse{}, err
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return tokenUse{}, &BearerRefusedError{URL: safe.Redact(target), Status: resp.StatusCode,
			Challenge: safe.Line(resp.Header.Get("WWW-Authenticate"))}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return tokenUse{}, resp.Error(http.StatusOK)
	}
	var claims map[string]any
	use := tokenUse{fields: []Field{{Label: "Status", Value: fmt.Sprintf("%d", resp.StatusCode)}}}
	if json.Unmarshal(resp.Body, &claims) == nil {
		for _, k := range []string{"sub", "preferred_username", "name", "email"} {
			if v, ok := claims[k].(string); ok && v != "" {
				use.fields = append(use.fields, Field{Label: k, Value: safe.Line(v)})
				if use.who == "" || k == "preferred_username" {
					use.who = safe.Line(v)
				}
			}
		}
	}
	return use, nil
}

// request is what try sends, for preview.
func (t useTarget) request(tc TokenClient, token string) Request {
	if t.kind == UseIntrospection {
		return Request{Method: http.MethodPost, URL: t.url, Header: tc.authHeader(), Params: tc.IntrospectForm(token),
			Note: "RFC 7662: the server says whether the token is active"}
	}
	return Request{Method: http.MethodGet, URL: t.url, Header: headerWith("Authorization", "Bearer "+token),
		Note: "calls " + t.describe() + " with the access token"}
}

// BearerRefusedError is a resource answering 401 to a bearer token (RFC
// 6750 §3.1): the token is invalid, expired or revoked.
type BearerRefusedError struct {
	URL, Challenge string
	Status         int
}

func (e *BearerRefusedError) Error() string {
	msg := fmt.Sprintf("GET %s: %d: the resource refused the token", e.URL, e.Status)
	if e.Challenge != "" {
		msg += " (WWW-Authenticate: " + e.Challenge + ")"
	}
	return msg
}

// InactiveTokenError is introspection answering active: false (RFC 7662 §2.2).
type InactiveTokenError struct{ URL string }

func (e *InactiveTokenError) Error() string {
	return "POST " + e.URL + ": the token is not active (introspection answered active: false)"
}

// Introspection is an RFC 7662 §2.2 answer.
type Introspection struct {
	Active    bool   `json:"active"`
	ClientID  string `json:"client_id"`
	Subject   string `json:"sub"`
	Username  string `json:"username"`
	Scope     string `json:"scope"`
	TokenType string `json:"token_type"`
	Expires   int64  `json:"exp"`
	Issuer    string `json:"iss"`
}

func (in Introspection) fields() []Field {
	var out []Field
	for _, kv := range [][2]string{{"Subject", in.Subject}, {"Username", in.Username}, {"Client ID", in.ClientID},
		{"Scope", in.Scope}, {"Token type", in.TokenType}, {"Issuer", in.Issuer}} {
		if kv[1] != "" {
			out = append(out, Field{Label: kv[0], Value: safe.Line(kv[1])})
		}
	}
	if in.Expires > 0 {
		out = append(out, Field{Label: "Expires (exp)", Value: fmt.Sprintf("%d", in.Expires)})
	}
	return out
}

// IntrospectForm is the RFC 7662 form for token.
func (t TokenClient) IntrospectForm(token string) url.Values {
	v := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	t.addCredentials(v)
	return v
}

// Introspect asks endpoint about token, authenticating as at the token endpoint.
func (t TokenClient) Introspect(ctx context.Context, endpoint, token string) (Introspection, error) {
	req := client.Request{Method: http.MethodPost, URL: endpoint, Form: t.IntrospectForm(token), Header: t.authHeader()}
	resp, err := t.HTTP.Do(ctx, req)
	if err != nil {
		return Introspection{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Introspection{}, resp.Error(http.StatusOK)
	}
	var in Introspection
	var shape struct {
		Active *bool `json:"active"`
	}
	// active is the one required member (RFC 7662 §2.2): without it the
	// answer says nothing about the token.
	if err := json.Unmarshal(resp.Body, &shape); err != nil || shape.Active == nil || json.Unmarshal(resp.Body, &in) != nil {
		return Introspection{}, &client.UnexpectedResponseError{StatusCode: resp.StatusCode, Method: http.MethodPost,
			URL: safe.Redact(endpoint), ContentType: safe.Line(resp.Header.Get("Content-Type")),
			Reason: "expected an RFC 7662 JSON object with active", Excerpt: excerpt(resp.Body)}
	}
	return in, nil
}

// TokenUse is what UseAccessToken found.
type TokenUse struct {
	Called  string  // what was called, in words
	Kind    UseKind // UseNothing: nothing to call (Reason says why)
	Who     string  // the user or subject, when the answer named one
	Fields  []Field
	Reason  string
	Refused bool // the server refused the token itself (401, active: false)
}

// UseAccessToken uses token outside a flow as the flow's use step would:
// Coder's /api/v2/users/me on Coder, else useURL, userinfo or
// introspection (authenticated as tc), chosen by the same rule. The
// deployment is detected, not assumed.
func UseAccessToken(ctx context.Context, c *client.Client, tc TokenClient, tokens Tokens, useURL string) (TokenUse, error) {
	f := &Flow{cfg: Config{Client: c, UseURL: useURL}}
	st := flowState{clientID: tc.ClientID, clientSecret: tc.ClientSecret, authMethod: tc.method(), tokens: &tokens}
	if bi, err := c.BuildInfo(ctx); err == nil && bi.Version != "" {
		st.coder = true
	} else if d, err := c.AuthorizationServerMetadata(ctx, ""); err == nil {
		st.as = &d.Doc
		if tc.Method == AuthAuto {
			st.authMethod = ChooseAuthMethod(d.Doc.TokenEndpointAuthMethodsSupported, tc.ClientSecret != "")
		}
	}
	t := f.useTarget(st)
	out := TokenUse{Kind: t.kind, Called: t.describe()}
	if t.kind == UseNothing {
		out.Reason = noTargetReason
		return out, nil
	}
	use, err := f.try(ctx, st, t, tokens.AccessToken)
	if err != nil {
		out.Refused = tokenRefused(err)
		return out, err
	}
	out.Who, out.Fields = use.who, use.fields
	return out, nil
}
