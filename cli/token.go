package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/keyring"
)

// tokenOptions are shared by the token subcommands.
type tokenOptions struct {
	clientID    string
	secretStdin bool
	resource    string
	reveal      bool
	output      string
	deployment  string
	authMethod  string
	useURL      string
}

func (a *app) tokenCommand() *cobra.Command {
	return groupCommand("token", "Show, refresh, revoke or use the tokens a previous 'oauthdeck flow' kept in the keyring",
		a.tokenSubcommand("show", "Show the kept tokens (masked unless --reveal) and when they expire", a.tokenShow),
		a.tokenSubcommand("refresh", "Refresh the kept tokens (the old ones stop working) and keep the new ones", a.tokenRefresh),
		a.tokenSubcommand("revoke", "Revoke the kept tokens (RFC 7009) and forget them", a.tokenRevoke),
		a.tokenSubcommand("use", "Use the kept access token (Coder's /api/v2/users/me, or userinfo, introspection or --use-url elsewhere) and show who it is", a.tokenUse),
	)
}

func (a *app) tokenSubcommand(name, short string, run func(context.Context, *tokenOptions) error) *cobra.Command {
	o := &tokenOptions{}
	cmd := &cobra.Command{
		Use:   name + " --client-id ID [URL]",
		Short: short,
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.clientID == "" {
				return usagef("--client-id is required (the app ID the tokens were issued to)")
			}
			o.deployment = firstArg(args)
			return run(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.clientID, "client-id", "", "the OAuth2 client (app ID) the tokens belong to")
	f.BoolVar(&o.reveal, "reveal", false, "print tokens in clear")
	if name == "refresh" || name == "revoke" {
		f.BoolVar(&o.secretStdin, "client-secret-stdin", false, "read the client secret from stdin (default: the one kept with 'apps secrets create --save')")
		refuseSecretFlags(cmd, map[string]string{"client-secret": "pipe it with --client-secret-stdin"})
		f.StringVar(&o.authMethod, "auth-method", "", "client authentication: basic, post or none (default: client_secret_basic when the server lists it or lists nothing, RFC 8414 §2; else client_secret_post)")
	}
	if name == "use" {
		f.StringVar(&o.useURL, "use-url", "", "call this resource server with the token (default: Coder's /api/v2/users/me on Coder, else userinfo or introspection)")
	}
	if name == "refresh" {
		f.StringVar(&o.resource, "resource", "", "RFC 8707 resource to send with the refresh (must equal the token's audience)")
	}
	outputFlag(cmd, &o.output, "text", "json")
	return cmd
}

// tokenContext is what the token subcommands work with.
type tokenContext struct {
	url    string
	store  keyring.Store
	tokens flows.Tokens
	anon   *client.Client
}

func (a *app) loadTokenContext(ctx context.Context, o *tokenOptions) (*tokenContext, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	url, err := a.deploymentURL(o.deployment, cfg)
	if err != nil {
		return nil, err
	}
	store := a.storeFor(url, cfg)
	tokens, err := flows.LoadTokens(ctx, store, url, o.clientID)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, fmt.Errorf("no tokens kept for client %s on %s; run 'oauthdeck flow' first", safe.Line(o.clientID), url)
	}
	if err != nil {
		return nil, err
	}
	anon, err := client.New(url, "", a.clientOptions())
	if err != nil {
		return nil, err
	}
	return &tokenContext{url: url, store: store, tokens: tokens, anon: anon}, nil
}

