// Package clients emulates what real MCP clients do that authorization
// servers trip over, as their public issues document it, and says per
// client whether it works against a deployment or exactly which step
// breaks and why. Each emulation registers its own client (as the real one
// does), consents with the admin session, and removes the client at the end.
package clients

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// Profile is one real client's behaviour, with where it is documented.
type Profile struct {
	Name       string   `json:"name"`
	Behaviours []string `json:"behaviours"`
	Sources    []string `json:"sources"`
	run        func(ctx context.Context, e *env) error
}

// Profiles are the emulated clients, by name.
var Profiles = []Profile{
	{Name: "cursor",
		Behaviours: []string{"registers itself (DCR) as a public client with two redirect URIs", "authorizes and redeems with the second one"},
		Sources:    []string{"coder/coder#28910 (fixed by #28914)"},
		run:        runCursor},
	{Name: "codex",
		Behaviours: []string{"registers a public client with its callback", "sends that callback with a path suffix derived from the server URL (/base64url(SHA-256(URL)[:9]))", "requires iss in the authorization response when the server advertises it"},
		Sources:    []string{"openai/codex#30460", "kentcdodds/kody#2279", "twentyhq/twenty#24153"},
		run:        runCodex},
	{Name: "claude-code",
		Behaviours: []string{"registers a public client", "refreshes without scope", "may send an already-rotated refresh token again"},
		Sources:    []string{"anthropics/claude-code#89862", "anthropics/claude-code#66210"},
		run:        runClaudeCode},
	{Name: "inspector",
		Behaviours: []string{"registers with application_type native and token_endpoint_auth_method none (MCP 2026-07-28)", "plain PKCE flow with resource"},
		Sources:    []string{"modelcontextprotocol/inspector", "MCP 2026-07-28 client registration"},
		run:        runInspector},
}

// ProfileByName finds a profile.
func ProfileByName(name string) (Profile, bool) {
	for _, p := range Profiles {
		if p.Name == name {
			return p, true
		}
	}
	return Profile{}, false
}

// Step is one thing the emulated client did. Text is safe for a terminal.
type Step struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Result says whether the client works, or which step breaks and why.
type Result struct {
	Profile string `json:"profile"`
	Works   bool   `json:"works"`
	BrokeAt string `json:"broke_at,omitempty"`
	Why     string `json:"why,omitempty"`
	Steps   []Step `json:"steps"`
}

// errBroke ends an emulation at a step the real client would fail.
type errBroke struct{ step, why string }

func (e errBroke) Error() string { return e.step + ": " + e.why }

// env is one emulation's state.
type env struct {
	c        *client.Client
	md       client.ASMetadata
	resource string
	steps    []Step
	reg      *client.ClientRegistration
	access   string // the newest access token, for the MCP call at the end
}

func (e *env) ok(step, format string, args ...any) {
	e.steps = append(e.steps, Step{Name: step, OK: true, Detail: safe.Line(fmt.Sprintf(format, args...))})
}

func (e *env) broke(step, format string, args ...any) error {
	why := safe.Line(fmt.Sprintf(format, args...))
	e.steps = append(e.steps, Step{Name: step, Detail: why})
	return errBroke{step, why}
}

// Options change where an emulation starts.
type Options struct {
	// MCPURL starts at an MCP endpoint, as the real clients do: its 401
	// names the protected-resource metadata, which names the authorization
	// server; the token is for that resource, and is used at the end for
	// an MCP initialize.
	MCPURL string
}

// Run emulates profile against the deployment c talks to (c carries the
// admin session, used for consent and to remove the client). An error is
// returned only when the emulation itself could not run.
func Run(ctx context.Context, c *client.Client, p Profile) (Result, error) {
	return RunWith(ctx, c, p, Options{})
}

// RunWith is Run with options.
func RunWith(ctx context.Context, c *client.Client, p Profile, o Options) (Result, error) {
	ctx, _ = client.WithSource(ctx, "client "+p.Name)
	e := &env{c: c}
	var err error
	if o.MCPURL != "" {
		err = e.discoverFromMCP(ctx, o.MCPURL)
	} else {
		err = e.discoverFromDeployment(ctx)
	}
	if err == nil {
		defer e.cleanup(context.WithoutCancel(ctx))
		err = p.run(ctx, e)
	}
	if err == nil && o.MCPURL != "" {
		err = e.callMCP(ctx, o.MCPURL)
	}
	res := Result{Profile: p.Name, Steps: e.steps}
	if ctx.Err() != nil {
		return res, ctx.Err() // interrupted: no verdict on the client
	}
	var b errBroke
	switch {
	case errors.As(err, &b):
		res.BrokeAt, res.Why = b.step, b.why
	case err != nil:
		return res, err
	default:
		res.Works = true
	}
	return res, nil
}

