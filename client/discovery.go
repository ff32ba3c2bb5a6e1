package client

import (
	"context"
	"errors"
)

var errNotImplemented = errors.New("not implemented yet")

// --- discovery ---

// AuthorizationServerMetadata finds the RFC 8414 document for issuer (the
// deployment URL when empty), trying in the MCP 2025-11-25 order:
// path-inserted oauth-authorization-server, path-inserted openid-configuration,
// then issuer + /.well-known/openid-configuration (for issuers with a path);
// for a root issuer the first two. A 200 that is not a JSON object (Coder's
// SPA fallback page) does not count.
func (c *Client) AuthorizationServerMetadata(ctx context.Context, issuer string) (Discovered[ASMetadata], error) {
	return Discovered[ASMetadata]{}, errNotImplemented
}

// ProtectedResourceMetadata fetches an RFC 9728 document. metadataURL may be
// the resource_metadata hint; when empty, the well-known URL for resource
// (path-inserted first, then root) is used.
func (c *Client) ProtectedResourceMetadata(ctx context.Context, resource, metadataURL string) (Discovered[PRMetadata], error) {
	return Discovered[PRMetadata]{}, errNotImplemented
}

// ProbeResource calls resourceURL without credentials (GET, or POST with an
// MCP initialize body when method is POST) and reports the WWW-Authenticate hint.
func (c *Client) ProbeResource(ctx context.Context, method, resourceURL string) (ResourceHint, error) {
	return ResourceHint{}, errNotImplemented
}

// ParseWWWAuthenticate parses a WWW-Authenticate header value (RFC 9110 §11.6.1).
func ParseWWWAuthenticate(h string) []Challenge { return nil }

// --- dynamic client registration (RFC 7591 / 7592) ---

func (c *Client) RegisterClient(ctx context.Context, endpoint string, req ClientRegistrationRequest) (ClientRegistration, error) {
	return ClientRegistration{}, errNotImplemented
}
func (c *Client) GetClientRegistration(ctx context.Context, clientURI, accessToken string) (ClientRegistration, error) {
	return ClientRegistration{}, errNotImplemented
}
func (c *Client) UpdateClientRegistration(ctx context.Context, clientURI, accessToken string, req ClientRegistrationRequest) (ClientRegistration, error) {
	return ClientRegistration{}, errNotImplemented
}
func (c *Client) DeleteClientRegistration(ctx context.Context, clientURI, accessToken string) error {
	return errNotImplemented
}
