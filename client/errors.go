package client

// Error types. Every failed call returns one of these (wrapped with context
// where useful), so callers and the UI can explain it with errors.As.
//
//   *APIError               Coder's {message, detail, validations} body
//   *OAuth2Error            OAuth2's {error, error_description, error_uri} body
//   *ProviderDisabledError  403 naming the oauth2 experiment, or 404 "Route not found."
//   *SessionError           401 from the session middleware, or a 303 to /login
//   *UnexpectedResponseError  HTML/non-JSON/truncated body where JSON was expected, or a wrong status
//   *BodyTooLargeError      the response exceeded Options.MaxBodyBytes
//   *RedirectError          a 3xx the client does not follow (e.g. to another host)
//   *TimeoutError           no complete answer within Options.Timeout

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"oauthdeck/client/safe"
)

// ValidationError is one entry of a Coder "validations" list.
type ValidationError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// APIError is a Coder API error body with its HTTP status.
type APIError struct {
	StatusCode  int
	Method      string
	URL         string
	Message     string
	Detail      string
	Validations []ValidationError
	// WWWAuthenticate is the response's challenge, if any (e.g. a rejected
	// bearer token names the resource metadata URL there).
	WWWAuthenticate string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.URL, e.StatusCode)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	for _, v := range e.Validations {
		fmt.Fprintf(&b, "; %s: %s", v.Field, v.Detail)
	}
	return safe.Line(b.String())
}

// OAuth2Error is an RFC 6749 §5.2 error body with its HTTP status.
type OAuth2Error struct {
	StatusCode      int
	Method          string
	URL             string
	Code            string // the "error" member
	Description     string
	URI             string
	WWWAuthenticate string
	RetryAfter      string // the Retry-After header of a 429 or 503
}

func (e *OAuth2Error) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.StatusCode, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return safe.Line(s)
}

// ProviderDisabledError says the deployment's OAuth2 provider is switched off.
type ProviderDisabledError struct {
	StatusCode int
	URL        string
	Message    string // the server's own words, sanitised
}

func (e *ProviderDisabledError) Error() string {
	return "OAuth2 provider not enabled on this deployment: set CODER_EXPERIMENTS=oauth2 (v2.30) or CODER_OAUTH2_PROVIDER_ENABLE=true"
}

// SessionError says the session token is missing, invalid or expired.
type SessionError struct {
	StatusCode int
	URL        string
	Detail     string // e.g. "API key is invalid."
}

func (e *SessionError) Error() string {
	s := "session expired or invalid: log in again (oauthdeck login)"
	if e.Detail != "" {
		s += " [" + safe.Line(e.Detail) + "]"
	}
	return s
}

// UnexpectedResponseError is a response that is not what the call expects.
type UnexpectedResponseError struct {
	StatusCode  int
	Method      string
	URL         string
	ContentType string
	Reason      string // e.g. "expected JSON, got text/html"
	Excerpt     string // first bytes of the body, sanitised, at most ~200 characters
}

func (e *UnexpectedResponseError) Error() string {
	s := fmt.Sprintf("%s %s: %d: %s", e.Method, e.URL, e.StatusCode, e.Reason)
	if e.Excerpt != "" {
		s += fmt.Sprintf(": %q", e.Excerpt)
	}
	return safe.Line(s)
}

// BodyTooLargeError is a response body over the configured limit.
type BodyTooLargeError struct {
	Method string
	URL    string
	Limit  int64
}

func (e *BodyTooLargeError) Error() string {
	return safe.Line(fmt.Sprintf("%s %s: response body larger than %d bytes; refusing to read more", e.Method, e.URL, e.Limit))
}

// RedirectError is a redirect the client refused to follow.
type RedirectError struct {
	StatusCode int
	Method     string
	URL        string
	Location   string
}

func (e *RedirectError) Error() string {
	if e.Location == "" { // e.g. 304 Not Modified: a 3xx that names no target
		return safe.Line(fmt.Sprintf("%s %s: server answered %d %s with no Location; not a usable answer",
			e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode)))
	}
	return safe.Line(fmt.Sprintf("%s %s: server redirected (%d) to %s; not followed", e.Method, e.URL, e.StatusCode, e.Location))
}

// TimeoutError is a request that got no complete answer in time.
type TimeoutError struct {
	Method string
	URL    string
	After  time.Duration
}

func (e *TimeoutError) Error() string {
	return safe.Line(fmt.Sprintf("%s %s: no answer within %s", e.Method, e.URL, e.After))
}