// tokenClient finds the endpoints (discovery, else Coder's fixed paths) and
// the client secret (stdin, else the keyring).
func (a *app) tokenClient(ctx context.Context, tc *tokenContext, o *tokenOptions) (flows.TokenClient, error) {
	method, err := authMethodFlag(o.authMethod, o.secretStdin)
	if err != nil {
		return flows.TokenClient{}, err
	}
	t := flows.TokenClient{HTTP: tc.anon, ClientID: o.clientID,
		TokenURL: tc.url + "/oauth2/tokens", RevocationURL: tc.url + "/oauth2/revoke"}
	var methods []string
	if meta, err := tc.anon.AuthorizationServerMetadata(ctx, ""); err == nil {
		t.TokenURL = meta.Doc.TokenEndpoint
		if meta.Doc.RevocationEndpoint != "" {
			t.RevocationURL = meta.Doc.RevocationEndpoint
		}
		methods = meta.Doc.TokenEndpointAuthMethodsSupported
	} else {
		var pd *client.ProviderDisabledError
		if errors.As(err, &pd) {
			return t, err
		}
		fmt.Fprintf(a.io.Err, "! discovery failed (%s); using Coder's endpoints\n", oneLine(err))
	}
	switch {
	case method == flows.AuthNone:
	case o.secretStdin:
		secret, err := a.readSecretLine(ctx, "client secret", "Client secret (input hidden): ")
		if err != nil {
			return t, err
		}
		t.ClientSecret = secret
	default:
		key, err := keyring.ClientSecretKey(tc.url, o.clientID)
		if err != nil {
			return t, err
		}
		secret, err := tc.store.Get(ctx, key)
		if err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return t, err
		}
		t.ClientSecret = secret // empty: a public client, or a server that does not ask
	}
	t.Method = method
	if method == flows.AuthAuto {
		t.Method = flows.ChooseAuthMethod(methods, t.ClientSecret != "")
	}
	return t, nil
}

func (a *app) tokenShow(ctx context.Context, o *tokenOptions) error {
	tc, err := a.loadTokenContext(ctx, o)
	if err != nil {
		return err
	}
	return writeTokens(a.io.Out, tc.tokens, o.reveal, o.output)
}

func (a *app) tokenRefresh(ctx context.Context, o *tokenOptions) error {
	tc, err := a.loadTokenContext(ctx, o)
	if err != nil {
		return err
	}
	if tc.tokens.RefreshToken == "" {
		return errors.New("the kept tokens have no refresh token")
	}
	t, err := a.tokenClient(ctx, tc, o)
	if err != nil {
		return err
	}
	fresh, err := t.Refresh(ctx, tc.tokens.RefreshToken, o.resource)
	if err != nil {
		return explainFlowError("refresh", err)
	}
	if err := flows.SaveTokens(ctx, tc.store, tc.url, o.clientID, fresh); err != nil {
		return fmt.Errorf("refreshed, but keeping the new tokens failed (the old ones no longer work): %w", err)
	}
	fmt.Fprintf(a.io.Err, "Refreshed; the new tokens are kept in %s and the old ones no longer work.\n", tc.store.Kind())
	return writeTokens(a.io.Out, fresh, o.reveal, o.output)
}

func (a *app) tokenRevoke(ctx context.Context, o *tokenOptions) error {
	tc, err := a.loadTokenContext(ctx, o)
	if err != nil {
		return err
	}
	t, err := a.tokenClient(ctx, tc, o)
	if err != nil {
		return err
	}
	// Revoking the refresh token also kills its access token on Coder.
	tok, hint := tc.tokens.RefreshToken, "refresh_token"
	if tok == "" {
		tok, hint = tc.tokens.AccessToken, "access_token"
	}
	if err := t.Revoke(ctx, tok, hint); err != nil {
		return explainFlowError("revoke", err)
	}
	if err := flows.DeleteTokens(ctx, tc.store, tc.url, o.clientID); err != nil {
		return fmt.Errorf("revoked, but forgetting the tokens failed: %w", err)
	}
	fmt.Fprintf(a.io.Err, "Revoked the %s and removed the tokens from %s.\n", strings.ReplaceAll(hint, "_", " "), tc.store.Kind())
	if o.output == "json" {
		return writeJSON(a.io.Out, map[string]any{"revoked": true, "token_type_hint": hint})
	}
	return nil
}

