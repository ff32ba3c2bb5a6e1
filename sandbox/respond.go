package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// validation is one entry of a Coder "Validation failed." body.
type validation struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// coderResponse is Coder's API error/info body (codersdk.Response).
type coderResponse struct {
	Message     string       `json:"message"`
	Detail      string       `json:"detail,omitempty"`
	Validations []validation `json:"validations,omitempty"`
}

// oauth2Error is the RFC 6749 error body.
type oauth2Error struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// encodeJSON encodes like Coder's httpapi.Write: HTML escaping on and a
// trailing newline (Content-Length matches the real server).
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"message":"Internal error encoding response."}` + "\n")
	}
	return buf.Bytes()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONType(w, status, "application/json; charset=utf-8", v)
}

func writeJSONType(w http.ResponseWriter, status int, contentType string, v any) {
	body := encodeJSON(v)
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeMessage(w http.ResponseWriter, status int, message, detail string) {
	writeJSON(w, status, coderResponse{Message: message, Detail: detail})
}

func writeValidation(w http.ResponseWriter, message string, vs []validation) {
	writeJSON(w, http.StatusBadRequest, coderResponse{Message: message, Validations: vs})
}

func writeOAuth2(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, oauth2Error{Error: code, Description: description})
}

// writeRegistrationError matches Coder's DCR error writer: a plain map with
// Content-Type application/json and no charset.
func writeRegistrationError(w http.ResponseWriter, status int, code, description string) {
	writeJSONType(w, status, "application/json", oauth2Error{Error: code, Description: description})
}

func writeMethodNotAllowed(w http.ResponseWriter, allowed ...string) {
	for _, m := range allowed {
		w.Header().Add("Allow", m)
	}
	w.WriteHeader(http.StatusMethodNotAllowed)
}

func writeRouteNotFound(w http.ResponseWriter) {
	writeMessage(w, http.StatusNotFound, "Route not found.", "")
}

func writeForbidden(w http.ResponseWriter) {
	writeMessage(w, http.StatusForbidden, "Forbidden.", "")
}

const (
	msgInvalidJSON       = "Request body must be valid JSON."
	msgAppNotFound       = "OAuth2 application not found."
	msgResourceNotFound  = "Resource not found or you do not have access to this resource"
	msgValidationFailed  = "Validation failed."
	msgSignedOut         = "You are signed out or your session has expired. Please sign in again to continue."
	msgExperimentOff     = "OAuth2 Provider Functionality functionality requires enabling the 'oauth2' experiment."
	descInvalidClient    = "The client credentials are invalid"
	descMissingClientID  = "Missing client_id parameter"
	descGenericMalformed = "The request is missing required parameters or is otherwise malformed"
	descBadCode          = "The authorization code is invalid or expired"
	descBadVerifier      = "The PKCE code verifier is invalid"
	descBadRefresh       = "The refresh token is invalid or expired"
	descBadResource      = "The resource parameter is invalid"
)
