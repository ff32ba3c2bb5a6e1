package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client/safe"
)

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
	WithSession bool // send the Coder-Session-Token header (only ever to the deployment's origin)
}

// Response is a raw response with its (bounded) body read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	URL        string

	method string
}

// ResponseOf wraps an answer received by another HTTP stack (the
// golang.org/x/oauth2 token exchange) so that Error classifies it by the
// same rules as every other response.
func ResponseOf(method, url string, status int, header http.Header, body []byte) *Response {
	if header == nil {
		header = http.Header{}
	}
	return &Response{StatusCode: status, Header: header, Body: body, URL: url, method: method}
}

// Do sends req with the client's timeout, size limit and recorder. It never
// follows redirects and does not interpret the status: a 4xx is a Response,
// not an error. Errors are transport failures, timeouts and oversize bodies.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	u, err := c.resolve(req.URL)
	if err != nil {
		return nil, err
	}
	if len(req.Query) > 0 {
		q := u.Query()
		for k, vs := range req.Query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	header := req.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	var body []byte
	var contentType string
	switch used := btoi(req.Form != nil) + btoi(req.JSON != nil) + btoi(req.Body != nil); {
	case used > 1:
		return nil, errors.New("request has more than one of Form, JSON and Body")
	case req.Form != nil:
		body, contentType = []byte(req.Form.Encode()), "application/x-www-form-urlencoded"
	case req.JSON != nil:
		if body, err = json.Marshal(req.JSON); err != nil {
			return nil, fmt.Errorf("encode request body: %w", err)
		}
		contentType = "application/json"
	case req.Body != nil:
		body = req.Body
	}
	if contentType != "" && header.Get("Content-Type") == "" {
		header.Set("Content-Type", contentType)
	}
	if header.Get("Accept") == "" {
		header.Set("Accept", "application/json")
	}
	if req.WithSession && c.token != "" {
		if err := c.checkSessionOrigin(u); err != nil {
			return nil, err
		}
		header.Set(SessionTokenHeader, c.token)
	}
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
		if body != nil {
			method = http.MethodPost
		}
	}
	return c.send(ctx, method, u, header, body)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// OAuth2Error decodes an OAuth2 error body, or returns nil when the body is not one.
func (r *Response) OAuth2Error() *OAuth2Error {
	eb, ok := parseErrorBody(r.Body)
	if !ok || eb.Error == "" {
		return nil
	}
	return r.oauth2Error(eb)
}

// Location returns the Location header resolved against the request URL.
func (r *Response) Location() (*url.URL, error) {
	raw := r.Header.Get("Location")
	if raw == "" {
		return nil, fmt.Errorf("%d response has no Location header", r.StatusCode)
	}
	loc, err := url.Parse(raw)
	if err != nil {
		return nil, parseError(fmt.Sprintf("invalid Location header %q", safe.Redact(raw)), err)
	}
	base, err := url.Parse(r.URL)
	if err != nil {
		return loc, nil
	}
	return base.ResolveReference(loc), nil
}

// Error explains a response whose status is not want, using the same rules
// as the typed calls (OAuth2 body, Coder body, provider disabled, session
// expired, redirect, unexpected body). Flows use it after Do.
func (r *Response) Error(want int) error { return r.decodeError(want, false) }
