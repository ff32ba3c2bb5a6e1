package clients

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client"
)

// discoverFromMCP is how an MCP client finds the authorization server:
// an unauthenticated initialize, whose 401 names the protected-resource
// metadata (RFC 9728; else the well-known URLs), which names the server.
func (e *env) discoverFromMCP(ctx context.Context, mcpURL string) error {
	hint, err := e.c.ProbeResource(ctx, http.MethodPost, mcpURL)
	if err != nil {
		return fmt.Errorf("calling the MCP endpoint: %w", err) // no verdict on the client: nothing answered
	}
	if hint.StatusCode != http.StatusUnauthorized {
		return e.broke("mcp-challenge", "an initialize without a token got %d, not 401: the client never learns where to sign in", hint.StatusCode)
	}
	e.ok("mcp-challenge", "401; resource_metadata %s", orNone(hint.ResourceMetadata))
	pr, err := e.c.ProtectedResourceMetadata(ctx, mcpURL, hint.ResourceMetadata)
	if err != nil {
		return e.broke("resource-metadata", "%s", reason(err))
	}
	if len(pr.Doc.AuthorizationServers) == 0 || pr.Doc.Resource == "" {
		return e.broke("resource-metadata", "the metadata at %s names no authorization server or resource", pr.URL)
	}
	if !resourceCovers(pr.Doc.Resource, mcpURL) {
		// RFC 9728 §3.3: metadata for another resource must not be used.
		// MCP clients accept the endpoint's origin or a parent path (Coder
		// names the deployment URL), as the MCP SDKs' resource check does.
		return e.broke("resource-metadata", "the metadata names resource %s, which does not cover the MCP endpoint %s: a client refuses it (RFC 9728 §3.3)", pr.Doc.Resource, mcpURL)
	}
	e.resource = pr.Doc.Resource
	e.ok("resource-metadata", "resource %s, authorization server %s", pr.Doc.Resource, pr.Doc.AuthorizationServers[0])
	md, err := e.c.AuthorizationServerMetadata(ctx, pr.Doc.AuthorizationServers[0])
	if err != nil {
		return e.broke("server-metadata", "%s", reason(err))
	}
	e.md = md.Doc
	e.ok("server-metadata", "from %s", md.URL)
	return nil
}

// callMCP is the first thing the client does with its token: initialize.
func (e *env) callMCP(ctx context.Context, mcpURL string) error {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize",
		"params": map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{},
			"clientInfo": map[string]any{"name": "oauthdeck client emulation", "version": client.Version}}})
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"},
		"Authorization": {"Bearer " + e.access}}
	resp, err := e.c.Do(ctx, client.Request{Method: http.MethodPost, URL: mcpURL, Header: h, Body: body})
	if err != nil {
		return e.broke("mcp-initialize", "%s", reason(err))
	}
	if resp.StatusCode != http.StatusOK {
		challenge := strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")
		return e.broke("mcp-initialize", "initialize with the token got %d %s", resp.StatusCode, orNone(challenge))
	}
	e.ok("mcp-initialize", "the MCP endpoint took the token (200)")
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// resourceCovers: resource is the MCP URL, or its origin with a path that
// is a whole-segment prefix of the MCP URL's.
func resourceCovers(resource, mcpURL string) bool {
	r, err1 := url.Parse(resource)
	m, err2 := url.Parse(mcpURL)
	if err1 != nil || err2 != nil || !strings.EqualFold(r.Scheme, m.Scheme) || !strings.EqualFold(r.Host, m.Host) {
		return false
	}
	rp, mp := strings.TrimRight(r.Path, "/"), strings.TrimRight(m.Path, "/")
	return rp == mp || strings.HasPrefix(mp, rp+"/")
}
