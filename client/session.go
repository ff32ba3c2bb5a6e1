package client

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// BuildInfo is GET /api/v2/buildinfo (no authentication needed).
func (c *Client) BuildInfo(ctx context.Context) (BuildInfo, error) {
	var bi BuildInfo
	err := c.do(ctx, call{method: http.MethodGet, url: "/api/v2/buildinfo", want: http.StatusOK, out: &bi})
	return bi, wrapOp("read build info", err)
}

// Experiments is GET /api/v2/experiments (a session is needed): the
// experiments the deployment runs with. In the experiment era "oauth2" in
// this list is what turns the provider on.
func (c *Client) Experiments(ctx context.Context) ([]string, error) {
	var out []string
	err := c.do(ctx, call{method: http.MethodGet, url: "/api/v2/experiments", auth: authSession, want: http.StatusOK, out: &out})
	return out, wrapOp("read the experiments", err)
}

// ProviderEnabled interprets the oauth2_provider field of newer servers,
// which may be a bool or an object with an "enabled" member. known is false
// when the server does not say (v2.30 and earlier) or says something else.
func (b BuildInfo) ProviderEnabled() (enabled, known bool) {
	raw := strings.TrimSpace(string(b.OAuth2Provider))
	if raw == "" || raw == "null" {
		return false, false
	}
	var flag bool
	if json.Unmarshal(b.OAuth2Provider, &flag) == nil {
		return flag, true
	}
	var obj struct {
		Enabled *bool `json:"enabled"`
	}
	if json.Unmarshal(b.OAuth2Provider, &obj) == nil && obj.Enabled != nil {
		return *obj.Enabled, true
	}
	return false, false
}

// Me is GET /api/v2/users/me with the session token.
func (c *Client) Me(ctx context.Context) (User, error) {
	var u User
	err := c.do(ctx, call{method: http.MethodGet, url: "/api/v2/users/me", auth: authSession, want: http.StatusOK, out: &u})
	return u, wrapOp("read the current user", err)
}

// MeWithBearer is GET /api/v2/users/me with Authorization: Bearer token
// (an OAuth2 access token) instead of the session token. A rejected token is
// an *APIError carrying the WWW-Authenticate challenge, not a *SessionError.
func (c *Client) MeWithBearer(ctx context.Context, token string) (User, error) {
	var u User
	err := c.do(ctx, call{method: http.MethodGet, url: "/api/v2/users/me", auth: authBearer, bearer: token, want: http.StatusOK, out: &u})
	return u, wrapOp("read the current user with a bearer token", err)
}

// Login is POST /api/v2/users/login; it returns the new session token.
func (c *Client) Login(ctx context.Context, email, password string) (string, error) {
	var out struct {
		SessionToken string `json:"session_token"`
	}
	in := struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}{email, password}
	err := c.do(ctx, call{method: http.MethodPost, url: "/api/v2/users/login", in: in, want: http.StatusCreated, out: &out})
	if err == nil && out.SessionToken == "" {
		err = &UnexpectedResponseError{StatusCode: http.StatusCreated, Method: http.MethodPost,
			URL: c.base.String() + "/api/v2/users/login", Reason: "login succeeded but no session_token was returned"}
	}
	if err != nil {
		return "", wrapOp("log in", err)
	}
	return out.SessionToken, nil
}
