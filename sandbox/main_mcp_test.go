package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const mcpPath = "/api/experimental/mcp/http"

// mcpCall sends one JSON-RPC request to the MCP endpoint with a Bearer token
// (or, with bearer "", the admin's session).
func mcpCall(t *testing.T, s *Server, bearer, body string) resp {
	t.Helper()
	q := req{method: http.MethodPost, path: mcpPath, raw: body, headers: map[string]string{"Content-Type": "application/json"}}
	if bearer == "" {
		q.session = s.AdminSessionToken()
	} else {
		q.headers["Authorization"] = "Bearer " + bearer
	}
	return call(t, s, q)
}

func toolCall(name string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":%q,"arguments":{}}}`, name)
}

// TestMainMCPScopeChallenge: main's tools need scopes; a token without all
// of a tool's scopes gets 403 and one Bearer challenge naming every one, and
// a token for the union of what it had and what was named gets through.
func TestMainMCPScopeChallenge(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	narrow := f.flow(t, url.Values{"resource": {s.URL()}, "scope": {"user:read_personal"}})
	if narrow.Scope != "user:read_personal" {
		t.Fatalf("granted %q", narrow.Scope)
	}

	// tools/list works with any valid token and marks what only reads.
	r := mcpCall(t, s, narrow.AccessToken, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	expect(t, r, 200, "")
	var list struct {
		Result struct {
			Tools []struct {
				Name        string `json:"name"`
				Annotations struct {
					ReadOnly *bool `json:"readOnlyHint"`
				} `json:"annotations"`
			} `json:"tools"`
		} `json:"result"`
	}
	r.decode(t, &list)
	readOnly := map[string]bool{}
	for _, tool := range list.Result.Tools {
		if tool.Annotations.ReadOnly == nil {
			t.Errorf("%s has no readOnlyHint", tool.Name)
			continue
		}
		readOnly[tool.Name] = *tool.Annotations.ReadOnly
	}
	want := map[string]bool{"coder_get_authenticated_user": true, "coder_list_workspaces": true, "coder_list_templates": true, "coder_create_workspace": false}
	if fmt.Sprint(readOnly) != fmt.Sprint(want) {
		t.Errorf("tools %v, want %v", readOnly, want)
	}

	// Within the scope: a result.
	r = mcpCall(t, s, narrow.AccessToken, toolCall("coder_get_authenticated_user"))
	expect(t, r, 200, "")
	if !strings.Contains(r.text(), `"isError":false`) || !strings.Contains(r.text(), `\"username\":\"admin\"`) {
		t.Errorf("get_authenticated_user: %s", r.body)
	}

	// Beyond it: 403, one challenge with both scopes the tool needs.
	r = mcpCall(t, s, narrow.AccessToken, toolCall("coder_list_workspaces"))
	expect(t, r, 403, `{"message":"Forbidden.","detail":"The access token's scope (user:read_personal) does not allow calling coder_list_workspaces."}`)
	wantHeader := `Bearer realm="coder", error="insufficient_scope", error_description="The access token's scope does not allow this tool", scope="workspace:read template:read", resource_metadata="` + s.URL() + `/.well-known/oauth-protected-resource"`
	if got := r.header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != wantHeader {
		t.Errorf("WWW-Authenticate %q\nwant %q", got, wantHeader)
	}

	// Part of the scopes is not enough; the union is.
	partial := f.flow(t, url.Values{"resource": {s.URL()}, "scope": {"user:read_personal workspace:read"}})
	expect(t, mcpCall(t, s, partial.AccessToken, toolCall("coder_list_workspaces")), 403, "")
	union := f.flow(t, url.Values{"resource": {s.URL()}, "scope": {"user:read_personal workspace:read template:read"}})
	r = mcpCall(t, s, union.AccessToken, toolCall("coder_list_workspaces"))
	expect(t, r, 200, `{"jsonrpc":"2.0","id":3,"result":{"content":[{"text":"[]","type":"text"}],"isError":false}}`)
	// A wildcard covers its resource's actions.
	wide := f.flow(t, url.Values{"resource": {s.URL()}, "scope": {"workspace:* template:read"}})
	expect(t, mcpCall(t, s, wide.AccessToken, toolCall("coder_list_workspaces")), 200, "")

	// coder:all and sessions are not challenged; an unknown tool is a JSON-RPC error.
	all := f.flow(t, url.Values{"resource": {s.URL()}})
	expect(t, mcpCall(t, s, all.AccessToken, toolCall("coder_list_templates")), 200, "")
	expect(t, mcpCall(t, s, "", toolCall("coder_list_templates")), 200, "")
	expect(t, mcpCall(t, s, all.AccessToken, toolCall("nope")), 200, `{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Unknown tool: nope"}}`)
}

// The profiles that do not enforce scopes keep their MCP endpoint as it
// was: no tools, and tools/call is not a method.
func TestMCPNoToolsBefore238(t *testing.T) {
	t.Parallel()
	for _, c := range []Compat{CompatV230, CompatV236} {
		t.Run(string(c), func(t *testing.T) {
			s := startSandbox(t, Options{Compat: c})
			expect(t, mcpCall(t, s, "", `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`), 200, `{"jsonrpc":"2.0","id":2,"result":{"tools":[]}}`)
			expect(t, mcpCall(t, s, "", toolCall("coder_list_workspaces")), 200, `{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found"}}`)
		})
	}
}

// AccessTokenLifetime shortens OAuth2 access tokens only: the token states
// it and is refused with 401 once it is over; the admin's session lives on.
func TestAccessTokenLifetime(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := startSandbox(t, Options{Now: clock.Now, AccessTokenLifetime: 2 * time.Second})
	f := newFixture(t, s, "http://127.0.0.1:9876/callback")
	tok := f.flow(t, url.Values{"resource": {s.URL()}})
	if tok.ExpiresIn != 2 {
		t.Errorf("expires_in %d", tok.ExpiresIn)
	}
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`
	expect(t, mcpCall(t, s, tok.AccessToken, init), 200, "")
	clock.Advance(2 * time.Second)
	r := mcpCall(t, s, tok.AccessToken, init)
	expect(t, r, 401, "")
	if r.header.Get("WWW-Authenticate") != wwwAuth(s) {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	expect(t, mcpCall(t, s, "", init), 200, "")
	var session struct{ Username string }
	r = call(t, s, req{path: "/api/v2/users/me", session: s.AdminSessionToken()})
	expect(t, r, 200, "")
	if r.decode(t, &session); session.Username != "admin" {
		t.Errorf("admin session after the token's lifetime: %s", r.body)
	}
}