func (a *app) tokenUse(ctx context.Context, o *tokenOptions) error {
	tc, err := a.loadTokenContext(ctx, o)
	if err != nil {
		return err
	}
	// Coder's users/me on Coder; elsewhere what the flow's use step would call.
	t := flows.TokenClient{HTTP: tc.anon, ClientID: o.clientID, Method: flows.AuthNone}
	if key, kerr := keyring.ClientSecretKey(tc.url, o.clientID); kerr == nil {
		if secret, gerr := tc.store.Get(ctx, key); gerr == nil && secret != "" {
			t.ClientSecret, t.Method = secret, flows.AuthAuto // introspection wants them, as the server advertises
		}
	}
	use, err := flows.UseAccessToken(ctx, tc.anon, t, tc.tokens, o.useURL)
	switch {
	case err != nil:
		return explainFlowError("using the access token at "+use.Called, err)
	case use.Kind == flows.UseNothing:
		return errors.New(use.Reason)
	}
	if o.output == "json" {
		fields := map[string]string{}
		for _, f := range use.Fields {
			fields[f.Label] = f.Value
		}
		return writeJSON(a.io.Out, map[string]any{"called": use.Called, "kind": use.Kind, "who": use.Who, "fields": fields})
	}
	rows := [][2]string{{"Token works at", use.Called}}
	who := use.Who
	for _, f := range use.Fields {
		if (f.Label == "Email" || f.Label == "email") && who != "" {
			who += " <" + f.Value + ">"
		}
	}
	if who != "" {
		rows = append(rows, [2]string{"Token works for", who})
	}
	for _, f := range use.Fields {
		rows = append(rows, [2]string{f.Label, f.Value})
	}
	return writeKeyValues(a.io.Out, rows)
}

// explainFlowError adds flows.Explain's cause and fix to err, on one line.
func explainFlowError(what string, err error) error {
	ex := flows.Explain(err)
	if !known(ex) || ex.Fix == "" {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w — %s; %s", what, err, ex.Cause, ex.Fix)
}

// tokensJSON is the token response as printed (secrets masked unless revealed).
type tokensJSON struct {
	AccessToken  string     `json:"access_token"`
	TokenType    string     `json:"token_type,omitempty"`
	RefreshToken string     `json:"refresh_token,omitempty"`
	Scope        string     `json:"scope,omitempty"`
	ExpiresIn    int64      `json:"expires_in,omitempty"`
	Expiry       *time.Time `json:"expiry,omitempty"`
	Masked       bool       `json:"masked"`
}

// tokenView is t as printed: secrets masked unless revealed.
func tokenView(t flows.Tokens, reveal bool) tokensJSON {
	hide := func(s string) string {
		if reveal || s == "" {
			return s
		}
		return safe.Mask(s)
	}
	out := tokensJSON{AccessToken: hide(t.AccessToken), TokenType: t.TokenType, RefreshToken: hide(t.RefreshToken),
		Scope: t.Scope, ExpiresIn: t.ExpiresIn, Masked: !reveal}
	if !t.Expiry.IsZero() {
		e := t.Expiry.UTC()
		out.Expiry = &e
	}
	return out
}

func writeTokens(w io.Writer, t flows.Tokens, reveal bool, output string) error {
	out := tokenView(t, reveal)
	if output == "json" {
		return writeJSON(w, out)
	}
	expiry := "not given"
	if out.Expiry != nil {
		at := out.Expiry.Local().Format(time.DateTime)
		if left := time.Until(*out.Expiry).Round(time.Second); left >= 0 {
			expiry = fmt.Sprintf("%s (in %s)", at, left)
		} else {
			expiry = fmt.Sprintf("%s (expired %s ago)", at, -left)
		}
	}
	pairs := [][2]string{
		{"access_token", out.AccessToken},
		{"token_type", out.TokenType},
		{"expires", expiry},
		{"refresh_token", orNone(out.RefreshToken)},
		{"scope", orNone(out.Scope)},
	}
	if !reveal {
		pairs = append(pairs, [2]string{"note", "tokens masked; --reveal prints them"})
	}
	return writeKeyValues(w, pairs)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
