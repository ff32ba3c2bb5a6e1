package client

import (
	"context"
	"errors"
	"net/http"
)

// --- dynamic client registration (RFC 7591 / 7592) ---

var errNoRegistrationToken = errors.New("no registration access token: it is returned only once, at registration")

// RegisterClient is an RFC 7591 registration at endpoint (the deployment's
// /oauth2/register when empty). Success is 201.
func (c *Client) RegisterClient(ctx context.Context, endpoint string, req ClientRegistrationRequest) (ClientRegistration, error) {
	if endpoint == "" {
		endpoint = "/oauth2/register"
	}
	var reg ClientRegistration
	err := c.do(ctx, call{method: http.MethodPost, url: endpoint, in: req, want: http.StatusCreated, out: &reg})
	if err == nil && reg.ClientID == "" {
		err = errors.New("server answered 201 without a client_id")
	}
	return reg, wrapOp("register a client", err)
}

// GetClientRegistration is the RFC 7592 read of clientURI (the
// registration_client_uri), authenticated by the registration access token.
func (c *Client) GetClientRegistration(ctx context.Context, clientURI, accessToken string) (ClientRegistration, error) {
	var reg ClientRegistration
	err := errNoRegistrationToken
	if accessToken != "" {
		err = c.do(ctx, call{method: http.MethodGet, url: clientURI, auth: authBearer, bearer: accessToken, want: http.StatusOK, out: &reg})
	}
	return reg, wrapOp("read client registration", err)
}

// UpdateClientRegistration is the RFC 7592 update (PUT, full replacement).
func (c *Client) UpdateClientRegistration(ctx context.Context, clientURI, accessToken string, req ClientRegistrationRequest) (ClientRegistration, error) {
	var reg ClientRegistration
	err := errNoRegistrationToken
	if accessToken != "" {
		err = c.do(ctx, call{method: http.MethodPut, url: clientURI, auth: authBearer, bearer: accessToken, in: req, want: http.StatusOK, out: &reg})
	}
	return reg, wrapOp("update client registration", err)
}

// DeleteClientRegistration is the RFC 7592 delete (204).
func (c *Client) DeleteClientRegistration(ctx context.Context, clientURI, accessToken string) error {
	err := errNoRegistrationToken
	if accessToken != "" {
		err = c.do(ctx, call{method: http.MethodDelete, url: clientURI, auth: authBearer, bearer: accessToken, want: http.StatusNoContent})
	}
	return wrapOp("delete client registration", err)
}
