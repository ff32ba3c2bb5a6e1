package check

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows/internal/randtext"
)

// rpc sends one JSON-RPC request to the MCP endpoint with a token (and the
// session id initialize gave, if any).
func (s *suite) rpc(ctx context.Context, p *probe, note, bearer, session string, req map[string]any) (*client.Response, error) {
	body, _ := json.Marshal(req)
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"}, "Authorization": {"Bearer " + bearer}}
	if session != "" {
		h.Set("Mcp-Session-Id", session)
	}
	return p.do(ctx, note, client.Request{Method: http.MethodPost, URL: s.mcpURL, Header: h, Body: body})
}

// checkMCPToolsList does what a client does after connecting: initialize,
// the initialized notification, then tools/list in the same session.
func checkMCPToolsList(ctx context.Context, s *suite, p *probe) verdict {
	tok, v, ok := s.mcpToken(ctx, p)
	if !ok {
		return v
	}
	resp, session, err := s.mcpOpen(ctx, p, "", tok.AccessToken)
	if err != nil {
		return p.broken("open an MCP session", err)
	}
	if why, off := mcpOff(resp); off {
		return p.skip("%s", why)
	}
	if resp.StatusCode != http.StatusOK {
		return p.violated("initialize with the token answered %d", resp.StatusCode)
	}
	resp, err = s.rpc(ctx, p, "MCP tools/list", tok.AccessToken, session, map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
	if err != nil {
		return p.broken("call tools/list", err)
	}
	if resp.StatusCode != http.StatusOK {
		return p.violated("tools/list with the token answered %d", resp.StatusCode)
	}
	var reply struct {
		Result *struct {
			Tools []struct {
				Name string `json:"name"`
			} `json:"tools"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	switch err := json.Unmarshal(resp.Body, &reply); {
	case err != nil:
		return p.warn("tools/list answered 200 with a body that is not a JSON-RPC reply (an SSE stream?): the token was accepted")
	case reply.Error != nil:
		return p.violated("tools/list answered a JSON-RPC error: %s", safe.Line(reply.Error.Message))
	case reply.Result == nil:
		return p.violated("tools/list answered 200 without a result")
	}
	var names []string
	for i, t := range reply.Result.Tools {
		if i == 5 {
			names = append(names, "…")
			break
		}
		names = append(names, safe.Line(t.Name))
	}
	listed := ""
	if len(names) > 0 {
		listed = " (" + strings.Join(names, ", ") + ")"
	}
	return p.pass("initialize, then tools/list in session %q: %d tools%s", safe.Line(session), len(reply.Result.Tools), listed)
}

// mcpChallenged asks the MCP endpoint without a token: the checks that
// build on its 401 (mcp.www-authenticate judges it) skip when it did not
// answer one, rather than fail twice for the same fault.
func (s *suite) mcpChallenged(ctx context.Context, p *probe) (*client.Response, verdict, bool) {
	resp, err := s.mcpRequest(ctx, p, "MCP initialize without a token", "")
	switch {
	case err != nil:
		return nil, p.skip("the MCP endpoint could not be called (mcp.www-authenticate says why)"), false
	case resp.StatusCode != http.StatusUnauthorized:
		if why, off := mcpOff(resp); off {
			return nil, p.skip("%s", why), false
		}
		return nil, p.skip("the MCP endpoint did not answer 401 without a token (mcp.www-authenticate), so a client would not start from it"), false
	}
	return resp, verdict{}, true
}

// checkMCPPRMDiscovery tries each place an MCP client looks for protected
// resource metadata, in the spec's order: the 401's resource_metadata, the
// path-inserted well-known URL, the root one. One must answer, and say
// which resource it describes.
func checkMCPPRMDiscovery(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return v
	}
	resp, v, ok := s.mcpChallenged(ctx, p)
	if !ok {
		return v
	}
	u, err := url.Parse(s.mcpURL)
	if err != nil {
		return p.broken("parse the MCP URL", err)
	}
	root := u.Scheme + "://" + u.Host + "/.well-known/oauth-protected-resource"
	places := []struct{ name, url string }{}
	for _, ch := range client.ParseWWWAuthenticate(strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")) {
		if strings.EqualFold(ch.Scheme, "Bearer") && ch.Params["resource_metadata"] != "" {
			places = append(places, struct{ name, url string }{"the 401's resource_metadata", ch.Params["resource_metadata"]})
		}
	}
	places = append(places, struct{ name, url string }{"path-inserted", root + strings.TrimRight(u.Path, "/")},
		struct{ name, url string }{"root", root})
	var found, missing []string
	first := ""
	for _, pl := range places {
		r, err := p.do(ctx, "GET "+pl.name+" protected resource metadata", client.Request{Method: http.MethodGet, URL: pl.url})
		var doc struct {
			Resource             string   `json:"resource"`
			AuthorizationServers []string `json:"authorization_servers"`
		}
		if err == nil && r.StatusCode == http.StatusOK && json.Unmarshal(r.Body, &doc) == nil && doc.Resource != "" {
			found = append(found, pl.name+" ("+safe.Line(doc.Resource)+")")
			if first == "" {
				first = pl.name
			}
			continue
		}
		status := "no answer"
		if err == nil {
			status = http.StatusText(r.StatusCode)
			if r.StatusCode == http.StatusOK {
				status = "200 but not metadata"
			}
		}
		missing = append(missing, pl.name+": "+status)
	}
	if first == "" {
		return p.violated("no protected resource metadata where MCP clients look: %s", strings.Join(missing, "; "))
	}
	detail := "found at " + strings.Join(found, ", ") + "; a client takes the first: " + first
	if len(missing) > 0 {
		detail += "; not at " + strings.Join(missing, "; ")
	}
	return p.pass("%s", detail)
}

// checkMCPWrongAudience presents a token issued for another resource to
// the MCP endpoint: it must be refused, with 401 (invalid_token).
func checkMCPWrongAudience(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return v
	}
	if v, ok := s.needApps(p); !ok {
		return v
	}
	tok, v, ok := s.foreignToken(ctx, p)
	if !ok {
		return v
	}
	resp, err := s.mcpRequest(ctx, p, "MCP initialize with the token for "+foreignResource, tok.AccessToken)
	if err != nil {
		return p.broken("call the MCP endpoint", err)
	}
	if why, off := mcpOff(resp); off {
		return p.skip("%s", why)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return p.pass("a token issued for %s was refused with 401", foreignResource)
	case http.StatusForbidden:
		return p.warn("refused, but with 403: an invalid token is 401 (RFC 6750 §3.1; the MCP conformance suite expects 401)")
	case http.StatusOK:
		return p.violated("the MCP endpoint accepted a token issued for %s", foreignResource)
	}
	return p.warn("the MCP endpoint answered %d to a token for %s (expected 401)", resp.StatusCode, foreignResource)
}

// checkMCPClientRegistration reports how an MCP client that has no
// pre-registered client_id can get one, in the 2026-07-28 order: a Client
// ID Metadata Document (client_id_metadata_document_supported), then
// dynamic registration (registration_endpoint, deprecated but common).
// With neither, only clients an admin registered can connect.
func checkMCPClientRegistration(_ context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return v
	}
	if s.as == nil {
		return p.skip("no authorization server metadata (discovery.as-metadata)")
	}
	cimd, dcr := s.as.ClientIDMetadataDocumentSupported, s.as.RegistrationEndpoint != ""
	switch {
	case cimd && dcr:
		return p.pass("a client can use a Client ID Metadata Document (preferred) or register dynamically at %s", safe.Line(s.as.RegistrationEndpoint))
	case cimd:
		return p.pass("a client can use a Client ID Metadata Document; dynamic registration is off")
	case dcr:
		return p.pass("no Client ID Metadata Document support advertised; a client registers dynamically at %s (DCR, which 2026-07-28 deprecates)", safe.Line(s.as.RegistrationEndpoint))
	}
	return p.warn("neither a Client ID Metadata Document nor dynamic registration is offered: only clients an admin registered (pre-registered client_id) can connect")
}

// checkMCPUnknownToken presents a well-formed token no one was issued: the
// MCP endpoint must refuse it with 401 (RFC 6750 §3.1 invalid_token), the
// answer that makes a client re-authorize.
func checkMCPUnknownToken(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return v
	}
	if _, v, ok := s.mcpChallenged(ctx, p); !ok {
		return v
	}
	resp, err := s.mcpRequest(ctx, p, "MCP initialize with a token nobody was issued", randtext.Alnum(10)+"-"+randtext.Alnum(22))
	if err != nil {
		return p.broken("call the MCP endpoint", err)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		for _, ch := range client.ParseWWWAuthenticate(strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")) {
			if strings.EqualFold(ch.Scheme, "Bearer") && ch.Params["error"] == "invalid_token" {
				return p.pass("refused with 401 and error=\"invalid_token\"")
			}
		}
		return p.pass("refused with 401 (no error=\"invalid_token\" in the challenge, which RFC 6750 §3.1 suggests)")
	case http.StatusOK:
		return p.violated("the MCP endpoint accepted a token nobody was issued")
	}
	return p.warn("refused, but with %d: an invalid token is 401 (RFC 6750 §3.1)", resp.StatusCode)
}
