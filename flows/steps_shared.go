package flows

import (
	"errors"
	"fmt"

	"oauthdeck/client"
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