// discoverFromDeployment reads the deployment's own metadata (a client
// configured with the deployment URL).
func (e *env) discoverFromDeployment(ctx context.Context) error {
	md, err := e.c.AuthorizationServerMetadata(ctx, e.c.BaseURL())
	if err != nil {
		return fmt.Errorf("reading the metadata: %w", err)
	}
	e.md, e.resource = md.Doc, strings.TrimRight(e.c.BaseURL(), "/")
	if pr, err := e.c.ProtectedResourceMetadata(ctx, e.c.BaseURL(), ""); err == nil && pr.Doc.Resource != "" {
		e.resource = pr.Doc.Resource
	}
	return nil
}

// cleanup removes the registered client: RFC 7592 when the server gave a
// registration token, else through the apps API with the admin session.
func (e *env) cleanup(ctx context.Context) {
	if e.reg == nil {
		return
	}
	if e.reg.RegistrationClientURI != "" && e.reg.RegistrationAccessToken != "" &&
		e.c.DeleteClientRegistration(ctx, e.reg.RegistrationClientURI, e.reg.RegistrationAccessToken) == nil {
		return
	}
	_ = e.c.DeleteApp(ctx, e.reg.ClientID)
}

// register is the client's dynamic registration.
func (e *env) register(ctx context.Context, req client.ClientRegistrationRequest) error {
	if e.md.RegistrationEndpoint == "" {
		return e.broke("register", "the server advertises no registration_endpoint: this client registers itself (DCR), so it cannot connect until an admin turns DCR on")
	}
	req.GrantTypes, req.ResponseTypes = []string{"authorization_code", "refresh_token"}, []string{"code"}
	reg, err := e.c.RegisterClient(ctx, e.md.RegistrationEndpoint, req)
	if err != nil {
		return e.broke("register", "registration refused: %s", reason(err))
	}
	e.reg = &reg
	method := reg.TokenEndpointAuthMethod
	if method == "" {
		method = "client_secret_basic (the default)"
	}
	e.ok("register", "registered %s with %d redirect URIs; token_endpoint_auth_method %s", reg.ClientID, len(reg.RedirectURIs), method)
	return nil
}

// authorize asks for a code with redirectURI and returns it and the PKCE
// verifier; requireIss is the client's rule for RFC 9207.
func (e *env) authorize(ctx context.Context, redirectURI string, requireIss bool) (code, verifier string, err error) {
	exp := flows.Expect{RedirectURI: redirectURI, Issuer: e.md.Issuer, RequireIss: requireIss && e.md.AuthorizationResponseIssParameterSupported}
	cb, verifier, err := flows.ConsentCode(ctx, e.c, e.md.AuthorizationEndpoint,
		flows.AuthParams{ClientID: e.reg.ClientID, RedirectURI: redirectURI, Resource: e.resource}, exp)
	if err != nil {
		return "", "", e.broke("authorize", "with redirect_uri %s: %s", redirectURI, reason(err))
	}
	e.ok("authorize", "code issued to %s", redirectURI)
	return cb.Code, verifier, nil
}

// tokens is the client's token endpoint client (a public client: no secret,
// unless the server registered it as confidential anyway).
func (e *env) tokens() flows.TokenClient {
	method := flows.AuthNone
	if e.reg.ClientSecret != "" {
		method = flows.ChooseAuthMethod(e.md.TokenEndpointAuthMethodsSupported, true)
	}
	return flows.TokenClient{HTTP: e.c, TokenURL: e.md.TokenEndpoint, RevocationURL: e.md.RevocationEndpoint,
		ClientID: e.reg.ClientID, ClientSecret: e.reg.ClientSecret, Method: method}
}

func (e *env) exchange(ctx context.Context, code, redirectURI, verifier string) (flows.Tokens, error) {
	tok, err := e.tokens().Exchange(ctx, code, redirectURI, verifier, e.resource)
	if err != nil {
		why := reason(err)
		if e.reg.ClientSecret == "" && strings.Contains(why, "client_secret") {
			why += " (the client registered as public, but this server wants a secret: it has no public clients)"
		}
		return flows.Tokens{}, e.broke("exchange", "%s", why)
	}
	e.ok("exchange", "tokens issued (refresh token: %v)", tok.RefreshToken != "")
	e.access = tok.AccessToken
	return tok, nil
}

