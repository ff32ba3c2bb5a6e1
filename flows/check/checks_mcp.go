package check

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"oauthdeck/client"
)

// mcpPath is Coder's MCP HTTP endpoint (experiment mcp-server-http): the
// protected resource MCP clients actually discover from.
const mcpPath = "/api/experimental/mcp/http"

// mcpInitialize is a minimal JSON-RPC initialize request.
var mcpInitialize = map[string]any{
	"jsonrpc": "2.0", "id": 1, "method": "initialize",
	"params": map[string]any{
		"protocolVersion": "2025-06-18",
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "oauthdeck-check", "version": "1"},
	},
}

// mcpOff reports whether a response says the MCP endpoint is not there:
// 404, or Coder's 403 naming the experiment that enables it.
func mcpOff(resp *client.Response) (string, bool) {
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "there is no MCP endpoint there (404)", true
	case resp.StatusCode == http.StatusForbidden && strings.Contains(strings.ToLower(string(resp.Body)), "experiment"):
		return "the MCP endpoint is switched off (403 naming the experiment; CODER_EXPERIMENTS=mcp-server-http enables it)", true
	}
	return "", false
}

func (s *suite) mcpRequest(ctx context.Context, p *probe, note, bearer string) (*client.Response, error) {
	body, _ := json.Marshal(mcpInitialize)
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"}}
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	return p.do(ctx, note, client.Request{Method: http.MethodPost, URL: s.mcpURL, Header: h, Body: body})
}

func checkMCPChallenge(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return v
	}
	resp, err := s.mcpRequest(ctx, p, "MCP initialize without a token", "")
	if err != nil {
		return p.broken("call the MCP endpoint", err)
	}
	if why, off := mcpOff(resp); off {
		return p.skip("%s", why)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		return p.violated("an MCP request without a token got %d, not 401", resp.StatusCode)
	}
	var hint string
	for _, ch := range client.ParseWWWAuthenticate(strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")) {
		if strings.EqualFold(ch.Scheme, "Bearer") && ch.Params["resource_metadata"] != "" {
			hint = ch.Params["resource_metadata"]
		}
	}
	if hint == "" {
		return p.violated("the 401 has no Bearer challenge with resource_metadata, so MCP clients cannot discover the authorization server")
	}
	return p.pass("401 with a Bearer challenge; resource_metadata %q", hint)
}

// mcpToken is the token the MCP checks present: the suite's token for
// the resource, obtained now if no earlier check left one. ok is false
// with the verdict to return when there is none to be had.
func (s *suite) mcpToken(ctx context.Context, p *probe) (*client.TokenResponse, verdict, bool) {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return nil, v, false
	}
	if v, ok := s.needApps(p); !ok {
		return nil, v, false
	}
	if s.resourceToken != nil {
		return s.resourceToken, verdict{}, true
	}
	t, err := s.tokens(ctx, p, "a token for the MCP endpoint")
	if err != nil {
		return nil, p.broken("obtain a token for resource "+s.resource, err), false
	}
	return &t, verdict{}, true
}

func checkMCPBearer(ctx context.Context, s *suite, p *probe) verdict {
	tok, v, ok := s.mcpToken(ctx, p)
	if !ok {
		return v
	}
	resp, err := s.mcpRequest(ctx, p, "MCP initialize with the Bearer token", tok.AccessToken)
	if err != nil {
		return p.broken("call the MCP endpoint", err)
	}
	if why, off := mcpOff(resp); off {
		return p.skip("%s", why)
	}
	if resp.StatusCode != http.StatusOK {
		return p.violated("the MCP endpoint answered %d to a token issued for resource %q", resp.StatusCode, s.resource)
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
	}
	if json.Unmarshal(resp.Body, &reply) != nil || len(reply.Result) == 0 {
		return p.warn("200, but the body is not a JSON-RPC result (an SSE stream or another shape): the token was accepted")
	}
	return p.pass("initialize answered 200 with a JSON-RPC result")
}
