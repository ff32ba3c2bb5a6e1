package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"oauthdeck/client/safe"
)

// errorBody holds both error shapes a Coder deployment sends.
type errorBody struct {
	// Coder API format.
	Message     string            `json:"message"`
	Detail      string            `json:"detail"`
	Validations []ValidationError `json:"validations"`
	// OAuth2 format (RFC 6749 §5.2).
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorURI         string `json:"error_uri"`
}

// parseErrorBody decodes body when it is a JSON object, else returns false.
func parseErrorBody(body []byte) (errorBody, bool) {
	var eb errorBody
	trimmed := strings.TrimSpace(string(body))
	if !strings.HasPrefix(trimmed, "{") || json.Unmarshal(body, &eb) != nil {
		return errorBody{}, false
	}
	return eb, true
}

// decodeError explains a response whose status is not the expected one.
// With bearer set, a 401 is about that token, not the session.
func (r *Response) decodeError(want int, bearer bool) error {
	safeURL := safe.Redact(r.URL)
	if r.StatusCode >= 300 && r.StatusCode < 400 {
		return r.redirectError(safeURL)
	}
	eb, isJSON := parseErrorBody(r.Body)
	path := r.path()
	if pd := providerDisabled(r.StatusCode, path, eb); pd {
		return &ProviderDisabledError{StatusCode: r.StatusCode, URL: safeURL, Message: safe.Line(eb.Message)}
	}
	if r.StatusCode == http.StatusUnauthorized && !bearer && isSessionRejection(eb) {
		return &SessionError{StatusCode: r.StatusCode, URL: safeURL, Detail: safe.Line(eb.Detail)}
	}
	switch {
	case isJSON && eb.Error != "":
		return r.oauth2Error(eb)
	case isJSON && eb.Message != "":
		return &APIError{
			StatusCode:      r.StatusCode,
			Method:          r.method,
			URL:             safeURL,
			Message:         eb.Message,
			Detail:          eb.Detail,
			Validations:     eb.Validations,
			WWWAuthenticate: r.Header.Get("WWW-Authenticate"),
		}
	}
	reason := fmt.Sprintf("unexpected status %d (expected %d)", r.StatusCode, want)
	if len(strings.TrimSpace(string(r.Body))) == 0 {
		reason += " with an empty body"
	} else if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		reason += ", body is " + mediaType(ct) + " not JSON"
	} else if !isJSON {
		reason += ", body is not a JSON error object"
	}
	return r.unexpected(reason)
}

func (r *Response) oauth2Error(eb errorBody) *OAuth2Error {
	return &OAuth2Error{
		StatusCode:      r.StatusCode,
		Method:          r.method,
		URL:             safe.Redact(r.URL),
		Code:            eb.Error,
		Description:     eb.ErrorDescription,
		URI:             eb.ErrorURI,
		WWWAuthenticate: r.Header.Get("WWW-Authenticate"),
		RetryAfter:      r.Header.Get("Retry-After"),
	}
}

// redirectError is a 3xx: to /login it means the session is gone; anything
// else was refused (the client never follows redirects).
func (r *Response) redirectError(safeURL string) error {
	if bad := r.Header.Get(unparsableLocation); bad != "" {
		return &RedirectError{StatusCode: r.StatusCode, Method: r.method, URL: safeURL, Location: safe.Redact(bad) + " (not a URL)"}
	}
	loc, err := r.Location()
	if err == nil && r.sameOrigin(loc) && (loc.Path == "/login" || strings.HasPrefix(loc.Path, "/login/")) {
		return &SessionError{StatusCode: r.StatusCode, URL: safeURL, Detail: "redirected to /login"}
	}
	location := r.Header.Get("Location")
	if err == nil {
		location = loc.String()
	}
	return &RedirectError{StatusCode: r.StatusCode, Method: r.method, URL: safeURL, Location: safe.Redact(location)}
}

func (r *Response) sameOrigin(u *url.URL) bool {
	base, err := url.Parse(r.URL)
	return err == nil && strings.EqualFold(base.Scheme, u.Scheme) && strings.EqualFold(base.Host, u.Host)
}

func (r *Response) path() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return ""
	}
	return u.Path
}

// providerDisabled recognises the closed provider gate: the v2.30
// experiment's 403 (and the older dev-build gate), or the 404 that newer
// servers send on OAuth2 routes while the provider is off.
func providerDisabled(status int, path string, eb errorBody) bool {
	msg := strings.ToLower(eb.Message)
	switch status {
	case http.StatusForbidden:
		return strings.Contains(msg, "oauth2") && strings.Contains(msg, "experiment") ||
			strings.Contains(msg, "oauth2 provider is under development")
	case http.StatusNotFound:
		return eb.Message == "Route not found." && isOAuth2Route(path)
	}
	return false
}

func isOAuth2Route(path string) bool {
	return strings.Contains(path, "/oauth2/") || strings.HasSuffix(path, "/oauth2") ||
		strings.Contains(path, "/api/v2/oauth2-provider") ||
		strings.Contains(path, "/.well-known/")
}

// isSessionRejection recognises the session middleware's 401 body, as
// opposed to other 401s such as a wrong password at login.
func isSessionRejection(eb errorBody) bool {
	if eb.Error != "" {
		return false
	}
	msg := strings.ToLower(eb.Message)
	return strings.Contains(msg, "signed out") || strings.Contains(msg, "session has expired") ||
		strings.HasPrefix(eb.Detail, "API key") || strings.HasPrefix(eb.Detail, "Invalid API key")
}
