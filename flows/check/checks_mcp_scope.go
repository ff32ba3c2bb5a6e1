package check

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// maxToolsTried bounds the read-only tools mcp.scope-challenge calls
// looking for one its narrow token may not use.
const maxToolsTried = 5

// scopeChallenge is what mcp.scope-challenge met, for mcp.scope-step-up.
type scopeChallenge struct {
	granted    string       // the narrow token's scope
	challenged string       // the challenge's scope parameter
	op         mcpOperation // the refused request, to retry
}

// mcpOperation is a request of an MCP session; req nil is initialize itself.
type mcpOperation struct {
	label string
	req   map[string]any
}

// mcpOpen starts a session as a client does: initialize, then (when it
// was answered 200) the initialized notification. It returns the answer
// to initialize and the session id.
func (s *suite) mcpOpen(ctx context.Context, p *probe, who, bearer string) (*client.Response, string, error) {
	resp, err := s.rpc(ctx, p, "MCP initialize"+who, bearer, "", mcpInitialize)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, "", err
	}
	session := resp.Header.Get("Mcp-Session-Id")
	_, err = s.rpc(ctx, p, "notifications/initialized"+who, bearer, session, map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	return resp, session, err
}

// narrowScope is what the narrow token asks for: Coder's user:read_personal
// (read your own profile) when offered, else the first offered action on
// one resource (not a coder:* composite, not a wildcard).
func narrowScope(supported []string) string {
	if slices.Contains(supported, "user:read_personal") {
		return "user:read_personal"
	}
	for _, sc := range supported {
		if res, action, ok := strings.Cut(sc, ":"); ok && res != "coder" && action != "*" && action != "" {
			return sc
		}
	}
	return ""
}

// unionScopes is a's scopes, then b's that a lacks: what a client asks for
// when it steps up (MCP 2026-07-28, SEP-2350).
func unionScopes(a, b string) string {
	out := strings.Fields(a)
	for _, sc := range strings.Fields(b) {
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " ")
}

// checkMCPScopeChallenge gets a token for one narrow scope and uses it as a
// client would (initialize, tools/list, then read-only tools, never one
// that may change anything) until the server refuses a request: that
// refusal must be 403 with one Bearer insufficient_scope challenge naming
// the scopes needed and the resource metadata.
func checkMCPScopeChallenge(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return v
	}
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if !s.info.Features.ScopesEnforced {
		return p.skip("Coder %s does not enforce token scopes (2.38 is the first that does): every token it mints is coder:all, so no narrow token can be had", firstNonEmpty(s.info.Version, "(version unknown)"))
	}
	if s.as == nil {
		return p.skip("no authorization server metadata (discovery.as-metadata), so no scope to ask for")
	}
	narrow := narrowScope(s.as.ScopesSupported)
	if narrow == "" {
		return p.skip("scopes_supported offers no narrow scope (only composites and wildcards) to ask for")
	}
	tok, err := s.scopedTokens(ctx, p, "a token for scope "+narrow, narrow)
	if err != nil {
		return p.broken("obtain a token for scope "+narrow, err)
	}
	granted := firstNonEmpty(tok.Scope, narrow)
	if slices.Contains(strings.Fields(granted), "coder:all") {
		return p.skip("asked for scope %q and was granted %q: not a narrow token", narrow, safe.Line(granted))
	}
	resp, session, err := s.mcpOpen(ctx, p, " with the narrow token", tok.AccessToken)
	if err != nil {
		return p.broken("call the MCP endpoint", err)
	}
	if why, off := mcpOff(resp); off {
		return p.skip("%s", why)
	}
	if resp.StatusCode != http.StatusOK {
		return s.judgeScopeRefusal(p, resp, mcpOperation{label: "initialize"}, granted)
	}
	list := map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
	resp, err = s.rpc(ctx, p, "MCP tools/list with the narrow token", tok.AccessToken, session, list)
	if err != nil {
		return p.broken("call tools/list", err)
	}
	if resp.StatusCode != http.StatusOK {
		return s.judgeScopeRefusal(p, resp, mcpOperation{label: "tools/list", req: list}, granted)
	}
	tools, v, ok := readOnlyTools(p, resp)
	if !ok {
		return v
	}
	var allowed []string
	for _, name := range tools[:min(len(tools), maxToolsTried)] {
		op := mcpOperation{label: "tools/call " + safe.Line(name), req: map[string]any{
			"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": map[string]any{"name": name, "arguments": map[string]any{}}}}
		resp, err = s.rpc(ctx, p, "MCP "+op.label+" with the narrow token", tok.AccessToken, session, op.req)
		if err != nil {
			return p.broken("call "+op.label, err)
		}
		if resp.StatusCode != http.StatusOK {
			return s.judgeScopeRefusal(p, resp, op, granted)
		}
		allowed = append(allowed, safe.Line(name))
	}
	return p.skip("with a token for scope %q the read-only tools tried (%s) all answered 200: none needed more, so there was no challenge to judge", safe.Line(granted), strings.Join(allowed, ", "))
}

