// Package client is a typed client for a Coder-compatible deployment: the
// session API, the OAuth2 apps API, discovery documents, dynamic client
// registration, and a bounded raw request for OAuth2 endpoints.
//
// Every request has a timeout and a response-size limit, never follows a
// redirect, and can be recorded (redacted) by a Recorder.
package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"oauthdeck/client/safe"
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
	MaxListApps        int           // apps a listing hands on; DefaultMaxListApps when 0
	InsecureSkipVerify bool          // only when the user asks for it
	Recorder           *Recorder     // optional: records every exchange, redacted
	UserAgent          string        // "oauthdeck/<version>" when empty
	// Transport overrides the base transport (tests). The recorder, limits and
	// redirect policy are still applied on top of it.
	Transport http.RoundTripper
	// MaxRateLimitWait bounds one wait on a 429's Retry-After before the
	// request is sent again: DefaultMaxRateLimitWait when 0, no waiting when
	// negative. OnRateLimit hears of each wait before it starts; it must not block.
	MaxRateLimitWait time.Duration
	// MaxRateLimitTotal bounds all waits together: DefaultMaxRateLimitTotal when 0.
	MaxRateLimitTotal time.Duration
	OnRateLimit       func(RateLimitWait)
}

// Client talks to one deployment. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	opts  Options
	http  *http.Client

	traffic *traffic
}

// New returns a client for the deployment at baseURL (e.g. https://coder.example.com).
// sessionToken may be empty for unauthenticated calls.
func New(baseURL, sessionToken string, opts Options) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxListApps <= 0 {
		opts.MaxListApps = DefaultMaxListApps
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "oauthdeck/" + Version
	}
	rt := opts.Transport
	if rt == nil {
		rt = defaultTransport(opts.InsecureSkipVerify)
	}
	if opts.Recorder != nil {
		rt = opts.Recorder.Wrap(rt)
	}
	rt = &limitTransport{next: rt, limit: opts.MaxBodyBytes}
	tr := &traffic{}
	rt = &trafficTransport{next: rt, t: tr}
	return &Client{
		base:    base,
		token:   sessionToken,
		opts:    opts,
		traffic: tr,
		http: &http.Client{
			Transport: rt,
			Timeout:   opts.Timeout,
			// Never follow: a redirect to /login means "no session", and a
			// redirect elsewhere must not receive our headers.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// Version is reported in the default User-Agent; the CLI may set it at start-up.
var Version = "dev"

// parseBaseURL accepts an http(s) URL without query, fragment or user info
// and drops a trailing slash. Errors quote the URL redacted: whatever was
// refused, it may carry a password or a token.
func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	shown := safe.Line(safe.Redact(raw))
	switch {
	case raw == "":
		return nil, errors.New("deployment URL is empty")
	case err != nil:
		// Not quoted: an unparsable URL cannot be redacted reliably.
		return nil, parseError("deployment URL is not a URL", err)
	case u.User != nil:
		return nil, errors.New("deployment URL must not contain a user name or password")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("deployment URL %q must start with https:// or http://", shown)
	case u.Host == "":
		return nil, fmt.Errorf("deployment URL %q has no host", shown)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("deployment URL %q must not have a query or fragment", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
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