// refresh is a refresh as the client sends it (scope omitted unless given).
func (e *env) refresh(ctx context.Context, step, refreshToken string) (flows.Tokens, error) {
	tok, err := e.tokens().Refresh(ctx, refreshToken, e.resource)
	if err != nil {
		return flows.Tokens{}, e.broke(step, "%s", reason(err))
	}
	e.ok(step, "new tokens (the refresh token rotated: %v)", tok.RefreshToken != "" && tok.RefreshToken != refreshToken)
	e.access = tok.AccessToken
	return tok, nil
}

// reason is what the server said, without the request URL (its query
// holds state and challenge, and makes the line unreadable).
func reason(err error) string {
	var api *client.APIError
	var oe *client.OAuth2Error
	var ce *flows.CallbackError
	switch {
	case errors.As(err, &oe):
		return fmt.Sprintf("%d %s: %s", oe.StatusCode, oe.Code, oe.Description)
	case errors.As(err, &ce) && ce.Code != "":
		return "error=" + ce.Code + ": " + ce.Description
	case errors.As(err, &api):
		msg := fmt.Sprintf("%d %s", api.StatusCode, api.Message)
		for _, v := range api.Validations {
			msg += "; " + v.Field + ": " + v.Detail
		}
		return msg
	}
	return err.Error()
}

func loopback(port int, path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", port, path) }

func runCursor(ctx context.Context, e *env) error {
	first, second := loopback(49152, "/callback"), loopback(49153, "/oauth/callback")
	if err := e.register(ctx, client.ClientRegistrationRequest{ClientName: "Cursor (oauthdeck emulation)",
		RedirectURIs: []string{first, second}, TokenEndpointAuthMethod: "none"}); err != nil {
		return err
	}
	code, verifier, err := e.authorize(ctx, second, false)
	if err != nil {
		return err
	}
	tok, err := e.exchange(ctx, code, second, verifier)
	if err != nil {
		return err
	}
	_, err = e.refresh(ctx, "refresh", tok.RefreshToken)
	return err
}

// codexSuffix is Codex's per-server callback suffix.
func codexSuffix(serverURL string) string {
	sum := sha256.Sum256([]byte(serverURL))
	return "/" + base64.RawURLEncoding.EncodeToString(sum[:9])
}

func runCodex(ctx context.Context, e *env) error {
	base := loopback(1455, "/auth/callback")
	if err := e.register(ctx, client.ClientRegistrationRequest{ClientName: "Codex (oauthdeck emulation)",
		RedirectURIs: []string{base}, TokenEndpointAuthMethod: "none"}); err != nil {
		return err
	}
	sent := base + codexSuffix(e.c.BaseURL())
	code, verifier, err := e.authorize(ctx, sent, true)
	if err != nil {
		return err
	}
	_, err = e.exchange(ctx, code, sent, verifier)
	return err
}

func runClaudeCode(ctx context.Context, e *env) error {
	cb := loopback(54545, "/callback")
	if err := e.register(ctx, client.ClientRegistrationRequest{ClientName: "Claude Code (oauthdeck emulation)",
		RedirectURIs: []string{cb}, TokenEndpointAuthMethod: "none"}); err != nil {
		return err
	}
	code, verifier, err := e.authorize(ctx, cb, false)
	if err != nil {
		return err
	}
	tok, err := e.exchange(ctx, code, cb, verifier)
	if err != nil {
		return err
	}
	old := tok.RefreshToken
	next, err := e.refresh(ctx, "refresh", old)
	if err != nil {
		return err
	}
	if next.RefreshToken == "" || next.RefreshToken == old {
		e.ok("refresh-reuse", "the refresh token did not rotate, so a reuse is harmless here")
		return nil
	}
	if again, err := e.tokens().Refresh(ctx, old, e.resource); err == nil {
		e.access = again.AccessToken // the newest: the server may have dropped the one before
		e.ok("refresh-reuse", "the rotated refresh token was accepted again (RFC 9700 §4.14.2 wants it refused)")
		return nil
	}
	return e.broke("refresh-reuse", "the already-rotated refresh token is refused, as RFC 9700 §4.14.2 wants: Claude Code, which can send it again, then asks the user to sign in anew")
}

func runInspector(ctx context.Context, e *env) error {
	cb := loopback(6274, "/oauth/callback")
	if err := e.register(ctx, client.ClientRegistrationRequest{ClientName: "MCP Inspector (oauthdeck emulation)",
		RedirectURIs: []string{cb}, TokenEndpointAuthMethod: "none", ApplicationType: "native"}); err != nil {
		return err
	}
	code, verifier, err := e.authorize(ctx, cb, false)
	if err != nil {
		return err
	}
	_, err = e.exchange(ctx, code, cb, verifier)
	return err
}