// readOnlyTools are the tools a tools/list answer annotates readOnlyHint
// true that take no required arguments: the only ones the suite calls.
func readOnlyTools(p *probe, resp *client.Response) ([]string, verdict, bool) {
	var reply struct {
		Result *struct {
			Tools []struct {
				Name        string `json:"name"`
				InputSchema struct {
					Required []string `json:"required"`
				} `json:"inputSchema"`
				Annotations struct {
					ReadOnlyHint *bool `json:"readOnlyHint"`
				} `json:"annotations"`
			} `json:"tools"`
		} `json:"result"`
	}
	if json.Unmarshal(resp.Body, &reply) != nil || reply.Result == nil {
		return nil, p.skip("tools/list answered 200 without a JSON-RPC result the suite can read (mcp.tools-list judges it)"), false
	}
	var names []string
	readOnly := 0
	for _, t := range reply.Result.Tools {
		if t.Annotations.ReadOnlyHint == nil || !*t.Annotations.ReadOnlyHint {
			continue
		}
		readOnly++
		if len(t.InputSchema.Required) == 0 && t.Name != "" {
			names = append(names, t.Name)
		}
	}
	switch {
	case readOnly == 0:
		return nil, p.skip("none of the %d tools is annotated readOnlyHint: true, and the suite calls no tool that may change anything", len(reply.Result.Tools)), false
	case len(names) == 0:
		return nil, p.skip("each of the %d read-only tools needs arguments the suite cannot choose", readOnly), false
	}
	return names, verdict{}, true
}

// judgeScopeRefusal judges the answer that refused the narrow token, and
// keeps a challenge's scopes for mcp.scope-step-up.
func (s *suite) judgeScopeRefusal(p *probe, resp *client.Response, op mcpOperation, granted string) verdict {
	switch resp.StatusCode {
	case http.StatusForbidden:
	case http.StatusUnauthorized:
		return p.violated("%s with a valid token for scope %q answered 401, which tells a client its token is no good: a token lacking scope is 403 insufficient_scope (RFC 6750 §3.1)", op.label, safe.Line(granted))
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusInternalServerError:
		return p.skip("%s answered %d (rate limit or server trouble): nothing learnt about scope challenges; run the check again", op.label, resp.StatusCode)
	default:
		return p.violated("%s with a valid token for scope %q answered %d, neither a result nor a scope challenge", op.label, safe.Line(granted), resp.StatusCode)
	}
	var bearers []client.Challenge
	for _, ch := range client.ParseWWWAuthenticate(strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")) {
		if strings.EqualFold(ch.Scheme, "Bearer") {
			bearers = append(bearers, ch)
		}
	}
	switch len(bearers) {
	case 0:
		return p.violated("%s answered 403 without a Bearer challenge: a client cannot tell which scope to ask for", op.label)
	case 1:
	default:
		return p.violated("%s answered 403 with %d Bearer challenges: every scope needed belongs in one (SEP-2350)", op.label, len(bearers))
	}
	ch := bearers[0]
	code, scope, meta := safe.Line(ch.Params["error"]), safe.Line(ch.Params["scope"]), safe.Line(ch.Params["resource_metadata"])
	if strings.TrimSpace(scope) != "" {
		s.scopeChallenge = &scopeChallenge{granted: granted, challenged: scope, op: op}
	}
	var faults []string
	if code != "insufficient_scope" {
		faults = append(faults, "error="+quoteOrNone(code)+", not \"insufficient_scope\"")
	}
	if strings.TrimSpace(scope) == "" {
		faults = append(faults, "no scope naming what to ask for")
	}
	if why := badResourceMetadata(meta, s.mcpURL); why != "" {
		faults = append(faults, why)
	}
	if len(faults) > 0 {
		return p.violated("%s answered 403, but its challenge has %s", op.label, strings.Join(faults, "; "))
	}
	return p.pass("%s with a token for scope %q answered 403 with one Bearer challenge: error=\"insufficient_scope\", scope=%q, resource_metadata %q", op.label, safe.Line(granted), scope, meta)
}

func quoteOrNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return `"` + v + `"`
}

// badResourceMetadata says what is wrong with a challenge's
// resource_metadata ("" when nothing): it must be an absolute URL without
// a fragment or user information, https or on the MCP endpoint's origin.
func badResourceMetadata(meta, mcpURL string) string {
	if meta == "" {
		return "no resource_metadata"
	}
	u, err := url.Parse(meta)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return "resource_metadata " + `"` + meta + `"` + " is not an absolute URL"
	case u.Fragment != "" || u.User != nil:
		return "resource_metadata has a fragment or user information"
	case u.Scheme == "https":
		return ""
	}
	if m, err := url.Parse(mcpURL); err == nil && u.Scheme == m.Scheme && u.Host == m.Host {
		return ""
	}
	return "resource_metadata is neither https nor on the MCP endpoint's origin"
}

// checkMCPScopeStepUp answers mcp.scope-challenge's challenge as a client
// does: a token for the previous scope plus the challenged ones, then one
// retry of the refused request, which must now go through.
func checkMCPScopeStepUp(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return v
	}
	sc := s.scopeChallenge
	if sc == nil {
		return p.skip("no scope challenge to answer (mcp.scope-challenge met none with a scope in it)")
	}
	union := unionScopes(sc.granted, sc.challenged)
	tok, err := s.scopedTokens(ctx, p, "the step-up token ("+union+")", union)
	if err != nil {
		var ce *flows.CallbackError
		if errors.As(err, &ce) && ce.Code != "" {
			return p.violated("the authorization server refused a token for %q, the previous scope plus the challenged ones: %s", union, safe.Line(err.Error()))
		}
		return p.broken("obtain a token for scope "+union, err)
	}
	resp, session, err := s.mcpOpen(ctx, p, " with the step-up token", tok.AccessToken)
	if err == nil && sc.op.req != nil && resp.StatusCode == http.StatusOK {
		resp, err = s.rpc(ctx, p, "MCP "+sc.op.label+" again with the step-up token", tok.AccessToken, session, sc.op.req)
	}
	if err != nil {
		return p.broken("retry "+sc.op.label, err)
	}
	did := "with a token for " + quoteOrNone(union) + " (the previous scope plus the challenged ones), one retry of " + sc.op.label
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusForbidden:
		again := ""
		for _, ch := range client.ParseWWWAuthenticate(strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")) {
			if strings.EqualFold(ch.Scheme, "Bearer") && ch.Params["scope"] != "" {
				again = " (now challenging scope " + quoteOrNone(safe.Line(ch.Params["scope"])) + ")"
			}
		}
		return p.violated("%s was refused again with 403%s: the first challenge did not name every scope the request needs", did, again)
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return p.skip("%s answered %d (rate limit or server trouble): the step-up was not tried; run the check again", did, resp.StatusCode)
	default:
		return p.violated("%s answered %d", did, resp.StatusCode)
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	switch err := json.Unmarshal(resp.Body, &reply); {
	case err != nil:
		return p.warn("%s answered 200 with a body that is not a JSON-RPC reply (an SSE stream?): the token was accepted", did)
	case reply.Error != nil: // authorization passed; the tool's own error (its arguments) is not about scopes
		return p.pass("%s got through (200; the tool answered with its own error: %s)", did, safe.Line(reply.Error.Message))
	case len(reply.Result) == 0:
		return p.violated("%s answered 200 without a result", did)
	}
	return p.pass("%s answered 200 with a result", did)
}
