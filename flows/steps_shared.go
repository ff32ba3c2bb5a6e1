package flows

import (
	"errors"
	"fmt"
	"net/http"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// Helpers the steps share.

func (f *Flow) tokenClient(st flowState) TokenClient {
	tc := TokenClient{HTTP: f.cfg.Client, ClientID: st.clientID, ClientSecret: st.clientSecret,
		Method: st.authMethod, Now: f.cfg.Now}
	if st.as != nil {
		tc.TokenURL, tc.RevocationURL = st.as.TokenEndpoint, st.as.RevocationEndpoint
	}
	return tc
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func ptr[T any](v T) *T { return &v }

// shortErr is err's text without the request line (for findings).
func shortErr(err error) string {
	var oe *client.OAuth2Error
	if errors.As(err, &oe) {
		return fmt.Sprintf("%d %s", oe.StatusCode, oe.Code)
	}
	var se *client.SessionError
	if errors.As(err, &se) {
		return fmt.Sprintf("%d %s", se.StatusCode, se.Detail)
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%d %s", ae.StatusCode, ae.Message)
	}
	return err.Error()
}

// tokenRefused reports that err is the server refusing a token itself: a
// refresh answered invalid_grant (RFC 6749 §5.2), or a bearer call answered
// 401. Anything else (a 403 for scope or audience, a 404 from a server
// without Coder's API, a network failure) proves nothing about the token.
func tokenRefused(err error) bool {
	var oe *client.OAuth2Error
	if errors.As(err, &oe) {
		return oe.Code == "invalid_grant"
	}
	var se *client.SessionError
	if errors.As(err, &se) {
		return se.StatusCode == http.StatusUnauthorized
	}
	var ae *client.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized
}

// deadProof is the finding for a token that should have stopped working:
// pass when the server refused it, fail when it still works, and "not
// checked" (info) when the answer proves neither. dead reports the pass.
func deadProof(id, what string, err error, basis string) (f Finding, dead, alive bool) {
	switch {
	case err == nil:
		return Finding{ID: id, Severity: SeverityFail, Message: what + " still works", Basis: basis}, false, true
	case tokenRefused(err):
		return Finding{ID: id, Severity: SeverityPass, Message: what + " is dead: " + safe.Line(shortErr(err)), Basis: basis}, true, false
	}
	return Finding{ID: id, Severity: SeverityInfo, Message: what + " not checked: the answer proves nothing about it (" +
		safe.Line(shortErr(err)) + ")", Basis: basis}, false, false
}

// tokenClientFor is the token client for an edited request: a Basic header
// removed in the edit is not added back.
func (f *Flow) tokenClientFor(st flowState, req Request) TokenClient {
	tc := f.tokenClient(st)
	if tc.Method == AuthBasic && req.Header.Get("Authorization") == "" {
		tc.Method, tc.ClientID, tc.ClientSecret = AuthPost, "", ""
	}
	return tc
}

// needFirst is the error of a request whose inputs an earlier step makes.
func needFirst(ok bool, id, earlier StepID) error {
	if !ok {
		return fmt.Errorf("%w: the %s request needs %s first", ErrStepOrder, id, earlier)
	}
	return nil
}
