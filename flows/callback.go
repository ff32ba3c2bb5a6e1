package flows

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"strings"

	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
)

// Expect is what a valid authorization response must satisfy.
type Expect struct {
	// RedirectURI, when set, must match the response URL's scheme, host
	// (127.0.0.1, localhost or [::1] are treated alike only when the redirect
	// URI itself is loopback), port and path. Used for pasted URLs and AutoConsent.
	RedirectURI string
	// State the request carried. Empty means the request sent no state (an
	// edited request); the check is then skipped.
	State string
	// Issuer is the expected RFC 9207 iss. RequireIss makes a missing iss an
	// error (set it when the metadata advertises
	// authorization_response_iss_parameter_supported); a present iss is always compared.
	Issuer     string
	RequireIss bool
}

// ParseRedirectURL validates a redirect URL (pasted from a browser's address
// bar, or a Location header) against exp, with the same rules as the listener.
func ParseRedirectURL(raw string, exp Expect) (Callback, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return Callback{}, &CallbackError{Err: ErrMalformedURL, Detail: "expected an absolute http URL such as http://127.0.0.1:9876/callback?code=…"}
	}
	if exp.RedirectURI != "" {
		if err := sameEndpoint(u, exp.RedirectURI); err != nil {
			return Callback{}, err
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Callback{}, &CallbackError{Err: ErrMalformedURL, Detail: "query does not parse"}
	}
	cb, err := CheckCallback(q, exp)
	cb.URL = redactedCallbackURL(u)
	return cb, err
}

// sameEndpoint reports whether u is at the redirect URI (scheme, host, port, path).
func sameEndpoint(u *url.URL, redirectURI string) error {
	want, err := url.Parse(redirectURI)
	if err != nil {
		return &CallbackError{Err: ErrMalformedURL, Detail: "expected redirect URI does not parse"}
	}
	if !strings.EqualFold(u.Scheme, want.Scheme) || !sameHost(u, want) {
		return &CallbackError{Err: ErrWrongHost, Detail: "the URL is not at " + want.Scheme + "://" + want.Host}
	}
	if pathOf(u) != pathOf(want) {
		return &CallbackError{Err: ErrWrongPath, Detail: "expected path " + pathOf(want)}
	}
	return nil
}

func sameHost(a, b *url.URL) bool {
	if a.Port() != b.Port() {
		return false
	}
	ha, hb := strings.ToLower(a.Hostname()), strings.ToLower(b.Hostname())
	return ha == hb || (coder.IsLoopbackHost(ha) && coder.IsLoopbackHost(hb))
}

func pathOf(u *url.URL) string {
	if u.Path == "" {
		return "/"
	}
	return u.Path
}

// CheckCallback validates the query of an authorization response. An
// error=… response gives a *CallbackError wrapping ErrAuthorization, checked
// after state so a forged error cannot end a flow it does not belong to.
// With an error, the Callback still carries what was verified before the
// failure (State once it matched, Iss once it matched), never a code.
func CheckCallback(q url.Values, exp Expect) (Callback, error) {
	for _, k := range []string{"state", "code", "iss", "error"} {
		if len(q[k]) > 1 {
			// RFC 6749 §3.1: parameters must not repeat; which one counts would be a guess.
			return Callback{}, &CallbackError{Err: ErrMalformedURL, Detail: "repeated " + k + " parameter"}
		}
	}
	cb := Callback{State: q.Get("state"), Iss: q.Get("iss")}
	if _, reason := stateRefusal(q, exp); reason != nil {
		if e := q.Get("error"); e != "" && errors.Is(reason, ErrStateMissing) {
			// Coder v2.30's Cancel link carries no state. Read from a
			// Location (auto-consent), a refusal cannot harm the flow, so
			// show it, flagged as unproven; the listener refuses it first.
			return Callback{}, &CallbackError{Err: ErrAuthorization, Code: safe.Line(e),
				Description: safe.Line(q.Get("error_description")),
				Detail:      "without state, so it cannot be proven to answer this request"}
		}
		return Callback{}, &CallbackError{Err: reason}
	}
	if cb.Iss != "" || exp.RequireIss {
		if cb.Iss == "" {
			return Callback{State: cb.State}, &CallbackError{Err: ErrIssMissing}
		}
		if exp.Issuer != "" && cb.Iss != exp.Issuer {
			return Callback{State: cb.State}, &CallbackError{Err: ErrIssMismatch, Detail: "got " + safe.Line(cb.Iss) + ", expected " + exp.Issuer}
		}
	}
	if e := q.Get("error"); e != "" {
		return cb, &CallbackError{Err: ErrAuthorization, Code: safe.Line(e), Description: safe.Line(q.Get("error_description"))}
	}
	cb.Code = q.Get("code")
	if cb.Code == "" {
		return cb, &CallbackError{Err: ErrCodeMissing}
	}
	return cb, nil
}

// markReceived records in s that a response arrived and what it proved: a
// state that matched the request's, an iss that passed the comparison. A
// refusal without state proves nothing, so it marks neither.
func markReceived(s *ListenerStatus, exp Expect, cb Callback) {
	s.Received = true
	s.StateOK = exp.State != "" && cb.State != ""
	s.IssChecked = cb.Iss != ""
}

// redactedCallbackURL is u with the code replaced, for display.
func redactedCallbackURL(u *url.URL) string {
	cp := *u
	q := cp.Query()
	if q.Has("code") {
		q.Set("code", safe.Marker(q.Get("code")))
	}
	cp.RawQuery = q.Encode()
	return safe.Line(cp.String())
}

// stateRefusal is why a callback does not answer this flow's request: its
// state is missing, repeated or another (compared in constant time). With
// no state expected every callback answers it.
func stateRefusal(q url.Values, exp Expect) (detail string, reason error) {
	if exp.State == "" {
		return "", nil
	}
	what := "a callback"
	if e := q.Get("error"); e != "" {
		what = "an error=" + quoteShort(e) + " callback"
	}
	switch vs := q["state"]; {
	case len(vs) == 0:
		return what + " without state", ErrStateMissing
	case len(vs) > 1:
		return what + " with a repeated state", ErrStateMismatch
	case subtle.ConstantTimeCompare([]byte(vs[0]), []byte(exp.State)) != 1:
		return what + " with another state", ErrStateMismatch
	}
	return "", nil
}
