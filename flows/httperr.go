package flows

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// ResponseError turns an unwanted response into the client package's typed
// errors, so Explain and the UI treat raw calls like typed ones:
// OAuth2 body → *client.OAuth2Error; the experiment gate or "Route not found."
// → *client.ProviderDisabledError; a 401 Coder body → *client.SessionError;
// another Coder body → *client.APIError; anything else →
// *client.UnexpectedResponseError.
func ResponseError(method string, resp *client.Response) error {
	u := redactQuery(resp.URL)
	if oe := decodeOAuth2Error(resp); oe != nil {
		oe.Method, oe.URL = method, u
		return oe
	}
	var body struct {
		Message     string                   `json:"message"`
		Detail      string                   `json:"detail"`
		Validations []client.ValidationError `json:"validations"`
	}
	if isJSON(resp) && json.Unmarshal(resp.Body, &body) == nil && body.Message != "" {
		msg := safe.Line(body.Message)
		switch {
		case strings.Contains(body.Message, "'oauth2' experiment"),
			resp.StatusCode == http.StatusNotFound && body.Message == "Route not found.",
			strings.Contains(body.Message, "OAuth2 provider is under development"):
			return &client.ProviderDisabledError{StatusCode: resp.StatusCode, URL: u, Message: msg}
		case resp.StatusCode == http.StatusUnauthorized:
			return &client.SessionError{StatusCode: resp.StatusCode, URL: u, Detail: safe.Line(body.Detail)}
		}
		return &client.APIError{StatusCode: resp.StatusCode, Method: method, URL: u, Message: msg,
			Detail: safe.Line(body.Detail), Validations: body.Validations}
	}
	return &client.UnexpectedResponseError{StatusCode: resp.StatusCode, Method: method, URL: u,
		ContentType: safe.Line(resp.Header.Get("Content-Type")),
		Reason:      fmt.Sprintf("unexpected status %d", resp.StatusCode), Excerpt: excerpt(resp.Body)}
}

func decodeOAuth2Error(resp *client.Response) *client.OAuth2Error {
	if resp.StatusCode < 400 || !isJSON(resp) {
		return nil
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		URI         string `json:"error_uri"`
	}
	if json.Unmarshal(resp.Body, &body) != nil || body.Error == "" {
		return nil
	}
	return &client.OAuth2Error{StatusCode: resp.StatusCode, Code: safe.Line(body.Error),
		Description: safe.Line(body.Description), URI: safe.Line(body.URI),
		WWWAuthenticate: safe.Line(resp.Header.Get("WWW-Authenticate"))}
}

func isJSON(resp *client.Response) bool {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		return json.Valid(resp.Body) && len(resp.Body) > 0 && resp.Body[0] == '{'
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func excerpt(b []byte) string {
	const max = 200
	s := safe.Line(safe.Redact(string(b)))
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
