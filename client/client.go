// Package client is a typed client for a Coder-compatible deployment: the
// session API, the OAuth2 apps API, discovery documents, dynamic client
// registration, and a bounded raw request for OAuth2 endpoints.
//
// Every request has a timeout and a response-size limit, never follows a
// redirect, and can be recorded (redacted) by a Recorder.
package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Defaults for Options.
const (
	DefaultTimeout      = 15 * time.Second
	DefaultMaxBodyBytes = 8 << 20
)

// SessionTokenHeader is the header Coder reads a session token from.
const SessionTokenHeader = "Coder-Session-Token"

// Options configures a Client. The zero value is usable.
type Options struct {
	Timeout            time.Duration // per request; DefaultTimeout when 0
	MaxBodyBytes       int64         // per response; DefaultMaxBodyBytes when 0
	InsecureSkipVerify bool          // only when the user asks for it
	Recorder           *Recorder     // optional: records every exchange, redacted
	UserAgent          string        // "oauthdeck/<version>" when empty
	// Transport overrides the base transport (tests). The recorder, limits and
	// redirect policy are still applied on top of it.
	Transport http.RoundTripper
}

// Client talks to one deployment. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	opts  Options
	http  *http.Client
}

var errNotImplemented = errors.New("not implemented yet")

// New returns a client for the deployment at baseURL (e.g. https://coder.example.com).
// sessionToken may be empty for unauthenticated calls.
func New(baseURL, sessionToken string, opts Options) (*Client, error) {
	return nil, errNotImplemented
}

// BaseURL is the deployment URL without a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// SessionToken returns the token the client sends.
func (c *Client) SessionToken() string { return c.token }

// WithSessionToken returns a copy of c that sends token instead.
func (c *Client) WithSessionToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// HTTPClient is the bounded, recorded, non-redirecting client used for every
// call; flows hand it to golang.org/x/oauth2 through oauth2.HTTPClient.
// Response bodies read through it are limited to MaxBodyBytes.
func (c *Client) HTTPClient() *http.Client { return c.http }

// --- session API ---

func (c *Client) BuildInfo(ctx context.Context) (BuildInfo, error) {
	return BuildInfo{}, errNotImplemented
}

// Me is GET /api/v2/users/me with the session token.
func (c *Client) Me(ctx context.Context) (User, error) { return User{}, errNotImplemented }

// MeWithBearer is GET /api/v2/users/me with Authorization: Bearer token
// (an OAuth2 access token) instead of the session token.
func (c *Client) MeWithBearer(ctx context.Context, token string) (User, error) {
	return User{}, errNotImplemented
}

// Login is POST /api/v2/users/login; it returns the new session token.
func (c *Client) Login(ctx context.Context, email, password string) (string, error) {
	return "", errNotImplemented
}

// --- apps API (/api/v2/oauth2-provider/apps) ---

// Apps lists the apps, ordered as the server sends them. A null body is an empty list.
func (c *Client) Apps(ctx context.Context) ([]App, error)         { return nil, errNotImplemented }
func (c *Client) App(ctx context.Context, id string) (App, error) { return App{}, errNotImplemented }
func (c *Client) CreateApp(ctx context.Context, req AppRequest) (App, error) {
	return App{}, errNotImplemented
}
func (c *Client) UpdateApp(ctx context.Context, id string, req AppRequest) (App, error) {
	return App{}, errNotImplemented
}
func (c *Client) DeleteApp(ctx context.Context, id string) error { return errNotImplemented }

func (c *Client) AppSecrets(ctx context.Context, appID string) ([]AppSecret, error) {
	return nil, errNotImplemented
}
func (c *Client) CreateAppSecret(ctx context.Context, appID string) (AppSecretFull, error) {
	return AppSecretFull{}, errNotImplemented
}
func (c *Client) DeleteAppSecret(ctx context.Context, appID, secretID string) error {
	return errNotImplemented
}

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

// --- raw requests (OAuth2 endpoints, negative probes) ---

// Request is a raw request. Exactly one of Form, JSON or Body is used.
type Request struct {
	Method      string
	URL         string // absolute, or a path relative to the deployment
	Header      http.Header
	Query       url.Values // merged into URL's query
	Form        url.Values // application/x-www-form-urlencoded body
	JSON        any        // application/json body
	Body        []byte
	WithSession bool // send the Coder-Session-Token header
}

// Response is a raw response with its (bounded) body read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	URL        string
}

// Do sends req with the client's timeout, size limit and recorder. It never
// follows redirects and does not interpret the status: a 4xx is a Response,
// not an error. Errors are transport failures, timeouts and oversize bodies.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	return nil, errNotImplemented
}

// OAuth2Error decodes an OAuth2 error body, or returns nil when the body is not one.
func (r *Response) OAuth2Error() *OAuth2Error { return nil }

// Location returns the Location header resolved against the request URL.
func (r *Response) Location() (*url.URL, error) { return nil, errNotImplemented }
